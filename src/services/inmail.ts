/**
 * InMail between an organization's recruiters and members. Conversations are read by the organization's
 * users and by the member they are addressed to; a recruiter writes only in conversations they started.
 */

import type { Database } from '../db/database.ts';
import {
  type ConversationScope,
  findConversation,
  type InmailConversation,
  type InmailMessage,
  insertConversation,
  insertMessage,
  listConversations,
  listMessages,
} from '../db/inmail.ts';
import { findDiscoverableMember } from '../db/members.ts';
import { AppError, notFound } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';

type UserPrincipal = Extract<Principal, { kind: 'user' }>;
type MemberPrincipal = Extract<Principal, { kind: 'member' }>;

export interface ConversationWithMessages extends InmailConversation {
  messages: InmailMessage[];
}

/** What a caller may read: their organization's conversations, or a member's own. */
export function scopeOf(principal: UserPrincipal | MemberPrincipal, memberId?: string): ConversationScope {
  return principal.kind === 'user'
    ? { orgId: principal.orgId, memberId }
    : { memberOnly: principal.memberId };
}

export async function startConversation(
  db: Database,
  user: UserPrincipal,
  input: { memberId: string; subject: string; body: string },
): Promise<ConversationWithMessages> {
  // Only a member whom anyone may find can be written to first: a hidden member answers exactly like an
  // unknown id, in the same single query, so starting a conversation reveals nobody (R10, R19).
  if (!(await findDiscoverableMember(db, input.memberId))) throw notFound('member');
  const id = await insertConversation(db, user.orgId, {
    userId: user.userId,
    memberId: input.memberId,
    subject: input.subject.trim(),
    body: input.body,
  });
  return getConversation(db, user, id);
}

export async function getConversation(
  db: Database,
  principal: UserPrincipal | MemberPrincipal,
  conversationId: string,
): Promise<ConversationWithMessages> {
  const conversation = await findConversation(db, scopeOf(principal), conversationId);
  if (!conversation) throw notFound('conversation');
  return { ...conversation, messages: await listMessages(db, conversation.orgId, conversation.id) };
}

export async function listConversationPage(
  db: Database,
  principal: UserPrincipal | MemberPrincipal,
  page: { limit: number; after?: string | undefined; memberId?: string | undefined },
): Promise<InmailConversation[]> {
  return listConversations(db, scopeOf(principal, page.memberId), page);
}

export async function reply(
  db: Database,
  principal: UserPrincipal | MemberPrincipal,
  conversationId: string,
  body: string,
): Promise<InmailMessage> {
  const conversation = await findConversation(db, scopeOf(principal), conversationId);
  if (!conversation) throw notFound('conversation');
  if (principal.kind === 'member') {
    return insertMessage(db, conversation.orgId, conversation.id, { sender: 'member', body });
  }
  if (conversation.userId !== principal.userId) {
    throw new AppError('forbidden', 'only the recruiter who started this conversation can write in it');
  }
  return insertMessage(db, conversation.orgId, conversation.id, {
    sender: 'user',
    userId: principal.userId,
    body,
  });
}
