/**
 * Search over synced mail (issue 9): a side table `message_search`, one row per message, holding what
 * `db/search.ts` matches a query against. Kept beside `messages` rather than in it so that a search
 * engine replacing PostgreSQL's full-text search (a BM25 extension) drops one table and touches nothing
 * else, and so that the message rows stay as narrow as before.
 * - `words`: subject and the first 64 KiB of the text body, in the configured language (`SEARCH_LANGUAGE`),
 *   and Bcc's names and addresses (Bcc is content, R15). Matched only where the viewer sees content.
 * - `people`: the names, addresses and address domains of From, To and Cc, always in `simple` (names are
 *   not stemmed). What `metadata` threads are found by.
 * - `member_ids`: the members the message is linked to, so that search within one member's mail is
 *   answered by the same index rather than by checking each of their messages one at a time.
 * - `thread_id` and `received_at` are copied from the message (both never change) so that a page is
 *   chosen from this table and the threads alone; only the page's rows read `messages`. `seq` breaks
 *   ties between equal times in the keyset, in place of the message id, which is content (R15).
 * Each row goes with its message (`on delete cascade`): R13 deletions and R16 erasure remove it.
 *
 * Indexes: GIN on (org_id, member_ids, words) and (org_id, member_ids, people) with `btree_gin`, so a
 * word in one organization, or in one member's mail there, is one index probe that intersects the
 * posting lists inside the index (a GIN column that the query leaves out costs nothing). A page then
 * sorts the matches by (received_at, seq), read from this table, and keeps the newest: no ranking.
 * A B-tree on (org_id, received_at) to walk the newest mail was tried and dropped: by hand on 100,000
 * messages the walk was slower than the GIN probe for every word, common ones included. `fastupdate` is
 * off: sync inserts a message at a time, and a GIN pending list (up to 4 MB, scanned whole by every
 * query until a vacuum merges it) would cost each search more than it saves each insert. A bulk load
 * should create the GIN indexes after loading.
 *
 * The backfill indexes existing mail in `simple`, the default language; this migration cannot know the
 * setting. Its SQL repeats `db/search.ts` on purpose: a migration, once landed, is never edited.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create extension if not exists btree_gin;
    create table message_search (
      org_id uuid not null,
      message_id uuid not null,
      thread_id uuid not null,
      received_at timestamptz not null,
      words tsvector not null,
      people tsvector not null,
      -- The members the message is linked to (R10; \`message_members\`, which never changes after storing).
      member_ids uuid[] not null default '{}',
      -- The keyset's tie-break: unlike the message id, it says nothing of a \`metadata\` thread's content.
      seq bigint generated always as identity,
      primary key (org_id, message_id),
      foreign key (org_id, message_id) references messages (org_id, id) on delete cascade
    );
    insert into message_search (org_id, message_id, thread_id, received_at, words, people, member_ids)
    select m.org_id, m.id, m.thread_id, m.received_at,
      to_tsvector('simple'::regconfig, m.subject || ' ' || left(m.body_text, 65536))
        || to_tsvector('simple'::regconfig, coalesce((
          select string_agg(concat_ws(' ', a->>'name', a->>'address', split_part(a->>'address', '@', 2)), ' ')
          from jsonb_array_elements(m.bcc_addresses) a), '')),
      to_tsvector('simple'::regconfig, coalesce((
        select string_agg(concat_ws(' ', a->>'name', a->>'address', split_part(a->>'address', '@', 2)), ' ')
        from jsonb_array_elements(
          case when m.from_address is null then '[]'::jsonb else jsonb_build_array(m.from_address) end
          || m.to_addresses || m.cc_addresses) a), '')),
      array(select mm.member_id from message_members mm where mm.org_id = m.org_id and mm.message_id = m.id)
    from messages m;
    create index message_search_words on message_search using gin (org_id, member_ids, words)
      with (fastupdate = off);
    create index message_search_people on message_search using gin (org_id, member_ids, people)
      with (fastupdate = off);
  `.execute(db);
}
