import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Visibility } from '../../src/domain/visibility.ts';
import type { Person } from '../support/app.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox, type Mailbox } from '../support/sync.ts';

const t = await providerTest();

interface Entry {
  kind: 'inmail' | 'email';
  id: string;
  at: string;
  direction: 'sent' | 'received';
  owner: { id: string; name: string };
  visibility: Visibility;
  access: 'full' | 'metadata';
  participants: { name?: string; address?: string }[];
  messageCount: number;
  subject?: string;
  snippet?: string;
}

interface Team {
  box: Mailbox;
  colleague: Person;
  outsider: Person;
  candidate: { id: string; token: string; address: string };
  /** Delivers one mail from the candidate whose subject and text carry `tag`. */
  deliver(tag: string, extra?: Record<string, unknown>): Promise<{ id: string }>;
  /** Starts an InMail conversation with the candidate as `who`; answers its id. */
  inmail(who: Person, subject: string): Promise<string>;
}

async function team(domain: string): Promise<Team> {
  const box = await connectedMailbox(t, 'google', domain);
  const address = `ada.${randomUUID().slice(0, 8)}@candidates.example`;
  const member = await t.member({ emails: [address] });
  return {
    box,
    colleague: await t.user(box.orgId),
    outsider: (await t.organization()).recruiter,
    candidate: { id: member.id, token: member.token, address },
    deliver: (tag, extra = {}) =>
      box.deliver({
        from: { name: 'Ada Candidate', address },
        to: [{ address: box.recruiter.email }],
        subject: `subject-${tag}`,
        text: `body-${tag}`,
        ...extra,
      }),
    inmail: async (who, subject) => {
      const started = await t.call(who.token, 'POST', '/api/inmail/conversations', {
        memberId: member.id,
        subject,
        body: `inmail-${subject}`,
      });
      assert.equal(started.statusCode, 201, started.body);
      return started.json().id;
    },
  };
}

const historyUrl = (memberId: string, query = '') => `/api/members/${memberId}/history${query}`;

/** Every page of the member's history as `token` sees it, `limit` at a time; `between` runs after each page. */
async function readAll(
  token: string,
  memberId: string,
  limit: number,
  between: (page: number) => Promise<void> = async () => {},
): Promise<{ entries: Entry[]; bodies: string; pages: number }> {
  const entries: Entry[] = [];
  let bodies = '';
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await t.call(token, 'GET', historyUrl(memberId, query));
    assert.equal(response.statusCode, 200, response.body);
    bodies += response.body;
    const json: { entries: Entry[]; nextCursor: string | null } = response.json();
    entries.push(...json.entries);
    cursor = json.nextCursor;
    pages += 1;
    assert.ok(pages <= 50, 'the history ends');
    await between(pages);
  } while (cursor);
  return { entries, bodies, pages };
}

const key = (entry: { kind: string; id: string }) => `${entry.kind}:${entry.id}`;

async function threadOf(box: Mailbox, tag: string): Promise<string> {
  const found = (await box.threads()).find((thread) => thread.subject.endsWith(tag));
  assert.ok(found, `the owner sees the thread ${tag}`);
  return found.id;
}

describe('R17: a member’s communication history', () => {
  it('R17: a member’s history merges InMail and email, newest first, one entry per thread', async () => {
    const { box, colleague, candidate, deliver, inmail } = await team('merge.example');
    const first = await inmail(box.recruiter, 'first-inmail');
    const mail = await deliver('application');
    await box.sync();
    const second = await inmail(colleague, 'second-inmail');
    await deliver('reply', { subject: 'Re: subject-application', inReplyTo: mail.id });
    await box.send({
      to: [{ address: candidate.address }],
      subject: 'subject-outgoing',
      text: 'body-outgoing',
    });
    // Mail with someone else is not this member's history.
    await box.deliver({
      from: { address: `other.${randomUUID().slice(0, 8)}@candidates.example` },
      to: [{ address: box.recruiter.email }],
      subject: 'subject-not-ours',
      text: 'body-not-ours',
    });
    await box.sync();
    const answered = await t.call(candidate.token, 'POST', `/api/inmail/conversations/${first}/messages`, {
      body: 'Yes, let us talk',
    });
    assert.equal(answered.statusCode, 201, answered.body);

    const { entries, bodies } = await readAll(box.recruiter.token, candidate.id, 100);
    const application = await threadOf(box, 'application');
    const outgoing = await threadOf(box, 'outgoing');
    assert.deepEqual(entries.map(key), [
      `inmail:${first}`,
      `email:${outgoing}`,
      `email:${application}`,
      `inmail:${second}`,
    ]);
    const times = entries.map((entry) => Date.parse(entry.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest activity first',
    );
    const [answeredInmail, sent, thread, started] = entries;
    assert.equal(answeredInmail?.direction, 'received', 'the member answered last');
    assert.equal(answeredInmail?.messageCount, 2);
    assert.equal(answeredInmail?.snippet, 'Yes, let us talk');
    assert.equal(answeredInmail?.owner.id, box.recruiter.id);
    assert.equal(sent?.direction, 'sent', 'the recruiter wrote last');
    assert.equal(sent?.subject, 'subject-outgoing');
    assert.equal(thread?.messageCount, 2, 'the reply is grouped with its thread');
    assert.equal(thread?.direction, 'received');
    assert.equal(thread?.subject, 'subject-application');
    assert.match(thread?.snippet ?? '', /body-reply/, "the snippet is the latest message's");
    assert.deepEqual(
      thread?.participants.map((participant) => participant.address).sort(),
      [candidate.address, box.recruiter.email].sort(),
    );
    assert.equal(started?.owner.id, colleague.id, "a colleague's InMail is in the organization's history");
    assert.equal(started?.direction, 'sent');
    assert.equal(started?.visibility, 'organization');
    assert.doesNotMatch(bodies, /not-ours/);
  });

  it('R17: pages have no gaps or repeats while new messages arrive between them', async () => {
    const { box, colleague, candidate, deliver, inmail } = await team('pages.example');
    const mails = new Map<string, string>();
    for (const tag of ['a', 'b', 'c']) mails.set(`subject-${tag}`, (await deliver(tag)).id);
    await box.sync();
    const conversations: string[] = [];
    for (const subject of ['p', 'q', 'r', 's']) conversations.push(await inmail(colleague, subject));
    const threads = await Promise.all(['a', 'b', 'c'].map((tag) => threadOf(box, tag)));
    // Two entries of each kind share one instant, so only the (time, id) order keeps the pages apart.
    await t.database.db
      .updateTable('threads')
      .set({ last_message_at: new Date('2026-01-01T00:00:00.123456Z') })
      .where('id', 'in', threads.slice(0, 2))
      .execute();
    await t.database.db
      .updateTable('inmail_conversations')
      .set({ last_message_at: new Date('2026-01-01T00:00:00.123456Z') })
      .where('id', 'in', conversations.slice(0, 2))
      .execute();
    const before = await readAll(box.recruiter.token, candidate.id, 100);
    assert.equal(before.entries.length, 7);

    const added: string[] = [];
    const read = await readAll(box.recruiter.token, candidate.id, 2, async (page) => {
      // Between pages: a new conversation, an answer in one already read, a reply in a thread already read.
      added.push(await inmail(box.recruiter, `new-${page}`));
      const seen = before.entries[page * 2 - 1];
      if (!seen) return;
      if (seen.kind === 'inmail') {
        await t.call(candidate.token, 'POST', `/api/inmail/conversations/${seen.id}/messages`, {
          body: 'again',
        });
      } else {
        await deliver(`late-${page}`, {
          subject: `Re: ${seen.subject}`,
          inReplyTo: mails.get(seen.subject ?? ''),
        });
        await box.sync();
      }
    });
    const keys = read.entries.map(key);
    assert.equal(new Set(keys).size, keys.length, 'no entry is repeated');
    assert.deepEqual(
      keys,
      before.entries.map(key),
      'every entry is read once, in order, and none added meanwhile',
    );
    assert.equal(read.pages, 4);
    const fresh = await readAll(box.recruiter.token, candidate.id, 100);
    for (const id of added)
      assert.ok(
        fresh.entries.some((entry) => entry.id === id),
        'a new read shows the new',
      );
  });

  it('R17: a cursor is refused by another viewer and on another route', async () => {
    const { box, colleague, candidate, inmail } = await team('cursor.example');
    for (const subject of ['one', 'two']) await inmail(box.recruiter, subject);
    const page = (await t.call(box.recruiter.token, 'GET', historyUrl(candidate.id, '?limit=1'))).json();
    assert.ok(page.nextCursor);
    const cursor = encodeURIComponent(page.nextCursor);
    const foreign = await t.call(colleague.token, 'GET', historyUrl(candidate.id, `?cursor=${cursor}`));
    assert.equal(foreign.statusCode, 400);
    const elsewhere = await t.call(box.recruiter.token, 'GET', `/api/threads?cursor=${cursor}`);
    assert.equal(elsewhere.statusCode, 400);
  });
});

describe('R15 in the history', () => {
  it('R15: each level shows the owner everything, colleagues what it allows, another organization nothing', async () => {
    const { box, colleague, outsider, candidate, deliver, inmail } = await team('history-levels.example');
    const levels: Visibility[] = ['private', 'metadata', 'organization'];
    for (const level of levels) await deliver(level);
    await box.sync();
    const ids = new Map<Visibility, string>();
    for (const level of levels) {
      const id = await threadOf(box, level);
      ids.set(level, id);
      const set = await t.call(box.recruiter.token, 'PUT', `/api/threads/${id}/visibility`, {
        visibility: level,
      });
      assert.equal(set.statusCode, 200, set.body);
    }
    const conversation = await inmail(box.recruiter, 'inmail-of-the-org');

    const seen = async (who: Person) => {
      const { entries, bodies } = await readAll(who.token, candidate.id, 100);
      return { byId: new Map(entries.map((entry) => [entry.id, entry])), bodies };
    };
    const owner = await seen(box.recruiter);
    for (const level of levels) {
      const entry = owner.byId.get(ids.get(level) ?? '');
      assert.equal(entry?.access, 'full', `the owner reads the ${level} thread`);
      assert.equal(entry?.subject, `subject-${level}`);
      assert.match(entry?.snippet ?? '', new RegExp(`body-${level}`));
      assert.equal(entry?.visibility, level);
    }
    assert.equal(owner.byId.size, 4);

    for (const person of [colleague, box.admin]) {
      const view = await seen(person);
      assert.equal(view.byId.has(ids.get('private') ?? ''), false, 'a private thread is not listed');
      assert.doesNotMatch(view.bodies, /subject-private|body-private/);
      const metadata = view.byId.get(ids.get('metadata') ?? '');
      assert.equal(metadata?.access, 'metadata');
      assert.equal('subject' in (metadata ?? {}), false, 'no subject for a metadata thread');
      assert.equal('snippet' in (metadata ?? {}), false, 'no snippet for a metadata thread');
      assert.equal(metadata?.owner.id, box.recruiter.id, 'its owner is shown');
      assert.equal(metadata?.messageCount, 1);
      assert.deepEqual(
        metadata?.participants.map((participant) => participant.address).sort(),
        [candidate.address, box.recruiter.email].sort(),
      );
      assert.doesNotMatch(view.bodies, /subject-metadata|body-metadata/);
      const shared = view.byId.get(ids.get('organization') ?? '');
      assert.equal(shared?.access, 'full');
      assert.equal(shared?.subject, 'subject-organization');
      assert.equal(view.byId.get(conversation)?.subject, 'inmail-of-the-org');
      assert.equal(view.byId.size, 3);
    }

    const other = await seen(outsider);
    assert.equal(other.byId.size, 0, 'another organization sees none of these threads nor the InMail');
    assert.doesNotMatch(other.bodies, /subject-|body-|inmail-/);
  });

  it('R15: a member hidden from discovery answers 404 like an unknown one', async () => {
    const { box, candidate, deliver, inmail } = await team('hidden.example');
    await deliver('before-hiding');
    await box.sync();
    await inmail(box.recruiter, 'before-hiding');
    const hide = await t.call(candidate.token, 'PATCH', '/api/me', { discoverability: 'nobody' });
    assert.equal(hide.statusCode, 200, hide.body);
    const hidden = await t.call(box.recruiter.token, 'GET', historyUrl(candidate.id));
    const unknown = await t.call(box.recruiter.token, 'GET', historyUrl(randomUUID()));
    assert.equal(hidden.statusCode, 404);
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(hidden.json(), unknown.json());
  });
});

describe('R17: unknown query parameters', () => {
  it('R17: an unknown query parameter is refused with 400 on the history and on the thread list', async () => {
    const { box, candidate } = await team('params.example');
    for (const url of [
      historyUrl(candidate.id, '?memberId=x'),
      historyUrl(candidate.id, '?limit=10&unread=1'),
      `/api/threads?memberId=${candidate.id}`,
      '/api/threads?limit=10&q=hello',
    ]) {
      const response = await t.call(box.recruiter.token, 'GET', url);
      assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
      assert.equal(response.json().error.code, 'validation_failed', url);
    }
    const tooMany = await t.call(box.recruiter.token, 'GET', historyUrl(candidate.id, '?limit=101'));
    assert.equal(tooMany.statusCode, 400, 'at most 100 a page');
  });
});
