/**
 * `storeMessages` writes a page's messages set-based, a statement per table, and falls back to one
 * message at a time under savepoints when PostgreSQL refuses a value. A property: whatever the page
 * (threads spanning it, repeated ids, messages already stored, a value refused), storing it in one call
 * leaves exactly what storing its messages one call each leaves: threads, messages, member links, search
 * rows, `member_threads`, the skip decisions removed, the counts and the refused ids.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { type NewMessage, recordDecisions, storeMessages } from '../../src/db/mail.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await providerTest();

interface Spec {
  thread: number;
  id: number;
  minute: number;
  members: number[];
  refused: boolean;
}

const spec: fc.Arbitrary<Spec> = fc.record({
  thread: fc.integer({ min: 0, max: 3 }),
  id: fc.integer({ min: 0, max: 8 }),
  minute: fc.integer({ min: 0, max: 600 }),
  members: fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { maxLength: 3 }),
  refused: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

describe('storeMessages: a page at once equals its messages one by one', () => {
  it('R10, R17, R19: threads, messages, links, search rows, member_threads and decisions are the same either way', async () => {
    const box = await connectedMailbox(t, 'google', 'store-messages.example');
    const { db } = t.database;
    const connection = { id: box.connectionId, ownerUserId: box.recruiter.id };
    const members: { id: string; address: string }[] = [];
    for (let index = 0; index < 3; index += 1) {
      const address = `sm${index}@candidates.example`;
      members.push({ id: (await t.member({ emails: [address] })).id, address });
    }
    // An id too long for the btree index on rfc_message_id: PostgreSQL refuses the row (SQLSTATE 54000).
    const tooLong = `<${randomBytes(6000).toString('base64url')}@x.example>`;
    const message = (s: Spec, n: number): NewMessage => {
      const involved = s.members.map((m) => members[m]).filter((m) => m !== undefined);
      const at = new Date(Date.UTC(2026, 0, 1, 0, s.minute));
      return {
        providerThreadId: `t${s.thread}`,
        providerMessageId: `m${s.id}`,
        rfcMessageId: s.refused ? tooLong : `<m${s.id}.${n}@x.example>`,
        inReplyTo: null,
        references: [],
        truncated: false,
        direction: 'received',
        from: { address: involved[0]?.address ?? 'x@candidates.example', name: `Sender ${n}` },
        to: [{ address: box.recruiter.email }],
        cc: involved.slice(1).map((m) => ({ address: m.address })),
        bcc: [],
        subject: `subject ${n}`,
        sentAt: at,
        receivedAt: at,
        snippet: `words of ${n}`,
        bodyText: `words of message ${n} about an interview`,
        bodyHtml: null,
        attachments: [],
        memberIds: involved.map((m) => m.id),
      };
    };
    const snapshot = async () => {
      const { rows } = await sql<Record<string, unknown>>`select
        (select json_agg(json_build_array(provider_thread_id, subject, last_message_at, visibility) order by provider_thread_id)
           from threads where org_id = ${box.orgId}) as threads,
        (select json_agg(json_build_array(m.provider_message_id, t.provider_thread_id, m.subject, m.rfc_message_id, m.from_address) order by m.provider_message_id)
           from messages m join threads t on t.org_id = m.org_id and t.id = m.thread_id where m.org_id = ${box.orgId}) as messages,
        (select json_agg(json_build_array(m.provider_message_id, mm.member_id, t.provider_thread_id) order by m.provider_message_id, mm.member_id)
           from message_members mm join messages m on m.org_id = mm.org_id and m.id = mm.message_id
           join threads t on t.org_id = mm.org_id and t.id = mm.thread_id where mm.org_id = ${box.orgId}) as links,
        (select json_agg(json_build_array(m.provider_message_id, s.words, s.people, (select array_agg(x order by x) from unnest(s.member_ids) x), s.received_at) order by m.provider_message_id)
           from message_search s join messages m on m.org_id = s.org_id and m.id = s.message_id where s.org_id = ${box.orgId}) as search,
        (select json_agg(json_build_array(t.provider_thread_id, mt.member_id, mt.last_message_at) order by t.provider_thread_id, mt.member_id)
           from member_threads mt join threads t on t.org_id = mt.org_id and t.id = mt.thread_id where mt.org_id = ${box.orgId}) as member_threads,
        (select json_agg(provider_message_id order by provider_message_id)
           from sync_decisions where org_id = ${box.orgId}) as decisions`.execute(db);
      return rows[0];
    };
    const reset = async (before: Spec[]) => {
      await db.deleteFrom('threads').where('org_id', '=', box.orgId).execute();
      await db.deleteFrom('sync_decisions').where('org_id', '=', box.orgId).execute();
      // Some ids were decided against before (R19), and a few messages are stored already.
      await recordDecisions(
        db,
        box.orgId,
        box.connectionId,
        [0, 2, 4, 6].map((n) => ({ providerMessageId: `m${n}`, rfcMessageIdHash: null, rule: 'no_member' })),
      );
      await db
        .transaction()
        .execute((trx) =>
          storeMessages(trx, box.orgId, connection, before.map(message), t.context.searchLanguage),
        );
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(spec, { maxLength: 2 }),
        fc.array(spec, { minLength: 1, maxLength: 12 }),
        async (before, page) => {
          const messages = page.map((s, n) => message(s, n + 100));
          await reset(before);
          const oneByOne = { stored: 0, refused: [] as string[] };
          for (const m of messages) {
            const result = await db
              .transaction()
              .execute((trx) => storeMessages(trx, box.orgId, connection, [m], t.context.searchLanguage));
            oneByOne.stored += result.stored;
            oneByOne.refused.push(...result.refused);
          }
          const expected = await snapshot();
          await reset(before);
          const atOnce = await db
            .transaction()
            .execute((trx) => storeMessages(trx, box.orgId, connection, messages, t.context.searchLanguage));
          assert.deepEqual(atOnce, oneByOne);
          assert.deepEqual(await snapshot(), expected);
        },
      ),
      { numRuns: 30 },
    );
  });
});
