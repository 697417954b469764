/**
 * `member_threads` (0014) kept by statement-level triggers over transition tables instead of one trigger
 * call per `message_members` row. A member's erasure (R16) deletes thousands of messages in one
 * statement; each took its links with it, and each link ran the per-row trigger's lookup and delete: on the
 * history benchmark that tripled the cost of deleting a message, and erasing a member with 7,500 messages
 * ran into the statement timeout. Now a statement's inserted or deleted links are handled together, in one
 * set-based statement each. What the table holds is unchanged (test/db/member-threads.test.ts).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger member_threads_link on message_members;
    drop trigger member_threads_unlink on message_members;
    drop function member_threads_link();
    drop function member_threads_unlink();

    create function member_threads_link() returns trigger language plpgsql as $$
    begin
      insert into member_threads (org_id, member_id, thread_id, last_message_at)
        select distinct n.org_id, n.member_id, n.thread_id, t.last_message_at
        from linked n
        join threads t on t.org_id = n.org_id and t.id = n.thread_id
        where t.last_message_at is not null
        on conflict do nothing;
      return null;
    end $$;
    create trigger member_threads_link after insert on message_members
      referencing new table as linked
      for each statement execute function member_threads_link();

    create function member_threads_unlink() returns trigger language plpgsql as $$
    begin
      delete from member_threads mt
        using (select distinct org_id, member_id, thread_id from unlinked) o
        where mt.org_id = o.org_id and mt.thread_id = o.thread_id and mt.member_id = o.member_id
          and not exists (
            select 1 from message_members mm
            where mm.org_id = o.org_id and mm.member_id = o.member_id and mm.thread_id = o.thread_id
          );
      return null;
    end $$;
    create trigger member_threads_unlink after delete on message_members
      referencing old table as unlinked
      for each statement execute function member_threads_unlink();
  `.execute(db);
}
