/**
 * Searching synced mail as the viewer may see it (R15): within one member's history or across the
 * viewer's organization. The query is measured before it runs, so the work a request can ask for is
 * bounded: at most `MAX_QUERY_TERMS` words (a query of 50 `or` terms would probe the index 50 times per
 * reading), and at least one word to look for (a query of negations only would read every row).
 */
import { findDiscoverableMember } from '../db/members.ts';
import { measureQuery, type SearchHit, type SearchPosition, searchMessages } from '../db/search.ts';
import type { Viewer } from '../db/visibility.ts';
import { AppError, notFound } from '../domain/errors.ts';
import type { AppContext } from './context.ts';

/** The most words a query may hold. */
export const MAX_QUERY_TERMS = 16;

interface SearchPage {
  q: string;
  limit: number;
  after?: SearchPosition | undefined;
}

/** One page of the viewer's organization's mail that matches `q`, newest first. */
export async function searchOrganization(
  context: AppContext,
  viewer: Viewer,
  page: SearchPage,
): Promise<SearchHit[]> {
  if (!(await worthSearching(context, page.q))) return [];
  return searchMessages(context.db, viewer, { ...page, language: context.searchLanguage });
}

/**
 * One page of the member's mail that matches `q`, newest first; a member whom not anyone may find answers
 * 404 exactly like an unknown id, as their history does.
 */
export async function searchMemberHistory(
  context: AppContext,
  viewer: Viewer,
  memberId: string,
  page: SearchPage,
): Promise<SearchHit[]> {
  if (!(await findDiscoverableMember(context.db, memberId))) throw notFound('member');
  if (!(await worthSearching(context, page.q))) return [];
  return searchMessages(context.db, viewer, { ...page, memberId, language: context.searchLanguage });
}

/** False for a query with no word left once read (punctuation, stop words); refuses one too costly to run. */
async function worthSearching(context: AppContext, q: string): Promise<boolean> {
  const { nodes, indexable } = await measureQuery(context.db, context.searchLanguage, q);
  if (nodes === 0) return false;
  // n words are n terms joined by n - 1 operators (a negation is one node more).
  if (nodes > 2 * MAX_QUERY_TERMS - 1) throw invalidQuery(`at most ${MAX_QUERY_TERMS} words`);
  if (!indexable) throw invalidQuery('needs a word to look for, not only words to leave out');
  return true;
}

function invalidQuery(message: string): AppError {
  return new AppError('validation_failed', `q: ${message}`, [{ field: 'q', message }]);
}
