/**
 * InMail: the platform's own messages between a recruiter and a member.
 *
 * A conversation belongs to its organization and is started by one of its users (its owner). Every user of
 * that organization may read it, as in a shared recruiting contract; only the owner writes on the
 * organization's side. The member reads and answers every conversation addressed to them.
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';

export interface InmailMessage {
  id: string;
  sender: 'user' | 'member';
  userId: string | null;
  body: string;
  createdAt: Date;
}

export interface InmailConversation {
  orgId: string;
  id: string;
  organizationName: string;
  userId: string;
  userName: string;
  memberId: string;
  memberName: string;
  subject: string;
  createdAt: Date;
  lastMessageAt: Date;
}

/** Whose conversations to read: an organization's (for its users) or a member's (across organizations). */
export type ConversationScope = { orgId: string; memberId?: string | undefined } | { memberOnly: string };

export async function insertConversation(
  db: Database,
  orgId: string,
  input: { userId: string; memberId: string; subject: string; body: string },
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('inmail_conversations')
      .values({ org_id: orgId, user_id: input.userId, member_id: input.memberId, subject: input.subject })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('inmail_messages')
      .values({ org_id: orgId, conversation_id: id, sender: 'user', user_id: input.userId, body: input.body })
      .execute();
    return id;
  });
}

export async function insertMessage(
  db: Database,
  orgId: string,
  conversationId: string,
  message: { sender: 'user'; userId: string; body: string } | { sender: 'member'; body: string },
): Promise<InmailMessage> {
  // Inside the caller's transaction when there is one (scheduling posts a change with the change itself).
  const within = <T>(work: (trx: Database) => Promise<T>) =>
    db.isTransaction ? work(db) : db.transaction().execute(work);
  return within(async (trx) => {
    const row = await trx
      .insertInto('inmail_messages')
      .values({
        org_id: orgId,
        conversation_id: conversationId,
        sender: message.sender,
        user_id: message.sender === 'user' ? message.userId : null,
        body: message.body,
      })
      .returning(['id', 'sender', 'user_id', 'body', 'created_at'])
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('inmail_conversations')
      .set({ last_message_at: row.created_at })
      .where('org_id', '=', orgId)
      .where('id', '=', conversationId)
      .execute();
    return toMessage(row);
  });
}

function conversations(db: Database, scope: ConversationScope) {
  let query = db
    .selectFrom('inmail_conversations as c')
    .innerJoin('organizations as o', 'o.id', 'c.org_id')
    .innerJoin('users as u', (join) =>
      join.onRef('u.org_id', '=', 'c.org_id').onRef('u.id', '=', 'c.user_id'),
    )
    .innerJoin('members as m', 'm.id', 'c.member_id')
    .select([
      'c.org_id',
      'c.id',
      'o.name as organization_name',
      'c.user_id',
      'u.name as user_name',
      'c.member_id',
      'm.name as member_name',
      'c.subject',
      'c.created_at',
      'c.last_message_at',
    ]);
  if ('memberOnly' in scope) return query.where('c.member_id', '=', scope.memberOnly);
  query = query.where('c.org_id', '=', scope.orgId);
  return scope.memberId === undefined ? query : query.where('c.member_id', '=', scope.memberId);
}

export async function findConversation(
  db: Database,
  scope: ConversationScope,
  conversationId: string,
): Promise<InmailConversation | undefined> {
  const row = await conversations(db, scope).where('c.id', '=', conversationId).executeTakeFirst();
  return row && toConversation(row);
}

/**
 * One page, newest activity first; `after` is the id of the previous page's last conversation. Its position
 * is read from the table rather than carried in the cursor, which would round the microseconds off.
 */
export async function listConversations(
  db: Database,
  scope: ConversationScope,
  page: { limit: number; after?: string | undefined },
): Promise<InmailConversation[]> {
  let query = conversations(db, scope);
  if (page.after !== undefined) {
    query = query.where(
      sql<boolean>`(c.last_message_at, c.id) < (select last_message_at, id from inmail_conversations where id = ${page.after}::uuid)`,
    );
  }
  const rows = await query
    .orderBy('c.last_message_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(page.limit)
    .execute();
  return rows.map(toConversation);
}

export async function listMessages(
  db: Database,
  orgId: string,
  conversationId: string,
): Promise<InmailMessage[]> {
  const rows = await db
    .selectFrom('inmail_messages')
    .select(['id', 'sender', 'user_id', 'body', 'created_at'])
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toMessage);
}

function toMessage(row: {
  id: string;
  sender: 'user' | 'member';
  user_id: string | null;
  body: string;
  created_at: Date;
}) {
  return { id: row.id, sender: row.sender, userId: row.user_id, body: row.body, createdAt: row.created_at };
}

function toConversation(row: {
  org_id: string;
  id: string;
  organization_name: string;
  user_id: string;
  user_name: string;
  member_id: string;
  member_name: string;
  subject: string;
  created_at: Date;
  last_message_at: Date;
}): InmailConversation {
  return {
    orgId: row.org_id,
    id: row.id,
    organizationName: row.organization_name,
    userId: row.user_id,
    userName: row.user_name,
    memberId: row.member_id,
    memberName: row.member_name,
    subject: row.subject,
    createdAt: row.created_at,
    lastMessageAt: row.last_message_at,
  };
}
