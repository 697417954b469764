/** Reading synced mail (R15 visibility by construction); R19's "why was this not synced?" lives in why.ts. */
import { findVisibleMessage, findVisibleThread, listVisibleThreads, type Viewer } from '../db/threads.ts';
import { notFound } from '../domain/errors.ts';
import type { AppContext } from './context.ts';

export { type WhyAnswer, whyNotSynced } from './why.ts';

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

/** One message with its body where the viewer sees the thread's content; 404 when they cannot see it at all. */
export async function getMessage(context: AppContext, viewer: Viewer, messageId: string) {
  const found = await findVisibleMessage(context.db, viewer, messageId);
  if (!found) throw notFound('message');
  return found;
}
