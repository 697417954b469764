/** Reading synced mail (R15 visibility by construction) and R19's "why was this not synced?". */
import { connectionIdsOfUser } from '../db/connections.ts';
import { findDecision, findStoredMessage } from '../db/mail.ts';
import { findVisibleThread, listVisibleThreads, type Viewer } from '../db/threads.ts';
import { notFound } from '../domain/errors.ts';
import { describeSkipReason, isSkipReason } from '../domain/skip-reason.ts';
import { hashMessageId } from '../sync/ingest.ts';
import type { AppContext } from './context.ts';

export type WhyAnswer =
  | { status: 'synced'; threadId: string; messageId: string; explanation: string }
  | { status: 'skipped'; rule: string; explanation: string; decidedAt: Date }
  | { status: 'unknown'; explanation: string };

export function listThreads(
  context: AppContext,
  viewer: Viewer,
  page: { limit: number; after?: string | undefined },
) {
  return listVisibleThreads(context.db, viewer, page);
}

export async function getThread(context: AppContext, viewer: Viewer, threadId: string) {
  const found = await findVisibleThread(context.db, viewer, threadId);
  if (!found) throw notFound('thread');
  return found;
}

/**
 * R19: for one of the user's own messages, named by provider id or RFC Message-ID, whether it synced and,
 * if not, which rule left it out. Only the user's own connections are searched.
 */
export async function whyNotSynced(
  context: AppContext,
  viewer: Viewer,
  key: { providerMessageId?: string | undefined; messageId?: string | undefined },
): Promise<WhyAnswer> {
  const connections = await connectionIdsOfUser(context.db, viewer.orgId, viewer.userId);
  const rfcMessageId = key.messageId?.trim();
  const bracketed = rfcMessageId && (rfcMessageId.startsWith('<') ? rfcMessageId : `<${rfcMessageId}>`);
  const stored = await findStoredMessage(context.db, viewer.orgId, connections, {
    providerMessageId: key.providerMessageId,
    rfcMessageId: bracketed,
  });
  if (stored) {
    return {
      status: 'synced',
      threadId: stored.threadId,
      messageId: stored.id,
      explanation: 'This message is synced.',
    };
  }
  const decision = await findDecision(context.db, viewer.orgId, connections, {
    providerMessageId: key.providerMessageId,
    rfcMessageIdHash: hashMessageId(bracketed) ?? undefined,
  });
  if (decision && isSkipReason(decision.rule)) {
    return {
      status: 'skipped',
      rule: decision.rule,
      explanation: describeSkipReason(decision.rule),
      decidedAt: decision.decidedAt,
    };
  }
  return {
    status: 'unknown',
    explanation:
      'Sync has no record of this message. Mail from before you connected your mailbox is never looked at (R9); otherwise it may not have been synced yet, its record may be older than the records kept, or it is not in your connected mailbox.',
  };
}
