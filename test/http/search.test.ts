import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { storeMessages } from '../../src/db/mail.ts';
import { searchMessages } from '../../src/db/search.ts';
import type { Person } from '../support/app.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox, type Mailbox } from '../support/sync.ts';

const t = await providerTest();
const { db } = t.database;

interface Hit {
  kind: 'email';
  threadId: string;
  messageId?: string;
  at: string;
  direction: 'sent' | 'received';
  owner: { id: string; name: string };
  visibility: string;
  access: 'full' | 'metadata';
  subject?: string;
  snippet?: string;
}

/** A word no other test's mail holds (the `simple` parser keeps letters and digits as one word). */
const word = (label: string) => `${label}${randomBytes(4).toString('hex')}`;

interface Team {
  box: Mailbox;
  colleague: Person;
  outsider: Person;
  candidate: { id: string; token: string; address: string; name: string };
  /** Delivers one mail from the candidate with `words` in its subject and `body` as its text. */
  deliver(subject: string, body: string, extra?: Record<string, unknown>): Promise<{ id: string }>;
}

async function team(domain: string): Promise<Team> {
  const box = await connectedMailbox(t, 'google', domain);
  const address = `ada.${randomUUID().slice(0, 8)}@candidates.example`;
  const name = word('Lovelace');
  const member = await t.member({ emails: [address] });
  return {
    box,
    colleague: await t.user(box.orgId),
    outsider: (await t.organization()).recruiter,
    candidate: { id: member.id, token: member.token, address, name },
    deliver: (subject, body, extra = {}) =>
      box.deliver({
        from: { name: `Ada ${name}`, address },
        to: [{ address: box.recruiter.email }],
        subject,
        text: body,
        ...extra,
      }),
  };
}

const organizationUrl = (query: string) => `/api/search?${query}`;
const memberUrl = (memberId: string, query: string) => `/api/members/${memberId}/history/search?${query}`;

/** The hits `token` gets for `q` (one page of 100) across the organization, or within `memberId`. */
async function search(token: string, q: string, memberId?: string): Promise<{ hits: Hit[]; body: string }> {
  const query = `q=${encodeURIComponent(q)}&limit=100`;
  const response = await t.call(token, 'GET', memberId ? memberUrl(memberId, query) : organizationUrl(query));
  assert.equal(response.statusCode, 200, response.body);
  return { hits: response.json().hits, body: response.body };
}

async function threadOf(box: Mailbox, subject: string): Promise<string> {
  const found = (await box.threads()).find((thread) => thread.subject === subject);
  assert.ok(found, `the owner sees the thread ${subject}`);
  return found.id;
}

const setLevel = async (box: Mailbox, threadId: string, visibility: string) => {
  const answer = await t.call(box.recruiter.token, 'PUT', `/api/threads/${threadId}/visibility`, {
    visibility,
  });
  assert.equal(answer.statusCode, 200, answer.body);
};

describe('search over synced mail', () => {
  it('R15: the owner finds their own mail by words of its subject or body, in both scopes', async () => {
    const { box, outsider, candidate, deliver } = await team('own.example');
    const [inSubject, inBody] = [word('subject'), word('body')];
    await deliver(`Interview ${inSubject}`, `Hello, about the ${inBody} role`);
    await deliver(`Unrelated ${word('other')}`, 'Nothing to find here');
    await box.sync();
    const threadId = await threadOf(box, `Interview ${inSubject}`);

    for (const q of [inSubject, inBody, `${inSubject} ${inBody}`, `"about the ${inBody}"`]) {
      for (const scope of [undefined, candidate.id]) {
        const { hits } = await search(box.recruiter.token, q, scope);
        assert.equal(hits.length, 1, `${q} finds the mail`);
        const [hit] = hits;
        assert.equal(hit?.threadId, threadId);
        assert.equal(hit?.access, 'full');
        assert.equal(hit?.visibility, 'private');
        assert.equal(hit?.direction, 'received');
        assert.equal(hit?.owner.id, box.recruiter.id);
        assert.equal(hit?.subject, `Interview ${inSubject}`);
        assert.match(hit?.snippet ?? '', new RegExp(inBody));
        assert.match(hit?.messageId ?? '', /^[0-9a-f-]{36}$/);
      }
    }
    assert.deepEqual((await search(box.recruiter.token, `${inSubject} -${inBody}`)).hits, []);
    assert.deepEqual((await search(box.recruiter.token, word('absent'))).hits, []);
    // Another organization finds nothing, though the member is theirs to look up too.
    assert.deepEqual((await search(outsider.token, inSubject)).hits, []);
    assert.deepEqual((await search(outsider.token, inSubject, candidate.id)).hits, []);
    assert.deepEqual((await search(outsider.token, candidate.address)).hits, []);
  });

  it('R15: colleagues find an organization thread by its words, a metadata thread only by its participants, a private one never', async () => {
    const { box, colleague, candidate, deliver } = await team('levels.example');
    const secret = { organization: word('shared'), metadata: word('meta'), private: word('secret') };
    for (const tag of Object.values(secret)) await deliver(`Subject ${tag}`, `Body ${tag}`);
    await box.sync();
    for (const [level, tag] of Object.entries(secret)) {
      await setLevel(box, await threadOf(box, `Subject ${tag}`), level);
    }
    const metadataThread = await threadOf(box, `Subject ${secret.metadata}`);
    const sharedThread = await threadOf(box, `Subject ${secret.organization}`);

    for (const viewer of [colleague, box.admin]) {
      for (const scope of [undefined, candidate.id]) {
        const shared = await search(viewer.token, secret.organization, scope);
        assert.deepEqual(
          shared.hits.map((hit) => [hit.threadId, hit.access, hit.subject]),
          [[sharedThread, 'full', `Subject ${secret.organization}`]],
        );
        for (const q of [secret.metadata, secret.private]) {
          const { body } = await search(viewer.token, q, scope);
          assert.deepEqual(JSON.parse(body).hits, [], `${q} is not found by its words`);
        }
        // By participant: the candidate's address or name finds the shared and the metadata thread.
        for (const q of [candidate.address, candidate.name, 'candidates.example']) {
          const { hits, body } = await search(viewer.token, q, scope);
          assert.deepEqual(hits.map((hit) => hit.threadId).sort(), [sharedThread, metadataThread].sort(), q);
          const metadata = hits.find((hit) => hit.threadId === metadataThread);
          assert.equal(metadata?.access, 'metadata');
          assert.equal(metadata?.visibility, 'metadata');
          assert.equal(metadata?.owner.id, box.recruiter.id);
          for (const key of ['messageId', 'subject', 'snippet']) {
            assert.equal(key in (metadata ?? {}), false, `a metadata hit carries no ${key}`);
          }
          assert.equal(body.includes(secret.metadata), false, 'nothing of the metadata thread’s words');
          assert.equal(body.includes(secret.private), false, 'nothing of the private thread');
        }
      }
    }
    // The owner finds all three by their words.
    for (const tag of Object.values(secret)) {
      assert.equal((await search(box.recruiter.token, tag)).hits[0]?.access, 'full');
    }
    // Un-sharing hides it again, at once.
    await setLevel(box, sharedThread, 'private');
    assert.deepEqual((await search(colleague.token, secret.organization)).hits, []);
    assert.deepEqual((await search(colleague.token, candidate.address)).hits.length, 1);
  });

  it('R15: Bcc is content: a metadata thread is not found by its Bcc, a thread seen in full is', async () => {
    const { box, colleague, candidate } = await team('bcc.example');
    const hidden = `${word('hidden')}@elsewhere.example`;
    const subject = `Offer ${word('offer')}`;
    await box.send({
      to: [{ address: candidate.address }],
      bcc: [{ name: 'Hidden Person', address: hidden }],
      subject,
      text: 'An offer',
    });
    await box.sync();
    const threadId = await threadOf(box, subject);
    assert.equal(
      (await search(box.recruiter.token, hidden)).hits[0]?.threadId,
      threadId,
      'the owner finds it',
    );
    await setLevel(box, threadId, 'metadata');
    assert.equal((await search(colleague.token, candidate.address)).hits[0]?.access, 'metadata');
    for (const q of [hidden, 'elsewhere.example']) {
      assert.deepEqual((await search(colleague.token, q)).hits, [], `${q} is not found`);
    }
    await setLevel(box, threadId, 'organization');
    assert.equal((await search(colleague.token, hidden)).hits[0]?.threadId, threadId);
  });

  it('R17: the member scope finds only mail linked to that member; a member whom not anyone may find answers 404', async () => {
    const { box, candidate, deliver } = await team('member-scope.example');
    const common = word('common');
    await deliver(`Theirs ${common}`, 'from the candidate');
    const other = await t.member({ emails: [`grace.${randomUUID().slice(0, 8)}@candidates.example`] });
    await box.deliver({
      from: { address: other.emails[0] },
      to: [{ address: box.recruiter.email }],
      subject: `Another ${common}`,
      text: 'from another candidate',
    });
    await box.sync();
    assert.equal((await search(box.recruiter.token, common)).hits.length, 2);
    assert.deepEqual(
      (await search(box.recruiter.token, common, candidate.id)).hits.map((hit) => hit.subject),
      [`Theirs ${common}`],
    );
    const hidden = await t.member({ discoverability: 'nobody' });
    for (const id of [hidden.id, randomUUID()]) {
      const answer = await t.call(box.recruiter.token, 'GET', memberUrl(id, `q=${common}`));
      assert.equal(answer.statusCode, 404, answer.body);
    }
  });

  it('R17: pages are newest first, with no gaps or repeats while new mail arrives between them', async () => {
    const { box, candidate, deliver } = await team('pages.example');
    const common = word('page');
    for (let index = 0; index < 5; index += 1) await deliver(`Mail ${index} ${common}`, `text ${index}`);
    await box.sync();
    // Two hits share one instant, so only the keyset's tie-break keeps the pages apart.
    const ids = (await search(box.recruiter.token, common)).hits.map((hit) => hit.messageId ?? '');
    await db
      .updateTable('messages')
      .set({ received_at: new Date('2026-01-01T00:00:00.123456Z') })
      .where('id', 'in', ids.slice(0, 2))
      .execute();
    await db
      .updateTable('message_search')
      .set({ received_at: new Date('2026-01-01T00:00:00.123456Z') })
      .where('message_id', 'in', ids.slice(0, 2))
      .execute();
    assert.equal((await search(box.recruiter.token, common)).hits.length, 5);

    let arrived = 0;
    for (const scope of [undefined, candidate.id]) {
      const before = (await search(box.recruiter.token, common, scope)).hits;
      const seen: Hit[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `q=${common}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const response = await t.call(
          box.recruiter.token,
          'GET',
          scope ? memberUrl(scope, query) : organizationUrl(query),
        );
        assert.equal(response.statusCode, 200, response.body);
        const json: { hits: Hit[]; nextCursor: string | null } = response.json();
        seen.push(...json.hits);
        cursor = json.nextCursor;
        pages += 1;
        await deliver(`Late ${arrived++} ${common}`, 'arrived between pages');
        await box.sync();
        assert.ok(pages <= 10, 'the hits end');
      } while (cursor);
      assert.deepEqual(
        seen.map((hit) => hit.messageId),
        before.map((hit) => hit.messageId),
        'every hit once, in order, and nothing that arrived later',
      );
      const times = seen.map((hit) => Date.parse(hit.at));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
        'newest first',
      );
      assert.equal(pages, Math.ceil(before.length / 2));
    }
    const now = (await search(box.recruiter.token, common)).hits;
    assert.equal(now.length, 5 + arrived, 'a new first page shows the mail that arrived');
    assert.match(now[0]?.subject ?? '', /^Late /);

    // A cursor opens only on the route, and for the caller, it was issued to.
    const first = await t.call(box.recruiter.token, 'GET', organizationUrl(`q=${common}&limit=1`));
    const cursor = encodeURIComponent(first.json().nextCursor);
    const elsewhere = [
      [box.recruiter.token, memberUrl(candidate.id, `q=${common}&cursor=${cursor}`)],
      [box.recruiter.token, `/api/members/${candidate.id}/history?cursor=${cursor}`],
      [(await t.user(box.orgId)).token, organizationUrl(`q=${common}&cursor=${cursor}`)],
    ] as const;
    for (const [token, url] of elsewhere) {
      assert.equal((await t.call(token, 'GET', url)).statusCode, 400, url);
    }
  });

  it('R16: a member’s erasure and an owner’s thread erasure leave nothing of the mail in the search index', async () => {
    const { box, candidate, deliver } = await team('erasure.example');
    const [erasedWord, threadWord, keptWord] = [word('erased'), word('thread'), word('kept')];
    await deliver(`Erase me ${erasedWord}`, `body ${erasedWord}`);
    await box.deliver({
      from: { address: `someone.${randomUUID().slice(0, 8)}@elsewhere.example` },
      to: [{ address: box.recruiter.email }, { address: candidate.address }],
      subject: `Also erased ${erasedWord}`,
      text: 'names the candidate in To',
    });
    const other = await t.member({ emails: [`kept.${randomUUID().slice(0, 8)}@candidates.example`] });
    for (const [subject, tag] of [
      [`Thread ${threadWord}`, threadWord],
      [`Kept ${keptWord}`, keptWord],
    ] as const) {
      await box.deliver({
        from: { address: other.emails[0] },
        to: [{ address: box.recruiter.email }],
        subject,
        text: `body ${tag}`,
      });
    }
    await box.sync();
    const indexed = (tag: string) =>
      sql<{ n: number }>`select count(*)::int as n from message_search
        where org_id = ${box.orgId} and (words @@ to_tsquery('simple', ${tag}) or people @@ to_tsquery('simple', ${tag}))`
        .execute(db)
        .then((result) => result.rows[0]?.n);
    assert.equal(await indexed(erasedWord), 2);
    assert.equal((await search(box.recruiter.token, erasedWord)).hits.length, 2);
    assert.equal((await search(box.recruiter.token, candidate.address)).hits.length, 2);

    const erasure = await t.call(candidate.token, 'POST', '/api/me/erasure');
    assert.equal(erasure.statusCode, 200, erasure.body);
    assert.equal(await indexed(erasedWord), 0, 'the indexed words are gone');
    assert.deepEqual((await search(box.recruiter.token, erasedWord)).hits, []);
    assert.deepEqual((await search(box.recruiter.token, candidate.address)).hits, []);

    const threadId = await threadOf(box, `Thread ${threadWord}`);
    assert.equal(await indexed(threadWord), 1);
    assert.equal((await t.call(box.recruiter.token, 'DELETE', `/api/threads/${threadId}`)).statusCode, 200);
    assert.equal(await indexed(threadWord), 0);
    assert.deepEqual((await search(box.recruiter.token, threadWord)).hits, []);

    assert.equal((await search(box.recruiter.token, keptWord)).hits.length, 1, 'other mail is still found');
    const orphans = await sql<{ n: number }>`select count(*)::int as n from message_search s
      where not exists (select 1 from messages m where m.org_id = s.org_id and m.id = s.message_id)`.execute(
      db,
    );
    assert.equal(orphans.rows[0]?.n, 0);
  });

  it('R15: only the first 64 KiB of a body is indexed, so no message outgrows the index', async () => {
    const { box, deliver } = await team('long.example');
    const [early, late] = [word('early'), word('late')];
    const filler = 'lorem ipsum dolor sit amet '.repeat(3_000);
    await deliver(`Long ${word('long')}`, `${early} ${filler} ${late}`);
    await box.sync();
    assert.equal((await search(box.recruiter.token, early)).hits.length, 1);
    assert.deepEqual((await search(box.recruiter.token, late)).hits, [], 'words past 64 KiB are not indexed');
  });

  it('R15: a bad query, an unknown parameter or a foreign cursor answers 400; a query without words finds nothing', async () => {
    const { box, candidate } = await team('bad-input.example');
    const tooMany = Array.from({ length: 50 }, (_, index) => `w${index}`).join(' or ');
    const bad = [
      '',
      'q=',
      `q=${'a'.repeat(201)}`,
      'q=ok&unknown=1',
      'q=ok&limit=0',
      'q=ok&limit=101',
      'q=a%00b',
      `q=${encodeURIComponent(tooMany)}`,
      `q=${encodeURIComponent('-only -negations')}`,
      'q=ok&cursor=forged',
    ];
    for (const query of bad) {
      for (const url of [organizationUrl(query), memberUrl(candidate.id, query)]) {
        const answer = await t.call(box.recruiter.token, 'GET', url);
        assert.equal(answer.statusCode, 400, `${url}: ${answer.body}`);
        assert.equal(answer.json().error.code, 'validation_failed');
      }
    }
    for (const q of ['!!!', '"" ()', '-']) {
      assert.deepEqual((await search(box.recruiter.token, q)).hits, [], q);
    }
    assert.equal((await t.call(undefined, 'GET', organizationUrl('q=ok'))).statusCode, 401);
    assert.equal((await t.call(candidate.token, 'GET', organizationUrl('q=ok'))).statusCode, 403);
  });

  it('R15: SEARCH_LANGUAGE decides the words: english finds “interviews” by “interview”, simple only as written', async () => {
    const { box, candidate } = await team('language.example');
    const tag = word('lang');
    for (const language of ['simple', 'english']) {
      await db.transaction().execute((trx) =>
        storeMessages(
          trx,
          box.orgId,
          { id: box.connectionId, ownerUserId: box.recruiter.id },
          [
            {
              providerThreadId: `thread-${language}-${tag}`,
              providerMessageId: `message-${language}-${tag}`,
              rfcMessageId: null,
              inReplyTo: null,
              references: [],
              truncated: false,
              direction: 'received',
              from: { address: candidate.address },
              to: [{ address: box.recruiter.email }],
              cc: [],
              bcc: [],
              subject: `${language} ${tag}`,
              sentAt: null,
              receivedAt: new Date(),
              snippet: '',
              bodyText: 'Scheduling the interviews',
              bodyHtml: null,
              attachments: [],
              memberIds: [candidate.id],
            },
          ],
          language,
        ),
      );
    }
    const viewer = { orgId: box.orgId, userId: box.recruiter.id };
    const subjects = async (q: string, language: string) =>
      (await searchMessages(db, viewer, { q: `${tag} ${q}`, language, limit: 10 })).map((hit) => hit.subject);
    // Each message was indexed in its language; a query is read in the one it is given.
    assert.deepEqual(await subjects('interview', 'english'), [`english ${tag}`], 'english stems both sides');
    assert.deepEqual(await subjects('interviews', 'english'), [`english ${tag}`]);
    assert.deepEqual(await subjects('interviews', 'simple'), [`simple ${tag}`], 'simple matches as written');
    assert.equal((await subjects('interview', 'simple')).includes(`simple ${tag}`), false);
  });
});
