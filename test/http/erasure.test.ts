import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { findConnection } from '../../src/db/connections.ts';
import { findSyncState } from '../../src/db/sync-state.ts';
import type { Provider } from '../../src/providers/types.ts';
import { accessToken } from '../../src/services/grants.ts';
import { commitPage } from '../../src/sync/commit.ts';
import { matchMailboxOf } from '../../src/sync/decide.ts';
import { planPage } from '../../src/sync/ingest.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox, type Mailbox } from '../support/sync.ts';

const t = await providerTest();
const { db } = t.database;

const unique = () => randomUUID().slice(0, 8);

/** A candidate mail into `box` whose subject, text and attachment all carry `tag`. */
const mailFrom = (box: Mailbox, address: string, tag: string, extra: Record<string, unknown> = {}) =>
  box.deliver({
    from: { name: 'Ada Candidate', address },
    to: [{ address: box.recruiter.email }],
    subject: `subject-${tag}`,
    text: `body-${tag}`,
    attachments: [
      {
        filename: `file-${tag}.pdf`,
        contentType: 'application/pdf',
        contentBase64: Buffer.from(`pdf-${tag}`).toString('base64'),
      },
    ],
    ...extra,
  });

/** Every stored row that names `needle` anywhere: messages, search data, threads, R19 rows, links, audit, erasures. */
async function rowsNaming(needle: string): Promise<string[]> {
  const pattern = `%${needle.toLowerCase()}%`;
  const { rows } = await sql<{ kind: string }>`
    select 'message' as kind from messages m where lower(m::text) like ${pattern}
    union all select 'search' from message_search ms where lower(ms::text) like ${pattern}
    union all select 'thread' from threads th where lower(th::text) like ${pattern}
    union all select 'audit' from audit_events a where lower(a::text) like ${pattern}
    union all select 'erasure' from erasures e where lower(e::text) like ${pattern}
    union all select 'suppression' from suppressions s where lower(s::text) like ${pattern}
  `.execute(db);
  return rows.map((row) => row.kind);
}

const messagesOf = async (connectionId: string) =>
  db
    .selectFrom('messages')
    .select(['id', 'provider_message_id', 'subject'])
    .where('connection_id', '=', connectionId)
    .execute();

async function linksOf(memberId: string): Promise<number> {
  const row = await db
    .selectFrom('message_members')
    .select(sql<string>`count(*)`.as('n'))
    .where('member_id', '=', memberId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function why(box: Mailbox, providerMessageId: string): Promise<string | undefined> {
  const answer = await t.call(
    box.recruiter.token,
    'GET',
    `/api/sync/why?providerMessageId=${encodeURIComponent(providerMessageId)}`,
  );
  return answer.json().rule;
}

describe('R16: erasure', () => {
  it('R16: an owner erases a thread (403 for a colleague, 404 for another organization), audited without content, and no re-sync brings it back', async () => {
    const box = await connectedMailbox(t, 'google', `thread-${unique()}.example`);
    const candidate = `ada.${unique()}@candidates.example`;
    const member = await t.member({ emails: [candidate] });
    const tag = `erase-thread-${unique()}`;
    const first = await mailFrom(box, candidate, tag);
    const reply = await mailFrom(box, candidate, `${tag}-reply`, {
      subject: `Re: subject-${tag}`,
      inReplyTo: first.id,
    });
    const kept = await mailFrom(box, candidate, `kept-${unique()}`);
    await box.sync();
    const thread = (await box.threads()).find((entry) => entry.subject.endsWith(`subject-${tag}`));
    assert.ok(thread, 'the thread synced');
    assert.equal(thread.messageCount, 2);
    const shared = await t.call(box.recruiter.token, 'PUT', `/api/threads/${thread.id}/visibility`, {
      visibility: 'organization',
    });
    assert.equal(shared.statusCode, 200);

    const colleague = await t.user(box.orgId);
    assert.equal((await t.call(colleague.token, 'DELETE', `/api/threads/${thread.id}`)).statusCode, 403);
    assert.equal((await t.call(box.admin.token, 'DELETE', `/api/threads/${thread.id}`)).statusCode, 403);
    const outsider = (await t.organization()).recruiter;
    assert.equal((await t.call(outsider.token, 'DELETE', `/api/threads/${thread.id}`)).statusCode, 404);
    assert.equal(
      (await t.call(box.recruiter.token, 'DELETE', `/api/threads/${randomUUID()}`)).statusCode,
      404,
    );

    const erased = await t.call(box.recruiter.token, 'DELETE', `/api/threads/${thread.id}`);
    assert.equal(erased.statusCode, 200, erased.body);
    assert.equal(erased.json().messages, 2);
    assert.equal(erased.json().backupsAgeOutWithinDays, 30);
    assert.equal((await t.call(box.recruiter.token, 'GET', `/api/threads/${thread.id}`)).statusCode, 404);
    assert.deepEqual(await rowsNaming(tag), [], 'nothing of the thread is left, in any table');
    assert.deepEqual(
      (await messagesOf(box.connectionId)).map((row) => row.provider_message_id),
      [kept.id],
    );
    assert.equal(await linksOf(member.id), 1, 'only the kept message is linked to the candidate');
    const audit = await db
      .selectFrom('audit_events')
      .select(['action', 'details', 'actor_user_id'])
      .where('org_id', '=', box.orgId)
      .where('action', '=', 'thread_erased')
      .execute();
    assert.deepEqual(audit, [
      {
        action: 'thread_erased',
        actor_user_id: box.recruiter.id,
        details: { threadId: thread.id, messages: 2 },
      },
    ]);

    // R13 re-sync: a restore from Trash, and mail that moves, report the ids again; they stay erased.
    await box.act(first.id, 'trash');
    await box.act(first.id, 'restore');
    await box.act(reply.id, 'archive');
    await box.sync();
    assert.deepEqual(
      (await messagesOf(box.connectionId)).map((row) => row.provider_message_id),
      [kept.id],
    );
    assert.equal((await t.call(box.recruiter.token, 'DELETE', `/api/threads/${thread.id}`)).statusCode, 404);
  });

  it('R16: a member erases their mail across two organizations, on both providers, and nobody else’s', async () => {
    const gmail = await connectedMailbox(t, 'google', `two-g-${unique()}.example`);
    const graph = await connectedMailbox(t, 'microsoft', `two-m-${unique()}.example`);
    const personal = `Ada.${unique()}@Candidates.example`;
    const work = `ada.work.${unique()}@work.example`;
    const member = await t.member({ emails: [personal, work] });
    const other = `bo.${unique()}@candidates.example`;
    await t.member({ emails: [other] });
    const tag = `member-${unique()}`;
    await mailFrom(gmail, personal, `${tag}-g1`);
    await mailFrom(gmail, work, `${tag}-g2`);
    await mailFrom(graph, personal.toLowerCase(), `${tag}-m1`);
    // A message naming both candidates is the erased member's mail too: it goes, both links with it.
    await mailFrom(graph, other, `${tag}-m2`, { cc: [{ address: work }] });
    const othersTag = `others-${unique()}`;
    await mailFrom(gmail, other, othersTag);
    await mailFrom(graph, other, othersTag);
    await gmail.sync();
    await graph.sync();
    assert.equal((await messagesOf(gmail.connectionId)).length, 3);
    assert.equal((await messagesOf(graph.connectionId)).length, 3);
    assert.equal(await linksOf(member.id), 4);

    const answer = await t.call(member.token, 'POST', '/api/me/erasure');
    assert.equal(answer.statusCode, 200, answer.body);
    const body = answer.json();
    assert.equal(body.messages, 4);
    assert.equal(body.threads, 4);
    assert.equal(body.organizations, 2);
    assert.equal(body.suppressed, 2);
    assert.equal(body.backupsAgeOutWithinDays, 30);
    assert.match(body.erased, /content, headers/);

    assert.deepEqual(await rowsNaming(tag), []);
    assert.deepEqual(await rowsNaming(personal), []);
    assert.deepEqual(await rowsNaming(work), []);
    assert.equal(await linksOf(member.id), 0);
    for (const box of [gmail, graph]) {
      assert.deepEqual(
        (await messagesOf(box.connectionId)).map((row) => row.subject),
        [`subject-${othersTag}`],
        `${box.provider}: the other candidate's own mail stays`,
      );
      assert.deepEqual(
        (await box.threads()).map((thread) => thread.subject),
        [`subject-${othersTag}`],
      );
    }
    // The answer is for members and the operator only.
    assert.equal((await t.call(gmail.recruiter.token, 'POST', '/api/me/erasure')).statusCode, 403);
    assert.equal(
      (await t.call(gmail.admin.token, 'POST', `/api/members/${member.id}/erasure`)).statusCode,
      403,
    );
  });

  for (const provider of ['google', 'microsoft'] as const satisfies Provider[]) {
    it(`R16: on ${provider}, an erased member's mail is not synced again until they consent again, then only newer mail is`, async () => {
      const box = await connectedMailbox(t, provider, `consent-${provider}-${unique()}.example`);
      const candidate = `ada.${unique()}@candidates.example`;
      const member = await t.member({ emails: [candidate] });
      const other = `bo.${unique()}@candidates.example`;
      await t.member({ emails: [other] });
      await mailFrom(box, candidate, `before-${unique()}`);
      await box.sync();
      assert.equal((await t.call(member.token, 'POST', '/api/me/erasure')).json().messages, 1);

      await t.sandbox.control.post('/clock', { advanceMs: 2_000 });
      const after = await mailFrom(box, candidate, `after-${unique()}`);
      // Beside a member who would match, the erased member still keeps the message out.
      const both = await mailFrom(box, other, `both-${unique()}`, { cc: [{ address: candidate }] });
      await box.sync();
      assert.deepEqual(await messagesOf(box.connectionId), []);
      assert.equal(await why(box, after.id), 'no_member', 'R19 tells an erased member like no member');
      assert.equal(await why(box, both.id), 'no_member');

      // Staying `anyone` is no new consent; setting it again after the erasure is.
      await t.call(member.token, 'PATCH', '/api/me', { discoverability: 'anyone' });
      const still = await mailFrom(box, candidate, `still-${unique()}`);
      await box.sync();
      assert.deepEqual(await messagesOf(box.connectionId), []);
      assert.equal(await why(box, still.id), 'no_member');

      await t.call(member.token, 'PATCH', '/api/me', { discoverability: 'nobody' });
      const consented = await t.call(member.token, 'PATCH', '/api/me', { discoverability: 'anyone' });
      assert.equal(consented.statusCode, 200);
      await t.sandbox.control.post('/clock', { advanceMs: 2_000 });
      const tag = `renewed-${unique()}`;
      await mailFrom(box, candidate, tag);
      await box.sync();
      assert.deepEqual(
        (await messagesOf(box.connectionId)).map((row) => row.subject),
        [`subject-${tag}`],
      );
      assert.equal(await linksOf(member.id), 1);
    });
  }

  it('R16: the erasure record and the audit hold counts and ids, never content or a clear address', async () => {
    const box = await connectedMailbox(t, 'microsoft', `record-${unique()}.example`);
    const candidate = `ada.${unique()}@candidates.example`;
    const member = await t.member({ emails: [candidate] });
    const tag = `record-${unique()}`;
    const name = `Ada ${unique()}`;
    await mailFrom(box, candidate, tag, { from: { name, address: candidate } });
    await box.sync();
    const operator = await t.operator();
    const answer = await t.call(operator, 'POST', `/api/members/${member.id}/erasure`);
    assert.equal(answer.statusCode, 200, answer.body);
    const { erasureId } = answer.json();

    const record = await db
      .selectFrom('erasures')
      .select(['requested_by', 'member_id', 'org_ids', 'messages', 'threads'])
      .where('id', '=', erasureId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(record, {
      requested_by: 'operator',
      member_id: member.id,
      org_ids: [box.orgId],
      messages: 1,
      threads: 1,
    });
    const audit = await db
      .selectFrom('audit_events')
      .select(['actor_user_id', 'details'])
      .where('org_id', '=', box.orgId)
      .where('action', '=', 'member_mail_erased')
      .execute();
    assert.deepEqual(audit, [{ actor_user_id: null, details: { erasureId, messages: 1, threads: 1 } }]);
    for (const needle of [tag, candidate, candidate.split('@')[0] as string, name]) {
      assert.deepEqual(await rowsNaming(needle), [], `no row holds ${needle}`);
    }
    const suppressed = await db
      .selectFrom('suppressions')
      .select(sql<number>`length(address_hash)`.as('bytes'))
      .execute();
    assert.ok(suppressed.length > 0 && suppressed.every((row) => row.bytes === 32), 'HMAC-SHA256 only');
  });

  it('R16: a sync page read before an erasure and committed after it leaves none of the member’s mail behind', async () => {
    const box = await connectedMailbox(t, 'google', `race-${unique()}.example`);
    const candidate = `ada.${unique()}@candidates.example`;
    const member = await t.member({ emails: [candidate] });
    await box.sync();
    const tag = `race-${unique()}`;
    await mailFrom(box, candidate, tag);

    // The engine's own steps, with the erasure between the page's plan and its commit.
    const connection = await findConnection(db, box.orgId, box.connectionId);
    assert.ok(connection);
    const mailbox = await matchMailboxOf(db, connection);
    const mail = t.context.providers.google?.mail;
    assert.ok(mail);
    const token = await accessToken(t.context, box.orgId, box.connectionId);
    const cursor = (await findSyncState(db, box.orgId, box.connectionId))?.cursor;
    assert.ok(cursor);
    const page = await mail.changes(token, cursor);
    const plan = await planPage(
      {
        db,
        vault: t.context.vault,
        orgId: box.orgId,
        connectionId: box.connectionId,
        mailbox,
        mail,
        reader: t.context.reader,
        accessToken: token,
      },
      page,
    );
    assert.equal(plan.messages.length, 1, 'the page was decided before the erasure: the mail matches');

    const erased = await t.call(member.token, 'POST', '/api/me/erasure');
    assert.equal(erased.json().messages, 0, 'nothing was stored yet');
    const committed = await commitPage(t.context, connection, mailbox, cursor, page, plan);
    assert.deepEqual(committed, { stored: 0, deleted: 0, refused: 0 });
    assert.deepEqual(await rowsNaming(tag), []);
    assert.equal(await linksOf(member.id), 0);
    await box.sync();
    assert.deepEqual(await messagesOf(box.connectionId), []);
  });

  it('R16: a second erasure, and two at once, end in the same state and count nothing twice', async () => {
    const box = await connectedMailbox(t, 'google', `twice-${unique()}.example`);
    const candidate = `ada.${unique()}@candidates.example`;
    const member = await t.member({ emails: [candidate] });
    await mailFrom(box, candidate, `one-${unique()}`);
    await mailFrom(box, candidate, `two-${unique()}`);
    await box.sync();
    const operator = await t.operator();
    const [a, b] = await Promise.all([
      t.call(member.token, 'POST', '/api/me/erasure'),
      t.call(operator, 'POST', `/api/members/${member.id}/erasure`),
    ]);
    assert.equal(a.statusCode, 200, a.body);
    assert.equal(b.statusCode, 200, b.body);
    assert.equal(a.json().messages + b.json().messages, 2, 'each message erased once');
    const again = await t.call(member.token, 'POST', '/api/me/erasure');
    assert.equal(again.statusCode, 200);
    assert.deepEqual(
      {
        messages: again.json().messages,
        threads: again.json().threads,
        organizations: again.json().organizations,
      },
      { messages: 0, threads: 0, organizations: 0 },
    );
    assert.deepEqual(await messagesOf(box.connectionId), []);
    const records = await db
      .selectFrom('erasures')
      .select(['messages'])
      .where('member_id', '=', member.id)
      .execute();
    assert.equal(records.length, 3);
    assert.equal(
      records.reduce((sum, row) => sum + row.messages, 0),
      2,
    );
    const suppressions = await db.selectFrom('suppressions').select('address_hash').execute();
    const distinct = new Set(suppressions.map((row) => row.address_hash.toString('hex')));
    assert.equal(distinct.size, suppressions.length, 'one suppression per address, however many runs');
    assert.equal((await t.call(operator, 'POST', `/api/members/${randomUUID()}/erasure`)).statusCode, 404);
  });
});
