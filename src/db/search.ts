/**
 * Search over synced mail, all of its SQL in this one module: indexing a stored message, measuring a
 * query, and one page of hits. Today it is PostgreSQL full-text search (`websearch_to_tsquery` over the
 * `message_search` side table of migration 0008); a BM25 extension could replace it by changing this
 * file and that table only.
 *
 * R15 is the one rule of `db/visibility.ts`: `visibleTo` picks the threads, and a message's words match
 * only through `contentMatches()`, true only where the viewer sees the thread's content. A `metadata`
 * thread is therefore found by its participants alone (`people`: names, addresses and address domains
 * of From, To and Cc), never by its words (Bcc's people among them), and a `private` thread of another
 * user not at all.
 *
 * InMail is searched too (migration 0013's expression indexes, in `simple`): every user of the
 * organization reads its InMail (`db/inmail.ts`), so a message is found by its body and a conversation
 * by its subject (as its first message), in full.
 *
 * Hits are messages of both kinds, newest first and never ranked, keyset-paginated on (time, key): the
 * key is `m` and the index row's zero-padded sequence number for mail, `i` and the id for InMail. A
 * message that arrives later cannot move a hit already listed, so pages neither repeat nor skip.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Access, Visibility } from '../domain/visibility.ts';
import type { Database } from './database.ts';
import { accessColumn, content, contentMatches, type Viewer, visibleTo } from './visibility.ts';

/** How much of a body is indexed: far below a tsvector's 1 MB limit, whatever the text. */
export const INDEXED_BODY_CHARACTERS = 65_536;

/**
 * Where a page starts: the last hit of the previous page. `at` is an exact (microsecond) timestamp; `key`
 * breaks ties: for mail the index row's sequence number, which does not name the message (content under
 * R15), for InMail its id.
 */
export interface SearchPosition {
  at: string;
  key: string;
}

/** The tie-break keys positions carry: `m` + 19 digits (mail), `i` + a UUID (InMail). */
export const SEARCH_KEY = /^(m\d{19}|i[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export interface SearchHit {
  kind: 'email' | 'inmail';
  /** The thread (email) or the InMail conversation. */
  threadId: string;
  /** Null when the viewer sees only that the thread exists (`metadata`). */
  messageId: string | null;
  at: Date;
  position: SearchPosition;
  direction: 'sent' | 'received';
  owner: { id: string; name: string };
  visibility: Visibility;
  access: Exclude<Access, 'none'>;
  subject: string | null;
  snippet: string | null;
}

interface Row {
  kind: 'email' | 'inmail';
  thread_id: string;
  message_id: string | null;
  key: string;
  at: Date;
  at_exact: string;
  direction: 'sent' | 'received';
  owner_id: string;
  owner_name: string;
  visibility: Visibility;
  access: Exclude<Access, 'none'>;
  subject: string | null;
  snippet: string | null;
}

/** True when PostgreSQL has a text search configuration of that name (`pg_ts_config`). */
export async function searchLanguageExists(db: Database, language: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (select 1 from pg_ts_config c
                   where c.cfgname = ${language} and pg_ts_config_is_visible(c.oid)) as found`.execute(db);
  return rows[0]?.found === true;
}

/**
 * Indexes stored messages (each one's subject, first 64 KiB of text, participants, linked members) in one
 * statement; call it where they are stored, after their member links.
 */
export async function indexMessages(
  db: Database,
  orgId: string,
  messageIds: string[],
  language: string,
): Promise<void> {
  if (messageIds.length === 0) return;
  // Bcc is content (R15: a `metadata` viewer never sees it), so its people are among the words.
  await sql`
    insert into message_search (org_id, message_id, thread_id, received_at, words, people, member_ids)
    select m.org_id, m.id, m.thread_id, m.received_at,
      to_tsvector(${language}::regconfig, m.subject || ' ' || left(m.body_text, ${INDEXED_BODY_CHARACTERS}))
        || to_tsvector('simple'::regconfig, ${peopleText(sql`m.bcc_addresses`)}),
      to_tsvector('simple'::regconfig, ${peopleText(
        sql`case when m.from_address is null then '[]'::jsonb else jsonb_build_array(m.from_address) end
          || m.to_addresses || m.cc_addresses`,
      )}),
      array(select mm.member_id from message_members mm where mm.org_id = m.org_id and mm.message_id = m.id)
    from messages m
    where m.org_id = ${orgId} and m.id = any(${messageIds}::uuid[])
    on conflict do nothing`.execute(db);
}

/** The names, addresses and address domains of a JSON array of addresses, as one text to index. */
function peopleText(addresses: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`coalesce((
    select string_agg(concat_ws(' ', a->>'name', a->>'address', split_part(a->>'address', '@', 2)), ' ')
    from jsonb_array_elements(${addresses}) a), '')`;
}

/**
 * What a query costs: its number of nodes (terms and operators) in the larger of its two readings, and
 * whether an index can answer it (a query of negations only, `-word`, would read every row).
 */
export async function measureQuery(
  db: Database,
  language: string,
  q: string,
): Promise<{ nodes: number; indexable: boolean }> {
  const { rows } = await sql<{ nodes: number; indexable: boolean }>`
    select greatest(numnode(w), numnode(p)) as nodes, querytree(w) <> 'T' and querytree(p) <> 'T' as indexable
    from websearch_to_tsquery(${language}::regconfig, ${q}) w, websearch_to_tsquery('simple'::regconfig, ${q}) p`.execute(
    db,
  );
  const row = rows[0];
  return { nodes: row?.nodes ?? 0, indexable: row?.indexable === true };
}

/**
 * One page of the messages matching `q` that the viewer may see, newest first, after `after`: in the
 * viewer's organization, or only those linked to `memberId` (R10's links) when it is given.
 */
export async function searchMessages(
  db: Database,
  viewer: Viewer,
  search: {
    q: string;
    language: string;
    memberId?: string | undefined;
    limit: number;
    after?: SearchPosition | undefined;
  },
): Promise<SearchHit[]> {
  const words = sql`websearch_to_tsquery(${search.language}::regconfig, ${search.q})`;
  const people = sql`websearch_to_tsquery('simple'::regconfig, ${search.q})`;
  const ofMember: RawBuilder<boolean> =
    search.memberId === undefined
      ? sql<boolean>`true`
      : sql<boolean>`s.member_ids @> array[${search.memberId}]::uuid[]`;
  const inmailOfMember: RawBuilder<boolean> =
    search.memberId === undefined ? sql<boolean>`true` : sql<boolean>`c.member_id = ${search.memberId}`;
  const before = (at: RawBuilder<unknown>, key: RawBuilder<unknown>): RawBuilder<boolean> =>
    search.after === undefined
      ? sql<boolean>`true`
      : sql<boolean>`(${at}, ${key}) < (${search.after.at}::timestamptz, ${search.after.key}::text)`;
  const mailKey = sql`'m' || lpad(s.seq::text, 19, '0')`;

  // One branch per reading of the query, each cut at the position and limited before the union: the
  // index then answers each condition exactly, and no row's words are read again to check it.
  const branch = (match: RawBuilder<boolean>) => sql`(
      select 'email' as kind, s.org_id, s.message_id, s.thread_id, s.received_at as at, ${mailKey} as key
      from message_search s
      join threads t on t.org_id = s.org_id and t.id = s.thread_id
      where s.org_id = ${viewer.orgId} and ${visibleTo(viewer)} and ${match} and ${ofMember}
        and ${before(sql`s.received_at`, mailKey)}
      order by s.received_at desc, s.seq desc
      limit ${search.limit})`;
  // InMail, read by the whole organization: a message by its body, a conversation by its subject (its
  // first message stands for it). The expressions are migration 0013's indexes, word for word.
  const inmailKey = sql`'i' || im.id::text`;
  const inmailBodies = sql`(
      select 'inmail' as kind, im.org_id, im.id as message_id, im.conversation_id as thread_id,
          im.created_at as at, ${inmailKey} as key
      from inmail_messages im
      join inmail_conversations c on c.org_id = im.org_id and c.id = im.conversation_id
      where im.org_id = ${viewer.orgId} and to_tsvector('simple'::regconfig, im.body) @@ ${people}
        and ${inmailOfMember} and ${before(sql`im.created_at`, inmailKey)}
      order by im.created_at desc, im.id desc
      limit ${search.limit})`;
  const inmailSubjects = sql`(
      select 'inmail' as kind, im.org_id, im.id as message_id, c.id as thread_id,
          im.created_at as at, ${inmailKey} as key
      from inmail_conversations c
      cross join lateral (
        select i.org_id, i.id, i.created_at from inmail_messages i
        where i.org_id = c.org_id and i.conversation_id = c.id
        order by i.created_at, i.id limit 1) im
      where c.org_id = ${viewer.orgId} and to_tsvector('simple'::regconfig, c.subject) @@ ${people}
        and ${inmailOfMember} and ${before(sql`im.created_at`, inmailKey)}
      order by im.created_at desc, im.id desc
      limit ${search.limit})`;

  const { rows } = await sql<Row>`
    with hit as (
      ${branch(contentMatches(viewer, sql<boolean>`s.words @@ ${words}`))}
      union
      ${branch(sql<boolean>`s.people @@ ${people}`)}
      union
      ${inmailBodies}
      union
      ${inmailSubjects}
      order by at desc, key desc
      limit ${search.limit})
    select hit.kind, hit.thread_id, ${content(viewer, 'm.id')} as message_id, hit.key,
        hit.at, ${exactTime(sql`hit.at`)} as at_exact,
        m.direction, t.owner_user_id as owner_id, u.name as owner_name, t.visibility,
        ${accessColumn(viewer)} as access,
        ${content(viewer, 'm.subject')} as subject, ${content(viewer, 'm.snippet')} as snippet
    from hit
    join threads t on t.org_id = hit.org_id and t.id = hit.thread_id
    join messages m on m.org_id = hit.org_id and m.id = hit.message_id
    join users u on u.org_id = t.org_id and u.id = t.owner_user_id
    where hit.kind = 'email'
    union all
    select hit.kind, hit.thread_id, im.id as message_id, hit.key,
        hit.at, ${exactTime(sql`hit.at`)} as at_exact,
        case im.sender when 'user' then 'sent' else 'received' end as direction,
        c.user_id as owner_id, u.name as owner_name, 'organization' as visibility, 'full' as access,
        c.subject, left(im.body, 200) as snippet
    from hit
    join inmail_messages im on im.org_id = hit.org_id and im.id = hit.message_id
    join inmail_conversations c on c.org_id = im.org_id and c.id = im.conversation_id
    join users u on u.org_id = c.org_id and u.id = c.user_id
    where hit.kind = 'inmail'
    order by at desc, key desc`.execute(db);

  return rows.map((row) => ({
    kind: row.kind,
    threadId: row.thread_id,
    messageId: row.message_id,
    at: row.at,
    position: { at: row.at_exact, key: row.key },
    direction: row.direction,
    owner: { id: row.owner_id, name: row.owner_name },
    visibility: row.visibility,
    access: row.access,
    subject: row.subject,
    snippet: row.snippet,
  }));
}

/** A timestamp as text PostgreSQL reads back exactly (a JavaScript Date would drop the microseconds). */
function exactTime(column: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
