/**
 * R15: who sees what of a synced thread. A thread is `private` (its owner only) when created; its owner
 * may share it with the organization in full (`organization`) or only as a fact (`metadata`: that it
 * exists, its participants, dates, message count and owner, never its subject, snippet, bodies or
 * attachments). Visibility lives on the thread, so a message arriving later is seen exactly like the
 * thread. This is the rule as plain data; `db/visibility.ts` states the same rule in SQL, and tests hold
 * the two to each other.
 */

export const VISIBILITIES = ['private', 'metadata', 'organization'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** What a viewer gets of a thread: everything, its existence only, or nothing (it answers 404). */
export type Access = 'full' | 'metadata' | 'none';

/** The access a user of the thread's organization has (users of other organizations have none). */
export function accessOf(
  thread: { ownerUserId: string; visibility: Visibility },
  viewerUserId: string,
): Access {
  if (thread.ownerUserId === viewerUserId || thread.visibility === 'organization') return 'full';
  return thread.visibility === 'metadata' ? 'metadata' : 'none';
}
