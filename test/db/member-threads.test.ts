/**
 * Migration 0014's `member_threads` is derived data kept by triggers: whatever sync, R13 deletion and
 * R16 erasure do, it must equal what it derives from (each member's threads through `message_members`,
 * with the thread's activity). A property runs random sequences of those writes and compares.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { eraseMemberMail, eraseThread } from '../../src/db/erasure.ts';
import { listMemberHistory } from '../../src/db/history.ts';
import { deleteMessages, type NewMessage, storeMessages } from '../../src/db/mail.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await providerTest();

type Step =
  | { kind: 'store'; thread: number; members: number[]; minute: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'eraseThread'; thread: number }
  | { kind: 'eraseMember'; member: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('store' as const),
      thread: fc.integer({ min: 0, max: 3 }),
      members: fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }),
      minute: fc.integer({ min: 0, max: 600 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('eraseThread' as const),
      thread: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('eraseMember' as const),
      member: fc.integer({ min: 0, max: 2 }),
    }),
  },
);

describe('R17: member_threads, kept by triggers, equals what it derives from', () => {
  it('R17: after any sequence of syncs, deletions and erasures, each member’s threads and their activity are exact', async () => {
    const box = await connectedMailbox(t, 'google', 'member-threads.example');
    const { db } = t.database;
    const connection = { id: box.connectionId, ownerUserId: box.recruiter.id };
    const viewer = { orgId: box.orgId, userId: box.recruiter.id };
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        run += 1;
        await db.deleteFrom('threads').where('org_id', '=', box.orgId).execute();
        const members: { id: string; address: string }[] = [];
        for (let index = 0; index < 3; index += 1) {
          const address = `mt${run}.${index}@candidates.example`;
          members.push({ id: (await t.member({ emails: [address] })).id, address });
        }
        const stored: string[] = [];
        for (const [n, s] of steps.entries()) {
          if (s.kind === 'store') {
            const involved = s.members.map((m) => members[m]).filter((m) => m !== undefined);
            const at = new Date(Date.UTC(2026, 0, 1, 0, s.minute));
            const message: NewMessage = {
              providerThreadId: `t${run}.${s.thread}`,
              providerMessageId: `m${run}.${n}`,
              rfcMessageId: null,
              inReplyTo: null,
              references: [],
              truncated: false,
              direction: 'received',
              from: { address: involved[0]?.address ?? 'x@candidates.example' },
              to: [{ address: box.recruiter.email }],
              cc: involved.slice(1).map((m) => ({ address: m.address })),
              bcc: [],
              subject: 's',
              sentAt: at,
              receivedAt: at,
              snippet: '',
              bodyText: '',
              bodyHtml: null,
              attachments: [],
              memberIds: involved.map((m) => m.id),
            };
            await db
              .transaction()
              .execute((trx) =>
                storeMessages(trx, box.orgId, connection, [message], t.context.searchLanguage),
              );
            stored.push(message.providerMessageId);
          } else if (s.kind === 'delete') {
            const id = stored.splice(s.pick % Math.max(stored.length, 1), 1)[0];
            if (id !== undefined) await deleteMessages(db, box.orgId, box.connectionId, [id]);
          } else if (s.kind === 'eraseThread') {
            const thread = await db
              .selectFrom('threads')
              .select('id')
              .where('org_id', '=', box.orgId)
              .where('provider_thread_id', '=', `t${run}.${s.thread}`)
              .executeTakeFirst();
            if (thread) await db.transaction().execute((trx) => eraseThread(trx, box.orgId, thread.id));
          } else {
            const member = members[s.member];
            assert.ok(member);
            const { n } = await db
              .selectFrom('message_members')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('org_id', '=', box.orgId)
              .where('member_id', '=', member.id)
              .executeTakeFirstOrThrow();
            // Two messages a statement, so an erasure of more takes several (R16 at any size).
            const erased = await db
              .transaction()
              .execute((trx) => eraseMemberMail(trx, box.orgId, member.id, [member.address], 2));
            assert.equal(erased.messages, Number(n));
          }
        }
        const { rows: kept } = await sql<{ member_id: string; thread_id: string; at: string }>`
          select member_id, thread_id, last_message_at::text as at from member_threads
          where org_id = ${box.orgId} order by 1, 2`.execute(db);
        const { rows: derived } = await sql<{ member_id: string; thread_id: string; at: string }>`
          select distinct mm.member_id, mm.thread_id, t.last_message_at::text as at
          from message_members mm join threads t on t.org_id = mm.org_id and t.id = mm.thread_id
          where mm.org_id = ${box.orgId} order by 1, 2`.execute(db);
        assert.deepEqual(kept, derived);
        // And the history reads it in activity order, one entry per thread.
        for (const member of members) {
          const history = await listMemberHistory(db, viewer, member.id, { limit: 50 });
          const expected = derived
            .filter((row) => row.member_id === member.id)
            .sort((a, b) => (a.at === b.at ? b.thread_id.localeCompare(a.thread_id) : a.at < b.at ? 1 : -1))
            .map((row) => row.thread_id);
          assert.deepEqual(
            history.map((entry) => entry.id),
            expected,
          );
        }
      }),
      { numRuns: 40 },
    );
  });
});
