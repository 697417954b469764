/**
 * Reading synced mail, always through the visibility rule (R15, `db/visibility.ts`): its where-clause is
 * part of every query here, and a `metadata` thread's subject, snippets, bodies and attachments are never
 * selected for anyone but its owner. Changing a thread's level is here too.
 */
import { sql } from 'kysely';
import type { Visibility } from '../domain/visibility.ts';
import type { Database } from './database.ts';
import type { StoredAddress, StoredAttachment } from './schema.ts';
import { blindCopies, threadParticipants } from './thread-participants.ts';
import { accessColumn, content, type Viewer, visibleTo } from './visibility.ts';

export type { Viewer };

/** What any viewer who sees a thread learns of it, `metadata` included. */
interface ThreadFacts {
  id: string;
  ownerUserId: string;
  visibility: Visibility;
  firstMessageAt: Date | null;
  lastMessageAt: Date | null;
  messageCount: number;
  participants: StoredAddress[];
  members: { id: string; name: string }[];
}

export type ThreadSummary = ThreadFacts & ({ access: 'full'; subject: string } | { access: 'metadata' });

interface MessageFacts {
  id: string;
  threadId: string;
  direction: 'sent' | 'received';
  from: StoredAddress | null;
  to: StoredAddress[];
  cc: StoredAddress[];
  bcc: StoredAddress[];
  sentAt: Date | null;
  receivedAt: Date;
  memberIds: string[];
}

interface MessageContent {
  providerMessageId: string;
  rfcMessageId: string | null;
  subject: string;
  snippet: string;
  attachments: StoredAttachment[];
  /** Less than the whole message was kept (over the size cap, or text, HTML or attachments cut). */
  truncated: boolean;
}

/** A message as a thread lists it: without its body, which is read one message at a time. */
export type StoredMessage = MessageFacts & (({ access: 'full' } & MessageContent) | { access: 'metadata' });

/** A message read alone: its body too when the viewer sees the thread's content. */
export type MessageWithBody =
  | (MessageFacts & { access: 'full' } & MessageContent & { bodyText: string; bodyHtml: string | null })
  | (MessageFacts & { access: 'metadata' });

/** One page of threads the viewer may see, newest activity first; `after` is the previous page's last id. */
export async function listVisibleThreads(
  db: Database,
  viewer: Viewer,
  page: { limit: number; after?: string | undefined; threadId?: string | undefined },
): Promise<ThreadSummary[]> {
  let query = db
    .selectFrom('threads as t')
    .select([
      't.id',
      't.owner_user_id',
      't.visibility',
      't.last_message_at',
      accessColumn(viewer).as('access'),
      content<string>(viewer, 't.subject').as('subject'),
      sql<string>`(select count(*) from messages m where m.org_id = t.org_id and m.thread_id = t.id)`.as(
        'message_count',
      ),
      sql<Date | null>`(select min(m.received_at) from messages m where m.org_id = t.org_id and m.thread_id = t.id)`.as(
        'first_message_at',
      ),
      threadParticipants(viewer).as('participants'),
      sql<{ id: string; name: string }[]>`coalesce((
        select json_agg(distinct jsonb_build_object('id', mb.id, 'name', mb.name))
        from messages m join message_members mm on mm.org_id = m.org_id and mm.message_id = m.id
        join members mb on mb.id = mm.member_id
        where m.org_id = t.org_id and m.thread_id = t.id), '[]')`.as('members'),
    ])
    .where(visibleTo(viewer));
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
  return rows.map((row) => {
    const facts: ThreadFacts = {
      id: row.id,
      ownerUserId: row.owner_user_id,
      visibility: row.visibility,
      firstMessageAt: row.first_message_at,
      lastMessageAt: row.last_message_at,
      messageCount: Number(row.message_count),
      participants: row.participants,
      members: row.members,
    };
    return row.access === 'full' && row.subject !== null
      ? { ...facts, access: 'full', subject: row.subject }
      : { ...facts, access: 'metadata' };
  });
}

/** A thread the viewer may see, with its messages oldest first; undefined when absent or not visible. */
export async function findVisibleThread(
  db: Database,
  viewer: Viewer,
  threadId: string,
): Promise<{ thread: ThreadSummary; messages: StoredMessage[] } | undefined> {
  const [thread] = await listVisibleThreads(db, viewer, { limit: 1, threadId });
  if (!thread) return undefined;
  // The messages query states the rule again rather than trusting the thread read above: the level may
  // change in between, and each query must stand on its own.
  const rows = await visibleMessages(db, viewer, false)
    .where('t.id', '=', threadId)
    .orderBy('m.received_at')
    .orderBy('m.id')
    .execute();
  const messages = rows.map(storedMessage);
  return { thread, messages };
}

/** One message the viewer may see, with its body if they see the thread's content; undefined otherwise. */
export async function findVisibleMessage(
  db: Database,
  viewer: Viewer,
  messageId: string,
): Promise<MessageWithBody | undefined> {
  const row = await visibleMessages(db, viewer, true).where('m.id', '=', messageId).executeTakeFirst();
  if (!row) return undefined;
  const message = storedMessage(row);
  if (message.access !== 'full') return message;
  return { ...message, bodyText: row.body_text ?? '', bodyHtml: row.body_html };
}

/**
 * Messages `m` of threads `t` the viewer may see, content columns through `content()`; the bodies (up to
 * 1 MiB of text and 1 MiB of HTML each) only when `bodies`, so that a long thread costs its headers only.
 */
function visibleMessages(db: Database, viewer: Viewer, bodies: boolean) {
  const body = (column: string) => (bodies ? content<string>(viewer, column) : sql<string | null>`null`);
  return db
    .selectFrom('messages as m')
    .innerJoin('threads as t', (join) =>
      join.onRef('t.org_id', '=', 'm.org_id').onRef('t.id', '=', 'm.thread_id'),
    )
    .select([
      'm.id',
      'm.thread_id',
      'm.direction',
      'm.from_address',
      'm.to_addresses',
      'm.cc_addresses',
      blindCopies(viewer).as('bcc_addresses'),
      'm.sent_at',
      'm.received_at',
      accessColumn(viewer).as('access'),
      content<string>(viewer, 'm.provider_message_id').as('provider_message_id'),
      content<string>(viewer, 'm.rfc_message_id').as('rfc_message_id'),
      content<string>(viewer, 'm.subject').as('subject'),
      content<string>(viewer, 'm.snippet').as('snippet'),
      body('m.body_text').as('body_text'),
      body('m.body_html').as('body_html'),
      content<StoredAttachment[]>(viewer, 'm.attachments').as('attachments'),
      content<boolean>(viewer, 'm.truncated').as('truncated'),
      sql<string[]>`coalesce((select array_agg(mm.member_id) from message_members mm
        where mm.org_id = m.org_id and mm.message_id = m.id), '{}')`.as('member_ids'),
    ])
    .where(visibleTo(viewer));
}

type MessageRow = Awaited<ReturnType<ReturnType<typeof visibleMessages>['executeTakeFirstOrThrow']>>;

function storedMessage(row: MessageRow): StoredMessage {
  const facts: MessageFacts = {
    id: row.id,
    threadId: row.thread_id,
    direction: row.direction,
    from: row.from_address,
    to: row.to_addresses,
    cc: row.cc_addresses,
    bcc: row.bcc_addresses,
    sentAt: row.sent_at,
    receivedAt: row.received_at,
    memberIds: row.member_ids,
  };
  if (row.access !== 'full') return { ...facts, access: 'metadata' };
  return {
    ...facts,
    access: 'full',
    providerMessageId: row.provider_message_id ?? '',
    rfcMessageId: row.rfc_message_id,
    subject: row.subject ?? '',
    snippet: row.snippet ?? '',
    attachments: row.attachments ?? [],
    truncated: row.truncated ?? false,
  };
}

/**
 * Locks a thread the viewer may see for a change of level; undefined when absent or not visible to them
 * (so a colleague cannot tell a private thread from a missing one).
 */
export async function lockVisibleThread(
  db: Database,
  viewer: Viewer,
  threadId: string,
): Promise<{ ownerUserId: string; visibility: Visibility } | undefined> {
  const row = await db
    .selectFrom('threads as t')
    .select(['t.owner_user_id', 't.visibility'])
    .where(visibleTo(viewer))
    .where('t.id', '=', threadId)
    .forUpdate()
    .executeTakeFirst();
  return row && { ownerUserId: row.owner_user_id, visibility: row.visibility };
}

/** Sets a thread's level (R15); the caller has checked that the viewer owns it. */
export async function updateThreadVisibility(
  db: Database,
  orgId: string,
  threadId: string,
  visibility: Visibility,
): Promise<void> {
  await db
    .updateTable('threads')
    .set({ visibility })
    .where('org_id', '=', orgId)
    .where('id', '=', threadId)
    .execute();
}
