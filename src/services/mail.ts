/** Reading synced mail (R15 visibility by construction); R19's "why was this not synced?" lives in why.ts. */
import { findVisibleThread, listVisibleThreads, type Viewer } from '../db/threads.ts';
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
