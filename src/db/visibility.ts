/**
 * R15 in SQL, written once: every read of synced mail (thread list, thread, and later history, search
 * and export) joins `threads as t` and takes its where-clause and its content columns from here, so what
 * a viewer may not see never leaves the database. `domain/visibility.ts` states the same rule as data.
 *
 * The viewer sees a thread of their organization when they own it or it is `organization` (in full), or
 * when it is `metadata` (that it exists: participants, dates, message count, owner). For a `metadata`
 * thread the content columns are not selected at all: `content()` wraps each in a `CASE` that yields
 * NULL unless the viewer sees content. Filtering or blanking rows in TypeScript was rejected: one
 * forgotten field would leak, and the content would still cross the wire from PostgreSQL.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Access } from '../domain/visibility.ts';

export interface Viewer {
  orgId: string;
  userId: string;
}

/** True when the viewer may read the content of thread `t`: they own it, or it is shared in full. */
function seesContent(viewer: Viewer): RawBuilder<boolean> {
  return sql<boolean>`(t.owner_user_id = ${viewer.userId} or t.visibility = 'organization')`;
}

/** R15 as a where-clause on `threads as t`: the viewer sees at least that the thread exists. */
export function visibleTo(viewer: Viewer): RawBuilder<boolean> {
  return sql<boolean>`(t.org_id = ${viewer.orgId} and (${seesContent(viewer)} or t.visibility = 'metadata'))`;
}

/** The viewer's access to thread `t` as a column: `full`, or `metadata` (rows with none are not selected). */
export function accessColumn(viewer: Viewer): RawBuilder<Exclude<Access, 'none'>> {
  return sql<Exclude<Access, 'none'>>`(case when ${seesContent(viewer)} then 'full' else 'metadata' end)`;
}

/** A condition on content (search by words, for one), true only where the viewer sees content. */
export function contentMatches(viewer: Viewer, condition: RawBuilder<boolean>): RawBuilder<boolean> {
  return sql<boolean>`(${seesContent(viewer)} and ${condition})`;
}

/** A content column (subject, snippet, body, attachments, ids), selected only when the viewer sees content. */
export function content<T>(viewer: Viewer, column: string): RawBuilder<T | null> {
  return sql<T | null>`(case when ${seesContent(viewer)} then ${sql.ref(column)} end)`;
}
