/** R17: a member's communication history, InMail and synced email, as the viewer may see it. */
import { type HistoryEntry, type HistoryPosition, listMemberHistory } from '../db/history.ts';
import { findDiscoverableMember } from '../db/members.ts';
import type { Viewer } from '../db/visibility.ts';
import { notFound } from '../domain/errors.ts';
import type { AppContext } from './context.ts';

/**
 * One page of the member's history; a member whom not anyone may find answers 404 exactly like an unknown
 * id (as `GET /api/members/{id}` does), so the history never confirms a hidden member.
 */
export async function memberHistory(
  context: AppContext,
  viewer: Viewer,
  memberId: string,
  page: { limit: number; after?: HistoryPosition | undefined },
): Promise<HistoryEntry[]> {
  if (!(await findDiscoverableMember(context.db, memberId))) throw notFound('member');
  return listMemberHistory(context.db, viewer, memberId, page);
}
