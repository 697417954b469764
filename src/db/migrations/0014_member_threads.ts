/**
 * A member's threads in order of activity (R17), so a page of a member's history reads only the threads
 * it shows: `member_threads` holds one row per (organization, member, thread) the member appears in,
 * with the thread's `last_message_at` copied, and an index in the history's order. Before it, a page
 * looked up every thread of the member (3,421 for the benchmark's member with 5,000 messages) to sort
 * them and keep 50.
 *
 * Triggers keep it true whatever writes the links, so no code path (sync, R13 deletion, R16 erasure, a
 * cascade from a connection, user or member) can forget it:
 * - a `message_members` row inserted adds its (member, thread), with the thread's current activity;
 * - a thread's `last_message_at` changing moves its rows;
 * - a `message_members` row deleted removes its (member, thread) once no other message of that thread
 *   names the member; a deleted thread or member takes its rows by cascade.
 * Nothing here is content: ids and a time the history shows anyway.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table member_threads (
      org_id uuid not null,
      member_id uuid not null references members (id) on delete cascade,
      thread_id uuid not null,
      last_message_at timestamptz not null,
      primary key (org_id, thread_id, member_id),
      foreign key (org_id, thread_id) references threads (org_id, id) on delete cascade
    );
    create index member_threads_activity
      on member_threads (org_id, member_id, last_message_at desc, thread_id desc);

    insert into member_threads (org_id, member_id, thread_id, last_message_at)
      select distinct mm.org_id, mm.member_id, mm.thread_id, t.last_message_at
      from message_members mm join threads t on t.org_id = mm.org_id and t.id = mm.thread_id
      where t.last_message_at is not null;

    create function member_threads_link() returns trigger language plpgsql as $$
    begin
      insert into member_threads (org_id, member_id, thread_id, last_message_at)
        select new.org_id, new.member_id, new.thread_id, t.last_message_at
        from threads t
        where t.org_id = new.org_id and t.id = new.thread_id and t.last_message_at is not null
        on conflict do nothing;
      return null;
    end $$;
    create trigger member_threads_link after insert on message_members
      for each row execute function member_threads_link();

    create function member_threads_unlink() returns trigger language plpgsql as $$
    begin
      if not exists (
        select 1 from message_members mm
        where mm.org_id = old.org_id and mm.member_id = old.member_id and mm.thread_id = old.thread_id
      ) then
        delete from member_threads mt
          where mt.org_id = old.org_id and mt.thread_id = old.thread_id and mt.member_id = old.member_id;
      end if;
      return null;
    end $$;
    create trigger member_threads_unlink after delete on message_members
      for each row execute function member_threads_unlink();

    create function member_threads_activity() returns trigger language plpgsql as $$
    begin
      if new.last_message_at is null then
        delete from member_threads mt where mt.org_id = new.org_id and mt.thread_id = new.id;
      elsif old.last_message_at is null then
        insert into member_threads (org_id, member_id, thread_id, last_message_at)
          select distinct mm.org_id, mm.member_id, mm.thread_id, new.last_message_at
          from message_members mm
          where mm.org_id = new.org_id and mm.thread_id = new.id
          on conflict do nothing;
      else
        update member_threads mt set last_message_at = new.last_message_at
          where mt.org_id = new.org_id and mt.thread_id = new.id;
      end if;
      return null;
    end $$;
    create trigger member_threads_activity after update of last_message_at on threads
      for each row when (old.last_message_at is distinct from new.last_message_at)
      execute function member_threads_activity();
  `.execute(db);
}
