/**
 * Reading synced mail, always through the visibility rule (R15): a thread is seen by its owner, and by
 * the rest of its organization only when the owner set it to `organization`. The rule is part of every
 * query here, never applied to results afterwards.
 */
import { type ExpressionBuilder, sql } from 'kysely';
import type { Database } from './database.ts';
import type { MessageRecord } from './mail.ts';
import type { DB, Visibility } from './schema.ts';

export interface Viewer {
  orgId: string;
  userId: string;
}

export interface ThreadSummary {
  id: string;
  ownerUserId: string;
  connectionId: string;
  visibility: Visibility;
  subject: string;
  lastMessageAt: Date | null;
  messageCount: number;
  members: { id: string; name: string }[];
}

export interface StoredMessage extends MessageRecord {
  id: string;
}

/** R15 as a where-clause on `threads as t`. */
export function visibleTo(viewer: Viewer) {
  return (eb: ExpressionBuilder<DB & { t: DB['threads'] }, 't'>) =>
    eb.and([
      eb('t.org_id', '=', viewer.orgId),
      eb.or([eb('t.owner_user_id', '=', viewer.userId), eb('t.visibility', '=', 'organization')]),
    ]);
}

/** One page of threads the viewer may see, newest activity first; `after` is the previous page's last id. */
export async function listVisibleThreads(
  db: Database,
  viewer: Viewer,
  page: {
    limit: number;
    after?: string | undefined;
    ownOnly?: boolean | undefined;
    threadId?: string | undefined;
  },
): Promise<ThreadSummary[]> {
  let query = db
    .selectFrom('threads as t')
    .select([
      't.id',
      't.owner_user_id',
      't.connection_id',
      't.visibility',
      't.subject',
      't.last_message_at',
      sql<string>`(select count(*) from messages m where m.org_id = t.org_id and m.thread_id = t.id)`.as(
        'message_count',
      ),
      sql<{ id: string; name: string }[]>`coalesce((
        select json_agg(distinct jsonb_build_object('id', mb.id, 'name', mb.name))
        from messages m join message_members mm on mm.org_id = m.org_id and mm.message_id = m.id
        join members mb on mb.id = mm.member_id
        where m.org_id = t.org_id and m.thread_id = t.id), '[]')`.as('members'),
    ])
    .where(visibleTo(viewer));
  if (page.ownOnly) query = query.where('t.owner_user_id', '=', viewer.userId);
  if (page.threadId !== undefined) query = query.where('t.id', '=', page.threadId);
  if (page.after !== undefined) {
    query = query.where(
      sql<boolean>`(t.last_message_at, t.id) < (select last_message_at, id from threads where org_id = ${viewer.orgId} and id = ${page.after}::uuid)`,
    );
  }
  const rows = await query
    .orderBy('t.last_message_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(page.limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    ownerUserId: row.owner_user_id,
    connectionId: row.connection_id,
    visibility: row.visibility,
    subject: row.subject,
    lastMessageAt: row.last_message_at,
    messageCount: Number(row.message_count),
    members: row.members,
  }));
}

/** A thread the viewer may see, with its messages oldest first; undefined when absent or not visible. */
export async function findVisibleThread(
  db: Database,
  viewer: Viewer,
  threadId: string,
): Promise<{ thread: ThreadSummary; messages: StoredMessage[] } | undefined> {
  const [thread] = await listVisibleThreads(db, viewer, { limit: 1, threadId });
  if (!thread) return undefined;
  const rows = await db
    .selectFrom('messages as m')
    .selectAll('m')
    .select(
      sql<
        string[]
      >`coalesce((select array_agg(mm.member_id) from message_members mm where mm.org_id = m.org_id and mm.message_id = m.id), '{}')`.as(
        'member_ids',
      ),
    )
    .where('m.org_id', '=', viewer.orgId)
    .where('m.thread_id', '=', threadId)
    .orderBy('m.received_at')
    .orderBy('m.id')
    .execute();
  return {
    thread,
    messages: rows.map((row) => ({
      id: row.id,
      providerMessageId: row.provider_message_id,
      rfcMessageId: row.rfc_message_id,
      direction: row.direction,
      from: row.from_address,
      to: row.to_addresses,
      cc: row.cc_addresses,
      bcc: row.bcc_addresses,
      subject: row.subject,
      sentAt: row.sent_at,
      receivedAt: row.received_at,
      snippet: row.snippet,
      bodyText: row.body_text,
      bodyHtml: row.body_html,
      attachments: row.attachments,
      memberIds: row.member_ids,
    })),
  };
}
