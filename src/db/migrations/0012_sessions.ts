/**
 * Browser sessions (issue 11): what the web app's cookie stands for. Like access tokens, a session is a
 * user's (in one organization) or a member's, so the table is the platform's, not one organization's.
 * Only a SHA-256 of the cookie's random value is kept, so a copy of the table signs nobody in. A session
 * ends at `expires_at` (absolute), after `idle` without use (checked against `last_seen_at`), or when
 * revoked (sign-out, or all of a user's sessions at once). `csrf_token` is the synchronizer token the
 * app sends back on every state-changing request; it is no credential without the cookie.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sessions (
      id_hash bytea primary key,
      principal text not null check (principal in ('user', 'member')),
      org_id uuid,
      user_id uuid,
      member_id uuid references members (id) on delete cascade,
      csrf_token text not null,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz,
      foreign key (org_id, user_id) references users (org_id, id) on delete cascade,
      check (
        (principal = 'user' and org_id is not null and user_id is not null and member_id is null) or
        (principal = 'member' and member_id is not null and org_id is null and user_id is null)
      )
    );
    create index sessions_user on sessions (org_id, user_id) where revoked_at is null;
    create index sessions_expiry on sessions (expires_at);
  `.execute(db);
}
