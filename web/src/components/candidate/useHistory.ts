/**
 * A candidate's communication history (R17), newest first, in keyset pages. `refresh()` loads the first
 * page again: what a live update (new mail, a changed thread) calls to show it without a reload.
 */
import { api } from '../../api/client.ts';
import type { Entry } from './HistoryEntry.tsx';
import { type Paged, usePaged } from './usePaged.ts';

/** Entries per page: each opens its own frames, so a page stays short; older ones load on request. */
export const PAGE_SIZE = 20;

export function useHistory(memberId: string): Paged<Entry> {
  return usePaged(async (cursor) => {
    const { entries, nextCursor } = await api('GET /api/members/:id/history', {
      params: { id: memberId },
      query: { cursor, limit: PAGE_SIZE },
    });
    return { items: entries, nextCursor };
  }, memberId);
}
