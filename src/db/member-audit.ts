/**
 * The operator's audit of member-level events: a member's erasures (`erasures`) and exports (`exports`),
 * which span organizations and so belong to no organization's log. Counts, ids and organizations only.
 *
 * Newest first by (time, id); the position travels in the cursor as exact text (microseconds, written by
 * PostgreSQL), like history's, so that no page repeats or skips an event. Each table is filtered, cut at
 * the position and limited before the union, so a page reads at most `limit` rows of each.
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';

export const MEMBER_EVENT_KINDS = ['erasure', 'export'] as const;
export type MemberEventKind = (typeof MEMBER_EVENT_KINDS)[number];

export interface MemberEventPosition {
  at: string;
  id: string;
}

export interface MemberEvent {
  kind: MemberEventKind;
  id: string;
  at: Date;
  requestedBy: 'member' | 'operator';
  memberId: string;
  organizationIds: string[];
  messages: number | null;
  threads: number | null;
  inmailMessages: number | null;
  finishedAt: Date | null;
  position: MemberEventPosition;
}

interface Row {
  kind: MemberEventKind;
  id: string;
  at: Date;
  at_exact: string;
  requested_by: 'member' | 'operator';
  member_id: string;
  org_ids: string[];
  messages: number | null;
  threads: number | null;
  inmail_messages: number | null;
  finished_at: Date | null;
}

export async function listMemberEvents(
  db: Database,
  page: {
    limit: number;
    after?: MemberEventPosition | undefined;
    kinds?: readonly MemberEventKind[] | undefined;
    memberId?: string | undefined;
    from?: Date | undefined;
    to?: Date | undefined;
  },
): Promise<MemberEvent[]> {
  const kinds = page.kinds?.length ? page.kinds : MEMBER_EVENT_KINDS;
  const filter = sql<boolean>`true
    ${page.after ? sql`and (at, id) < (${page.after.at}::timestamptz, ${page.after.id}::uuid)` : sql``}
    ${page.memberId ? sql`and member_id = ${page.memberId}::uuid` : sql``}
    ${page.from ? sql`and at >= ${page.from}` : sql``}
    ${page.to ? sql`and at < ${page.to}` : sql``}`;
  const branches = [];
  if (kinds.includes('erasure')) {
    branches.push(sql`(select 'erasure' as kind, id, at, requested_by, member_id, org_ids, messages, threads,
        null::integer as inmail_messages, at as finished_at
      from erasures where ${filter} order by at desc, id desc limit ${page.limit})`);
  }
  if (kinds.includes('export')) {
    branches.push(sql`(select 'export' as kind, id, at, requested_by, member_id, org_ids, messages,
        null::integer as threads, inmail_messages, finished_at
      from exports where ${filter} order by at desc, id desc limit ${page.limit})`);
  }
  const { rows } = await sql<Row>`
    select e.*, to_char(e.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_exact
    from (${sql.join(branches, sql` union all `)}) e
    order by e.at desc, e.id desc
    limit ${page.limit}`.execute(db);
  return rows.map((row) => ({
    kind: row.kind,
    id: row.id,
    at: row.at,
    requestedBy: row.requested_by,
    memberId: row.member_id,
    organizationIds: row.org_ids,
    messages: row.messages,
    threads: row.threads,
    inmailMessages: row.inmail_messages,
    finishedAt: row.finished_at,
    position: { at: row.at_exact, id: row.id },
  }));
}
