/**
 * R17: one member's communication history as one viewer may see it, in one query: the organization's
 * InMail conversations with the member and the synced threads linked to the member (`message_members`),
 * one entry per conversation or thread, newest activity first.
 *
 * Synced threads go through the one visibility rule (`db/visibility.ts`): its where-clause picks the
 * threads and `content()` picks the subject and snippet, so a `metadata` thread's words never leave
 * PostgreSQL. InMail is read by every user of its organization (`db/inmail.ts`), so it is always `full`.
 *
 * Pages are keyset-paginated on (activity, id); ids are random UUIDs, unique across both tables. The
 * position travels in the cursor as values, not as an id to look up: an entry that gains a message moves
 * to the top and must not drag the next page's start with it (which would repeat entries). Each branch is
 * cut at the position and limited before the union, so a page reads at most `limit` rows of each kind;
 * a thread's latest message, participants and count are looked up only for the threads of the page.
 * A member's threads are walked in activity order through `member_threads` (migration 0014, kept by
 * triggers), so a page stops after the threads it shows (plus those the viewer may not see) instead of
 * sorting every thread of the member.
 */
import { sql } from 'kysely';
import type { Access, Visibility } from '../domain/visibility.ts';
import type { Database } from './database.ts';
import type { StoredAddress } from './schema.ts';
import { threadParticipants } from './thread-participants.ts';
import { accessColumn, content, type Viewer, visibleTo } from './visibility.ts';

export type HistoryKind = 'inmail' | 'email';

/** Where a page starts: the last entry of the previous page. `at` is an exact (microsecond) timestamp. */
export interface HistoryPosition {
  at: string;
  id: string;
}

export interface HistoryEntry {
  kind: HistoryKind;
  id: string;
  /** The latest message's time: the entry's place in the history. */
  at: Date;
  position: HistoryPosition;
  direction: 'sent' | 'received';
  owner: { id: string; name: string };
  visibility: Visibility;
  access: Exclude<Access, 'none'>;
  /** Addresses of a synced thread; for InMail the recruiter's and the member's names (members' addresses are never shown). */
  participants: { name?: string; address?: string }[];
  messageCount: number;
  /** Null when the viewer sees only that the thread exists (`metadata`). */
  subject: string | null;
  snippet: string | null;
}

interface Row {
  kind: HistoryKind;
  id: string;
  at: Date;
  at_exact: string;
  direction: 'sent' | 'received';
  owner_id: string;
  owner_name: string;
  visibility: Visibility;
  access: Exclude<Access, 'none'>;
  participants: StoredAddress[] | { name: string; address?: string }[];
  message_count: string;
  subject: string | null;
  snippet: string | null;
}

// The position as text PostgreSQL reads back exactly: a JavaScript Date would round off the microseconds.
const exact = (column: string) =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** One page of the member's history as the viewer may see it, newest activity first, after `after`. */
export async function listMemberHistory(
  db: Database,
  viewer: Viewer,
  memberId: string,
  page: { limit: number; after?: HistoryPosition | undefined },
): Promise<HistoryEntry[]> {
  const before = (at: string, id: string) =>
    page.after === undefined
      ? sql<boolean>`true`
      : sql<boolean>`(${sql.ref(at)}, ${sql.ref(id)}) < (${page.after.at}::timestamptz, ${page.after.id}::uuid)`;

  const { rows } = await sql<Row>`
    (select 'email' as kind, t.id, t.last_message_at as at, ${exact('t.last_message_at')} as at_exact,
        last.direction, t.owner_user_id as owner_id, u.name as owner_name, t.visibility,
        ${accessColumn(viewer)} as access, ${threadParticipants(viewer)} as participants,
        (select count(*) from messages m where m.org_id = t.org_id and m.thread_id = t.id) as message_count,
        ${content(viewer, 't.subject')} as subject, ${content(viewer, 'last.snippet')} as snippet
      from (
        select t.* from member_threads mt
        join threads t on t.org_id = mt.org_id and t.id = mt.thread_id
        where mt.org_id = ${viewer.orgId} and mt.member_id = ${memberId}
          and ${visibleTo(viewer)}
          and ${before('mt.last_message_at', 'mt.thread_id')}
        order by mt.last_message_at desc, mt.thread_id desc
        limit ${page.limit}) t
      join users u on u.org_id = t.org_id and u.id = t.owner_user_id
      cross join lateral (
        select m.direction, m.snippet from messages m
        where m.org_id = t.org_id and m.thread_id = t.id
        order by m.received_at desc, m.id desc limit 1) last)
    union all
    (select 'inmail' as kind, c.id, c.last_message_at as at, ${exact('c.last_message_at')} as at_exact,
        case last.sender when 'user' then 'sent' else 'received' end as direction,
        c.user_id as owner_id, u.name as owner_name, 'organization' as visibility, 'full' as access,
        jsonb_build_array(jsonb_build_object('name', u.name, 'address', u.email),
          jsonb_build_object('name', mb.name)) as participants,
        (select count(*) from inmail_messages im where im.org_id = c.org_id and im.conversation_id = c.id)
          as message_count,
        c.subject, left(last.body, 200) as snippet
      from inmail_conversations c
      join users u on u.org_id = c.org_id and u.id = c.user_id
      join members mb on mb.id = c.member_id
      cross join lateral (
        select im.sender, im.body from inmail_messages im
        where im.org_id = c.org_id and im.conversation_id = c.id
        order by im.created_at desc, im.id desc limit 1) last
      where c.org_id = ${viewer.orgId} and c.member_id = ${memberId}
        and ${before('c.last_message_at', 'c.id')}
      order by c.last_message_at desc, c.id desc
      limit ${page.limit})
    order by at desc, id desc
    limit ${page.limit}`.execute(db);

  return rows.map((row) => ({
    kind: row.kind,
    id: row.id,
    at: row.at,
    position: { at: row.at_exact, id: row.id },
    direction: row.direction,
    owner: { id: row.owner_id, name: row.owner_name },
    visibility: row.visibility,
    access: row.access,
    participants: row.participants,
    messageCount: Number(row.message_count),
    subject: row.subject,
    snippet: row.snippet,
  }));
}
