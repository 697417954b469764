/**
 * Synced mail: threads (with visibility, R15), messages keyed by (connection, provider message id) so that
 * storing twice stores once, the members each message is linked to (R10), and R19's skip decisions.
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';
import { deleteEmptyThreads, erasedIds } from './erasure.ts';
import { isRefusedValue } from './errors.ts';
import type { StoredAddress, StoredAttachment } from './schema.ts';
import { indexMessages } from './search.ts';

/** A synced message as stored and read back. */
export interface MessageRecord {
  providerMessageId: string;
  rfcMessageId: string | null;
  direction: 'sent' | 'received';
  from: StoredAddress | null;
  to: StoredAddress[];
  cc: StoredAddress[];
  bcc: StoredAddress[];
  subject: string;
  sentAt: Date | null;
  receivedAt: Date;
  snippet: string;
  bodyText: string;
  bodyHtml: string | null;
  attachments: StoredAttachment[];
  /** The members it is linked to (R10). */
  memberIds: string[];
}

export interface NewMessage extends MessageRecord {
  providerThreadId: string;
  inReplyTo: string | null;
  references: string[];
  /** True when less than the whole message is kept (over the size cap, or a part cut at its cap). */
  truncated: boolean;
}

export interface Decision {
  providerMessageId: string;
  rfcMessageIdHash: Buffer | null;
  rule: string;
}

/**
 * Which of these provider ids are already stored as messages, and which were already decided against for
 * good. A draft or spam decision is not for good: the message may be sent or rescued, and is looked at again.
 */
export async function knownIds(
  db: Database,
  orgId: string,
  connectionId: string,
  ids: string[],
): Promise<{ stored: Set<string>; decided: Set<string> }> {
  if (ids.length === 0) return { stored: new Set(), decided: new Set() };
  const [stored, decided] = await Promise.all([
    db
      .selectFrom('messages')
      .select('provider_message_id')
      .where('org_id', '=', orgId)
      .where('connection_id', '=', connectionId)
      .where('provider_message_id', 'in', ids)
      .execute(),
    db
      .selectFrom('sync_decisions')
      .select('provider_message_id')
      .where('org_id', '=', orgId)
      .where('connection_id', '=', connectionId)
      .where('provider_message_id', 'in', ids)
      .where('rule', '!=', 'draft_or_spam')
      .execute(),
  ]);
  // An id whose thread its owner erased (R16) stays out for good, like a decision that never expires.
  const erased = await erasedIds(db, orgId, connectionId, ids);
  return {
    stored: new Set(stored.map((row) => row.provider_message_id)),
    decided: new Set([...decided.map((row) => row.provider_message_id), ...erased]),
  };
}

/**
 * Stores messages, creating their threads (private, R15) when new; a message already stored is left as it
 * is. Each new message is indexed for search in `searchLanguage` (`db/search.ts`). Call it inside a
 * transaction. Returns how many messages were new, and the refused ids.
 *
 * The messages go in set-based, a statement per table for up to `STORE_CHUNK` of them, under one
 * savepoint. When PostgreSQL refuses a value of one (a NUL byte the reader missed, an id too long for its
 * index), that chunk is undone and written again a message at a time, each under its own savepoint, so
 * the refused one is undone alone and reported in `refused`, and the others are kept.
 */
export async function storeMessages(
  db: Database,
  orgId: string,
  connection: { id: string; ownerUserId: string },
  messages: NewMessage[],
  searchLanguage: string,
): Promise<{ stored: number; refused: string[] }> {
  let stored = 0;
  const refused: string[] = [];
  for (let start = 0; start < messages.length; start += STORE_CHUNK) {
    const chunk = messages.slice(start, start + STORE_CHUNK);
    await sql`savepoint store_messages`.execute(db);
    try {
      stored += await storeChunk(db, orgId, connection, chunk, searchLanguage);
      await sql`release savepoint store_messages`.execute(db);
      continue;
    } catch (error) {
      if (!isRefusedValue(error)) throw error;
      await sql`rollback to savepoint store_messages`.execute(db);
    }
    for (const message of chunk) {
      await sql`savepoint store_message`.execute(db);
      try {
        stored += await storeChunk(db, orgId, connection, [message], searchLanguage);
        await sql`release savepoint store_message`.execute(db);
      } catch (error) {
        if (!isRefusedValue(error)) throw error;
        await sql`rollback to savepoint store_message`.execute(db);
        refused.push(message.providerMessageId);
      }
    }
  }
  return { stored, refused };
}

/**
 * Messages per set-based write: a Gmail page (500) in one go, and far below PostgreSQL's 65,535
 * parameters a statement (a message takes 20).
 */
const STORE_CHUNK = 500;

/**
 * Stores messages with their threads and member links in a statement per table; answers how many were
 * new. As if stored one after the other: a thread gets the subject of its first message here and, as its
 * activity, the latest of its time and theirs; of two messages with the same id the first is kept.
 */
async function storeChunk(
  db: Database,
  orgId: string,
  connection: { id: string; ownerUserId: string },
  messages: NewMessage[],
  searchLanguage: string,
): Promise<number> {
  if (messages.length === 0) return 0;
  const threads = new Map<string, { subject: string; lastMessageAt: Date }>();
  for (const message of messages) {
    const thread = threads.get(message.providerThreadId);
    if (!thread) {
      threads.set(message.providerThreadId, { subject: message.subject, lastMessageAt: message.receivedAt });
    } else if (message.receivedAt > thread.lastMessageAt) thread.lastMessageAt = message.receivedAt;
  }
  const threadRows = await db
    .insertInto('threads')
    .values(
      [...threads].map(([providerThreadId, thread]) => ({
        org_id: orgId,
        connection_id: connection.id,
        owner_user_id: connection.ownerUserId,
        provider_thread_id: providerThreadId,
        subject: thread.subject,
        last_message_at: thread.lastMessageAt,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['org_id', 'connection_id', 'provider_thread_id']).doUpdateSet({
        last_message_at: sql<Date>`greatest(threads.last_message_at, excluded.last_message_at)`,
      }),
    )
    .returning(['id', 'provider_thread_id'])
    .execute();
  const threadIds = new Map(threadRows.map((row) => [row.provider_thread_id, row.id]));
  const inserted = await db
    .insertInto('messages')
    .values(
      messages.map((message) => ({
        org_id: orgId,
        thread_id: threadIds.get(message.providerThreadId) as string,
        connection_id: connection.id,
        provider_message_id: message.providerMessageId,
        rfc_message_id: message.rfcMessageId,
        in_reply_to: message.inReplyTo,
        references: message.references,
        direction: message.direction,
        from_address: message.from && JSON.stringify(message.from),
        to_addresses: JSON.stringify(message.to),
        cc_addresses: JSON.stringify(message.cc),
        bcc_addresses: JSON.stringify(message.bcc),
        subject: message.subject,
        sent_at: message.sentAt,
        received_at: message.receivedAt,
        snippet: message.snippet,
        body_text: message.bodyText,
        body_html: message.bodyHtml,
        attachments: JSON.stringify(message.attachments),
        truncated: message.truncated,
      })),
    )
    .onConflict((oc) => oc.columns(['org_id', 'connection_id', 'provider_message_id']).doNothing())
    .returning(['id', 'thread_id', 'provider_message_id'])
    .execute();
  if (inserted.length === 0) return 0;
  // The first of two messages with one id is the one stored (a later row of the same insert conflicts with it).
  const byId = new Map<string, NewMessage>();
  for (const message of messages)
    if (!byId.has(message.providerMessageId)) byId.set(message.providerMessageId, message);
  const links = inserted.flatMap((row) =>
    (byId.get(row.provider_message_id)?.memberIds ?? []).map((memberId) => ({
      org_id: orgId,
      message_id: row.id,
      member_id: memberId,
      thread_id: row.thread_id,
    })),
  );
  if (links.length > 0)
    await db
      .insertInto('message_members')
      .values(links)
      .onConflict((oc) => oc.doNothing())
      .execute();
  await indexMessages(
    db,
    orgId,
    inserted.map((row) => row.id),
    searchLanguage,
  );
  // A message that was skipped before and syncs now (restored from Trash after a member's consent)
  // no longer needs its skip reason.
  await db
    .deleteFrom('sync_decisions')
    .where('org_id', '=', orgId)
    .where('connection_id', '=', connection.id)
    .where(
      'provider_message_id',
      'in',
      inserted.map((row) => row.provider_message_id),
    )
    .execute();
  return inserted.length;
}

/** R13: deletes these messages, and any thread left without messages. Returns how many were deleted. */
export async function deleteMessages(
  db: Database,
  orgId: string,
  connectionId: string,
  ids: string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const deleted = await db
    .deleteFrom('messages')
    .where('org_id', '=', orgId)
    .where('connection_id', '=', connectionId)
    .where('provider_message_id', 'in', ids)
    .returning('thread_id')
    .execute();
  await deleteEmptyThreads(
    db,
    orgId,
    deleted.map((row) => row.thread_id),
  );
  return deleted.length;
}

/** R19: records why messages were not synced (the latest decision wins). */
export async function recordDecisions(
  db: Database,
  orgId: string,
  connectionId: string,
  decisions: Decision[],
) {
  if (decisions.length === 0) return;
  await db
    .insertInto('sync_decisions')
    .values(
      decisions.map((decision) => ({
        org_id: orgId,
        connection_id: connectionId,
        provider_message_id: decision.providerMessageId,
        rfc_message_id_hash: decision.rfcMessageIdHash,
        rule: decision.rule,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['org_id', 'connection_id', 'provider_message_id']).doUpdateSet((eb) => ({
        rule: eb.ref('excluded.rule'),
        rfc_message_id_hash: eb.ref('excluded.rfc_message_id_hash'),
        decided_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

/** Deletes decisions older than `maxAgeMs` (R19 keeps no more than the explanation needs). */
export async function expireDecisions(db: Database, maxAgeMs: number): Promise<number> {
  const result = await db
    .deleteFrom('sync_decisions')
    .where('decided_at', '<', new Date(Date.now() - maxAgeMs))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Provider ids of a connection's messages received at or after `since` (recovery re-checks them). */
export async function storedIdsSince(
  db: Database,
  orgId: string,
  connectionId: string,
  since: Date,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('messages')
    .select('provider_message_id')
    .where('org_id', '=', orgId)
    .where('connection_id', '=', connectionId)
    .where('received_at', '>=', since)
    .orderBy('received_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => row.provider_message_id);
}

/** R19 lookup: the decision about a message of these connections, by provider id or Message-ID hash. */
export async function findDecision(
  db: Database,
  orgId: string,
  connectionIds: string[],
  key: { providerMessageId?: string | undefined; rfcMessageIdHash?: Buffer | undefined },
): Promise<{ rule: string; decidedAt: Date } | undefined> {
  if (connectionIds.length === 0) return undefined;
  let query = db
    .selectFrom('sync_decisions')
    .select(['rule', 'decided_at'])
    .where('org_id', '=', orgId)
    .where('connection_id', 'in', connectionIds);
  if (key.providerMessageId !== undefined)
    query = query.where('provider_message_id', '=', key.providerMessageId);
  if (key.rfcMessageIdHash !== undefined)
    query = query.where('rfc_message_id_hash', '=', key.rfcMessageIdHash);
  const row = await query.orderBy('decided_at', 'desc').limit(1).executeTakeFirst();
  return row && { rule: row.rule, decidedAt: row.decided_at };
}

/** The stored message of these connections with this provider id or RFC Message-ID, if any. */
export async function findStoredMessage(
  db: Database,
  orgId: string,
  connectionIds: string[],
  key: { providerMessageId?: string | undefined; rfcMessageId?: string | undefined },
): Promise<{ id: string; threadId: string } | undefined> {
  if (connectionIds.length === 0) return undefined;
  let query = db
    .selectFrom('messages')
    .select(['id', 'thread_id'])
    .where('org_id', '=', orgId)
    .where('connection_id', 'in', connectionIds);
  if (key.providerMessageId !== undefined)
    query = query.where('provider_message_id', '=', key.providerMessageId);
  if (key.rfcMessageId !== undefined)
    query = query.where(sql`lower(rfc_message_id)`, '=', key.rfcMessageId.toLowerCase());
  const row = await query.limit(1).executeTakeFirst();
  return row && { id: row.id, threadId: row.thread_id };
}
