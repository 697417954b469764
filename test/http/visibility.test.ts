import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { listAuditEvents } from '../../src/db/audit.ts';
import { accessOf, type Visibility } from '../../src/domain/visibility.ts';
import type { Person } from '../support/app.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox, type Mailbox } from '../support/sync.ts';
import { assertSeenAs, rowsFromDatabase, viewOf } from '../support/visibility.ts';

const t = await providerTest();

interface Shared {
  box: Mailbox;
  colleague: Person;
  outsider: Person;
  candidate: string;
  /** Delivers one candidate mail with a subject, text, HTML and an attachment all marked with `tag`. */
  deliver(tag: string, extra?: Record<string, unknown>): Promise<{ id: string }>;
}

/** An organization with a connected recruiter, a colleague, an admin, a candidate, and an outsider. */
async function team(domain: string): Promise<Shared> {
  const box = await connectedMailbox(t, 'google', domain);
  const candidate = `ada.${randomUUID().slice(0, 8)}@candidates.example`;
  await t.member({ emails: [candidate] });
  return {
    box,
    colleague: await t.user(box.orgId),
    outsider: (await t.organization()).recruiter,
    candidate,
    deliver: (tag, extra = {}) =>
      box.deliver({
        from: { name: 'Ada Candidate', address: candidate },
        to: [{ address: box.recruiter.email }],
        subject: `subject-${tag}`,
        text: `body-${tag}`,
        html: `<p>html-${tag}</p>`,
        attachments: [
          {
            filename: `file-${tag}.pdf`,
            contentType: 'application/pdf',
            contentBase64: Buffer.from(`pdf-${tag}`).toString('base64'),
          },
        ],
        ...extra,
      }),
  };
}

const setLevel = (token: string, threadId: string, visibility: string) =>
  t.call(token, 'PUT', `/api/threads/${threadId}/visibility`, { visibility });

async function threadOf(box: Mailbox, tag: string): Promise<string> {
  const found = (await box.threads()).find((thread) => thread.subject.endsWith(tag));
  assert.ok(found, `the owner sees the thread ${tag}`);
  return found.id;
}

describe('R15: visibility of a synced thread', () => {
  it('R15: each level shows the owner everything, colleagues and admins what it allows, another organization nothing', async () => {
    const { box, colleague, outsider, candidate, deliver } = await team('levels.example');
    const levels: Visibility[] = ['private', 'metadata', 'organization'];
    for (const level of levels) await deliver(level);
    await box.sync();
    const ids = new Map<Visibility, string>();
    for (const level of levels) {
      const id = await threadOf(box, level);
      ids.set(level, id);
      assert.equal((await setLevel(box.recruiter.token, id, level)).statusCode, 200);
    }
    const viewers = [
      { who: 'owner', person: box.recruiter, inOrg: true },
      { who: 'colleague', person: colleague, inOrg: true },
      { who: 'admin', person: box.admin, inOrg: true },
      { who: 'another organization', person: outsider, inOrg: false },
    ];
    for (const viewer of viewers) {
      const view = await viewOf(t, viewer.person.token, [...ids.values()]);
      for (const level of levels) {
        const id = ids.get(level) ?? '';
        const access = viewer.inOrg
          ? accessOf({ ownerUserId: box.recruiter.id, visibility: level }, viewer.person.id)
          : 'none';
        assertSeenAs(view, id, access, [
          `subject-${level}`,
          `body-${level}`,
          `html-${level}`,
          `file-${level}`,
        ]);
        if (access === 'metadata') {
          const listed = view.listed.get(id);
          assert.equal(listed?.ownerUserId, box.recruiter.id, 'the owner is shown');
          assert.equal(listed?.messageCount, 1);
          assert.ok(listed?.lastMessageAt && listed.firstMessageAt, 'the dates are shown');
          assert.deepEqual(
            listed?.participants.map((participant) => participant.address).sort(),
            [candidate, box.recruiter.email].sort(),
            'the participants are shown',
          );
          assert.equal(listed?.participants.find((p) => p.address === candidate)?.name, 'Ada Candidate');
        }
      }
      assert.equal(view.listed.size, viewer.inOrg ? (viewer.who === 'owner' ? 3 : 2) : 0, viewer.who);
    }
  });

  it('R15: a message arriving after sharing is visible at once, and un-sharing hides the thread again', async () => {
    const { box, colleague, deliver } = await team('later.example');
    const first = await deliver('first');
    await box.sync();
    const id = await threadOf(box, 'first');
    assert.equal((await setLevel(box.recruiter.token, id, 'organization')).statusCode, 200);
    await deliver('later', { subject: 'Re: subject-first', inReplyTo: first.id });
    await box.sync();
    let view = await viewOf(t, colleague.token, [id]);
    assert.equal(view.listed.get(id)?.messageCount, 2, 'the reply joined the shared thread');
    assert.match(view.details.get(id)?.body ?? '', /body-later/, 'the colleague reads the reply at once');

    assert.equal((await setLevel(box.recruiter.token, id, 'metadata')).statusCode, 200);
    view = await viewOf(t, colleague.token, [id]);
    assertSeenAs(view, id, 'metadata', ['subject-first', 'body-first', 'body-later', 'file-later']);
    assert.equal(view.listed.get(id)?.messageCount, 2);

    assert.equal((await setLevel(box.recruiter.token, id, 'private')).statusCode, 200);
    view = await viewOf(t, colleague.token, [id]);
    assertSeenAs(view, id, 'none', ['subject-first', 'body-first', 'body-later']);
    assert.equal((await viewOf(t, box.recruiter.token, [id])).listed.get(id)?.access, 'full');
  });

  it('R15: only the owner changes the level: 403 for a colleague or admin who sees it, 404 for anyone who cannot', async () => {
    const { box, colleague, outsider, deliver } = await team('owner-only.example');
    await deliver('guarded');
    await box.sync();
    const id = await threadOf(box, 'guarded');
    const missing = await setLevel(colleague.token, randomUUID(), 'organization');
    assert.equal(missing.statusCode, 404);
    const hidden = await setLevel(colleague.token, id, 'organization');
    assert.equal(hidden.statusCode, 404, 'a colleague cannot tell a private thread from a missing one');
    assert.deepEqual(hidden.json(), missing.json());
    assert.equal((await setLevel(box.admin.token, id, 'organization')).statusCode, 404, 'admins neither');
    for (const level of ['metadata', 'organization'] as const) {
      assert.equal((await setLevel(box.recruiter.token, id, level)).statusCode, 200);
      for (const person of [colleague, box.admin]) {
        assert.equal(
          (await setLevel(person.token, id, 'private')).statusCode,
          403,
          `${level}: ${person.email}`,
        );
      }
      assert.equal((await setLevel(outsider.token, id, 'private')).statusCode, 404, 'another organization');
      assert.equal((await viewOf(t, box.recruiter.token, [id])).listed.get(id)?.visibility, level);
    }
    assert.equal((await setLevel(box.recruiter.token, id, 'public')).statusCode, 400);
    assert.equal((await setLevel(box.recruiter.token, randomUUID(), 'private')).statusCode, 404);
  });

  it('R15: every change is audited with who, when, the thread and from → to, never content', async () => {
    const { box, candidate, deliver } = await team('audited.example');
    await deliver('audited');
    await box.sync();
    const id = await threadOf(box, 'audited');
    const before = new Date();
    for (const level of ['metadata', 'organization', 'organization', 'private']) {
      assert.equal((await setLevel(box.recruiter.token, id, level)).statusCode, 200);
    }
    const events = (await listAuditEvents(t.database.db, box.orgId, { limit: 100 }))
      .filter((event) => event.action === 'thread_visibility_changed')
      .reverse();
    assert.deepEqual(
      events.map((event) => event.details),
      [
        { threadId: id, from: 'private', to: 'metadata' },
        { threadId: id, from: 'metadata', to: 'organization' },
        { threadId: id, from: 'organization', to: 'private' },
      ],
      'one event per change; setting the level it already has changes nothing',
    );
    for (const event of events) {
      assert.equal(event.actorUserId, box.recruiter.id);
      assert.ok(event.at.getTime() >= before.getTime() - 1000, 'the time of the change');
    }
    const log = JSON.stringify((await t.call(box.admin.token, 'GET', '/api/organization/audit')).json());
    assert.match(log, /thread_visibility_changed/, 'admins read the change in their log');
    for (const secret of ['subject-audited', 'body-audited', 'file-audited', candidate]) {
      assert.equal(log.includes(secret), false, secret);
    }
  });

  it("R15: a metadata thread's content is not selected: it never leaves the database", async () => {
    const { box, colleague, deliver } = await team('in-sql.example');
    await deliver('in-sql');
    await box.sync();
    const id = await threadOf(box, 'in-sql');
    assert.equal((await setLevel(box.recruiter.token, id, 'metadata')).statusCode, 200);
    const raw = await rowsFromDatabase(t.database.db, { orgId: box.orgId, userId: colleague.id }, [id]);
    assert.match(raw, /"access":"metadata"/, 'the rows PostgreSQL returned were captured');
    for (const secret of ['subject-in-sql', 'body-in-sql', 'html-in-sql', 'file-in-sql']) {
      assert.equal(raw.includes(secret), false, `${secret} left the database`);
    }
    for (const row of JSON.parse(raw) as Record<string, unknown>[]) {
      for (const column of ['subject', 'snippet', 'body_text', 'body_html', 'attachments']) {
        assert.equal(row[column] ?? null, null, column);
      }
    }
  });
});
