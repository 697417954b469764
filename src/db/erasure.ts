/**
 * R16: erasing synced mail, completely and without keeping content. Deleting a message takes its member
 * links and search data (cascade), its snippet, body, headers and attachment metadata (columns of its
 * row) and R19's row for the same provider id; a thread left without messages goes too. `erasures` and `erased_messages`
 * keep counts, ids and hashes only.
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';

interface Erased {
  messages: number;
  threads: number;
}

/** The organizations holding synced mail that involves the member: linked to them, or naming one of `addresses`. */
export async function organizationsWithMailOf(
  db: Database,
  memberId: string,
  addresses: readonly string[],
): Promise<string[]> {
  const { rows } = await sql<{ org_id: string }>`
    select distinct i.org_id from ${involvedMessages(memberId, addresses)} i`.execute(db);
  return rows.map((row) => row.org_id);
}

/**
 * Messages deleted per statement by a member's erasure: each statement stays far below the statement
 * timeout however much mail the member has (7,500 messages in one statement ran into it on the history
 * benchmark), while the caller's transaction still makes the organization's erasure all or nothing.
 */
export const ERASURE_CHUNK = 1000;

/** Erases, in one organization, every message involving the member, and threads left empty. */
export async function eraseMemberMail(
  db: Database,
  orgId: string,
  memberId: string,
  addresses: readonly string[],
  chunk = ERASURE_CHUNK,
): Promise<Erased> {
  const erased: Erased = { messages: 0, threads: 0 };
  for (;;) {
    const deleted = await db
      .deleteFrom('messages as m')
      .where('m.org_id', '=', orgId)
      .where(
        sql<boolean>`m.id in (select i.id from ${involvedMessages(memberId, addresses, orgId)} i limit ${chunk})`,
      )
      .returning(['m.thread_id', 'm.connection_id', 'm.provider_message_id'])
      .execute();
    const done = await afterDeletion(db, orgId, deleted);
    erased.messages += done.messages;
    erased.threads += done.threads;
    if (deleted.length < chunk) return erased;
  }
}

/** Erases one thread with its messages; their provider ids are tombstoned so that no re-sync restores them. */
export async function eraseThread(db: Database, orgId: string, threadId: string): Promise<Erased> {
  const deleted = await db
    .deleteFrom('messages')
    .where('org_id', '=', orgId)
    .where('thread_id', '=', threadId)
    .returning(['thread_id', 'connection_id', 'provider_message_id'])
    .execute();
  if (deleted.length > 0) {
    await db
      .insertInto('erased_messages')
      .values(
        deleted.map((row) => ({
          org_id: orgId,
          connection_id: row.connection_id,
          provider_message_hash: sql<Buffer>`sha256(convert_to(${row.provider_message_id}, 'UTF8'))`,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  const erased = await afterDeletion(db, orgId, deleted);
  // A thread with no messages left (all deleted in the mailbox meanwhile) goes too.
  const thread = await db
    .deleteFrom('threads')
    .where('org_id', '=', orgId)
    .where('id', '=', threadId)
    .executeTakeFirst();
  return { messages: erased.messages, threads: Math.max(erased.threads, Number(thread.numDeletedRows)) };
}

/** Which of these provider ids of a connection an owner erased (R16 tombstones). */
export async function erasedIds(
  db: Database,
  orgId: string,
  connectionId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await sql<{ id: string }>`
    select i.id from unnest(${ids}::text[]) i(id)
    where exists (
      select 1 from erased_messages e
      where e.org_id = ${orgId} and e.connection_id = ${connectionId}
        and e.provider_message_hash = sha256(convert_to(i.id, 'UTF8')))
  `.execute(db);
  return new Set(rows.rows.map((row) => row.id));
}

/** Records an erasure: who asked, for whom, where, and how much; never content. */
export async function insertErasure(
  db: Database,
  erasure: {
    id: string;
    requestedBy: 'member' | 'operator';
    memberId: string;
    orgIds: string[];
    messages: number;
    threads: number;
  },
): Promise<{ id: string; at: Date }> {
  return db
    .insertInto('erasures')
    .values({
      id: erasure.id,
      requested_by: erasure.requestedBy,
      member_id: erasure.memberId,
      org_ids: erasure.orgIds,
      messages: erasure.messages,
      threads: erasure.threads,
    })
    .returning(['id', 'at'])
    .executeTakeFirstOrThrow();
}

/**
 * The messages involving the member, as `(org_id, id)` rows: linked to them (R10's links), or naming one of
 * the addresses in any header. The one scope of a member's erasure and of their export (`db/exports.ts`),
 * which must be exactly the same. Each half goes through its own index (the member's links of migration
 * 0011; the addresses' GIN), never a scan of the mail; `orgId` narrows it to one organization.
 */
export function involvedMessages(memberId: string, addresses: readonly string[], orgId?: string) {
  const inOrg = (column: string) =>
    orgId === undefined ? sql<boolean>`true` : sql<boolean>`${sql.ref(column)} = ${orgId}`;
  return sql<{ org_id: string; id: string }>`(
    select mm.org_id, mm.message_id as id from message_members mm
    where mm.member_id = ${memberId} and ${inOrg('mm.org_id')}
    union
    select n.org_id, n.id from messages n where ${inOrg('n.org_id')} and ${namesAny(addresses, 'n')})`;
}

/** True for a message row `m` within the member's scope (`involvedMessages`), for reads that walk `messages`. */
export function involves(memberId: string, addresses: readonly string[]) {
  return sql<boolean>`((m.org_id, m.id) in (select i.org_id, i.id from ${involvedMessages(memberId, addresses)} i))`;
}

/**
 * A message row naming one of the addresses (compared lowercased) in any header: `message_addresses` of
 * migration 0011, so its GIN index answers.
 */
function namesAny(addresses: readonly string[], alias = 'm') {
  const lowered = addresses.map((address) => address.toLowerCase());
  const m = (column: string) => sql.ref(`${alias}.${column}`);
  return sql<boolean>`(message_addresses(${m('from_address')}, ${m('to_addresses')}, ${m('cc_addresses')}, ${m('bcc_addresses')})
    && ${lowered}::text[])`;
}

/** R19's rows for the deleted messages, then the threads they left empty. */
async function afterDeletion(
  db: Database,
  orgId: string,
  deleted: { thread_id: string; connection_id: string; provider_message_id: string }[],
): Promise<Erased> {
  if (deleted.length === 0) return { messages: 0, threads: 0 };
  await db
    .deleteFrom('sync_decisions')
    .where('org_id', '=', orgId)
    .where(
      sql<boolean>`(connection_id, provider_message_id) in (select * from unnest(${deleted.map((row) => row.connection_id)}::uuid[], ${deleted.map((row) => row.provider_message_id)}::text[]))`,
    )
    .execute();
  const threads = await deleteEmptyThreads(
    db,
    orgId,
    deleted.map((row) => row.thread_id),
  );
  return { messages: deleted.length, threads };
}

/** Deletes those of `threadIds` that no message is left in; answers how many went. */
export async function deleteEmptyThreads(db: Database, orgId: string, threadIds: string[]): Promise<number> {
  const ids = [...new Set(threadIds)];
  if (ids.length === 0) return 0;
  const result = await db
    .deleteFrom('threads')
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('messages as m')
            .select('m.id')
            .whereRef('m.org_id', '=', 'threads.org_id')
            .whereRef('m.thread_id', '=', 'threads.id'),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
