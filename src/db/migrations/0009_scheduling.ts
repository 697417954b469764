/**
 * R18 scheduling (issue 10).
 * - `scheduling_settings`: a recruiter's defaults for proposing (working hours in their IANA zone, minimum
 *   notice, buffers, daily cap) and the candidate's change limits (cutoff before the start, times allowed).
 * - `interview_proposals`: the slots offered in one InMail conversation, with the rules they were computed
 *   by, until they expire (1, 2 or 3 weeks) or are booked.
 * - `interview_bookings`: one interview. `span` is its time widened by the buffers; the EXCLUDE constraint
 *   makes two overlapping booked interviews of one recruiter impossible whatever the race, and a partial
 *   unique index lets a proposal hold one booked interview. A booking without `event_id` is held: its
 *   calendar event is being created (with the booking's `event_key`, so a retry never makes a second).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create extension if not exists btree_gist;

    create table scheduling_settings (
      org_id uuid not null,
      user_id uuid not null,
      time_zone text not null,
      working_days smallint[] not null check (cardinality(working_days) between 1 and 7),
      work_start text not null check (work_start ~ '^[0-2][0-9]:[0-5][0-9]$'),
      work_end text not null check (work_end ~ '^[0-2][0-9]:[0-5][0-9]$'),
      minimum_notice_minutes integer not null check (minimum_notice_minutes >= 0),
      buffer_before_minutes integer not null check (buffer_before_minutes >= 0),
      buffer_after_minutes integer not null check (buffer_after_minutes >= 0),
      daily_cap integer check (daily_cap >= 1),
      change_cutoff_minutes integer not null check (change_cutoff_minutes >= 0),
      max_reschedules integer not null check (max_reschedules >= 0),
      updated_at timestamptz not null default now(),
      primary key (org_id, user_id),
      foreign key (org_id, user_id) references users (org_id, id) on delete cascade
    );

    create table interview_proposals (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      conversation_id uuid not null,
      user_id uuid not null,
      member_id uuid not null references members (id) on delete cascade,
      rules jsonb not null,
      slots jsonb not null,
      change_cutoff_minutes integer not null,
      max_reschedules integer not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      status text not null default 'open' check (status in ('open', 'booked', 'closed')),
      primary key (org_id, id),
      foreign key (org_id, conversation_id) references inmail_conversations (org_id, id) on delete cascade,
      foreign key (org_id, user_id) references users (org_id, id) on delete cascade
    );
    create unique index interview_proposals_id on interview_proposals (id);

    create table interview_bookings (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      proposal_id uuid not null,
      user_id uuid not null,
      member_id uuid not null references members (id) on delete cascade,
      conversation_id uuid not null,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      span tstzrange not null,
      candidate_time_zone text not null,
      status text not null default 'booked' check (status in ('booked', 'cancelled')),
      event_key text not null,
      event_id text,
      ical_uid text,
      conference_status text check (conference_status in ('ready', 'pending', 'failed')),
      conference_url text,
      reschedule_count integer not null default 0,
      reminder_sent_at timestamptz,
      cancelled_by text check (cancelled_by in ('user', 'member', 'calendar')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (org_id, id),
      unique (org_id, event_key),
      foreign key (org_id, proposal_id) references interview_proposals (org_id, id) on delete cascade,
      foreign key (org_id, user_id) references users (org_id, id) on delete cascade,
      check (starts_at < ends_at and span @> tstzrange(starts_at, ends_at)),
      constraint interview_bookings_no_overlap
        exclude using gist (org_id with =, user_id with =, span with &&) where (status = 'booked')
    );
    create unique index interview_bookings_id on interview_bookings (id);
    create unique index interview_bookings_once on interview_bookings (org_id, proposal_id) where status = 'booked';
    create index interview_bookings_upcoming on interview_bookings (starts_at) where status = 'booked';
  `.execute(db);
}
