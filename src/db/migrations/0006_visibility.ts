/**
 * R15's third level (issue 9): a thread may be shared as `metadata`, so colleagues see that it exists
 * but none of its content. The partial index serves the colleague's side of the thread list, which reads
 * only shared threads; an owner's own threads already have `threads_owner`.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table threads drop constraint threads_visibility_check;
    alter table threads add constraint threads_visibility_check
      check (visibility in ('private', 'metadata', 'organization'));
    create index threads_shared on threads (org_id, last_message_at desc, id desc) where visibility <> 'private';
  `.execute(db);
}
