/**
 * R16 export (a data-subject access request): what the platform holds about a member from synced mail,
 * read in keyset batches so that an export of any size costs one batch of memory, and the record of each
 * export, without content.
 *
 * The synced messages are exactly those a member's erasure would erase: the same `involves` predicate
 * (`db/erasure.ts`), whatever the thread's visibility, in every organization. Batches walk the primary
 * key `(org_id, id)`, so each starts where the last ended without an offset and without holding a
 * transaction (or a pooled connection) open while a slow client reads.
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';
import { involves } from './erasure.ts';
import type { StoredAddress, StoredAttachment } from './schema.ts';

/** Where a batch starts: after this row of the walk. */
export interface BatchPosition {
  orgId: string;
  id: string;
}

export interface ExportedMessage {
  id: string;
  organization: { id: string; name: string };
  owner: { name: string };
  visibility: string;
  direction: 'sent' | 'received';
  from: StoredAddress | null;
  to: StoredAddress[];
  cc: StoredAddress[];
  bcc: StoredAddress[];
  subject: string;
  sentAt: Date | null;
  receivedAt: Date;
  bodyText: string;
  bodyHtml: string | null;
  truncated: boolean;
  attachments: { filename: string | null; contentType: string; size: number }[];
}

export interface ExportedInmail {
  id: string;
  organization: { id: string; name: string };
  conversation: { id: string; subject: string };
  sender: 'user' | 'member';
  /** The recruiter's name when a recruiter wrote it. */
  senderName: string | null;
  body: string;
  at: Date;
}

const after = (position: BatchPosition | undefined, orgId: string, id: string) =>
  position === undefined
    ? sql<boolean>`true`
    : sql<boolean>`(${sql.ref(orgId)}, ${sql.ref(id)}) > (${position.orgId}::uuid, ${position.id}::uuid)`;

/** The next batch of synced messages involving the member (any visibility, any organization). */
export async function exportMessagesBatch(
  db: Database,
  memberId: string,
  addresses: readonly string[],
  position: BatchPosition | undefined,
  limit: number,
): Promise<ExportedMessage[]> {
  const rows = await db
    .selectFrom('messages as m')
    .innerJoin('threads as t', (join) =>
      join.onRef('t.org_id', '=', 'm.org_id').onRef('t.id', '=', 'm.thread_id'),
    )
    .innerJoin('organizations as o', 'o.id', 'm.org_id')
    .innerJoin('users as u', (join) =>
      join.onRef('u.org_id', '=', 't.org_id').onRef('u.id', '=', 't.owner_user_id'),
    )
    .select([
      'm.org_id',
      'm.id',
      'o.name as organization_name',
      'u.name as owner_name',
      't.visibility',
      'm.direction',
      'm.from_address',
      'm.to_addresses',
      'm.cc_addresses',
      'm.bcc_addresses',
      'm.subject',
      'm.sent_at',
      'm.received_at',
      'm.body_text',
      'm.body_html',
      'm.truncated',
      'm.attachments',
    ])
    .where(involves(memberId, addresses))
    .where(after(position, 'm.org_id', 'm.id'))
    .orderBy('m.org_id')
    .orderBy('m.id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    organization: { id: row.org_id, name: row.organization_name },
    owner: { name: row.owner_name },
    visibility: row.visibility,
    direction: row.direction,
    from: row.from_address,
    to: row.to_addresses,
    cc: row.cc_addresses,
    bcc: row.bcc_addresses,
    subject: row.subject,
    sentAt: row.sent_at,
    receivedAt: row.received_at,
    bodyText: row.body_text,
    bodyHtml: row.body_html,
    truncated: row.truncated,
    attachments: row.attachments.map((attachment: StoredAttachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      size: attachment.size,
    })),
  }));
}

/** The next batch of InMail messages of the member's conversations, in every organization. */
export async function exportInmailBatch(
  db: Database,
  memberId: string,
  position: BatchPosition | undefined,
  limit: number,
): Promise<ExportedInmail[]> {
  const rows = await db
    .selectFrom('inmail_messages as im')
    .innerJoin('inmail_conversations as c', (join) =>
      join.onRef('c.org_id', '=', 'im.org_id').onRef('c.id', '=', 'im.conversation_id'),
    )
    .innerJoin('organizations as o', 'o.id', 'im.org_id')
    .leftJoin('users as u', (join) =>
      join.onRef('u.org_id', '=', 'im.org_id').onRef('u.id', '=', 'im.user_id'),
    )
    .select([
      'im.org_id',
      'im.id',
      'o.name as organization_name',
      'c.id as conversation_id',
      'c.subject',
      'im.sender',
      'u.name as sender_name',
      'im.body',
      'im.created_at',
    ])
    .where('c.member_id', '=', memberId)
    .where(after(position, 'im.org_id', 'im.id'))
    .orderBy('im.org_id')
    .orderBy('im.id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    organization: { id: row.org_id, name: row.organization_name },
    conversation: { id: row.conversation_id, subject: row.subject },
    sender: row.sender,
    senderName: row.sender_name,
    body: row.body,
    at: row.created_at,
  }));
}

/** The member's erasures, oldest first: when, who asked, how many messages and threads, where. */
export async function erasuresOf(db: Database, memberId: string) {
  const rows = await db
    .selectFrom('erasures')
    .select(['id', 'at', 'requested_by', 'org_ids', 'messages', 'threads'])
    .where('member_id', '=', memberId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    requestedBy: row.requested_by,
    organizationIds: row.org_ids,
    messages: row.messages,
    threads: row.threads,
  }));
}

/** Records that an export started; `finishExport` completes the record when the last byte is written. */
export async function insertExport(
  db: Database,
  entry: { id: string; requestedBy: 'member' | 'operator'; memberId: string },
): Promise<{ at: Date }> {
  return db
    .insertInto('exports')
    .values({ id: entry.id, requested_by: entry.requestedBy, member_id: entry.memberId })
    .returning('at')
    .executeTakeFirstOrThrow();
}

export async function finishExport(
  db: Database,
  id: string,
  done: { orgIds: string[]; messages: number; inmailMessages: number },
): Promise<void> {
  await db
    .updateTable('exports')
    .set({
      finished_at: sql<Date>`now()`,
      org_ids: done.orgIds,
      messages: done.messages,
      inmail_messages: done.inmailMessages,
    })
    .where('id', '=', id)
    .execute();
}
