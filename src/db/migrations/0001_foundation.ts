/**
 * The platform's core: organizations and their users, access tokens, the member directory, InMail.
 *
 * Every organization-owned table carries `org_id` and has it first in its primary key, and rows refer to
 * each other through `(org_id, id)` pairs: a row can never point into another organization, even by
 * mistake, and the tables can be distributed on `org_id` (Citus) without change. Members are the
 * platform's, not an organization's, so their tables have no `org_id` (a reference table under Citus).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table organizations (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 200),
      primary_domain text not null check (primary_domain = lower(primary_domain)),
      created_at timestamptz not null default now()
    );

    create table users (
      org_id uuid not null references organizations (id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      email text not null check (email = lower(email)),
      name text not null check (length(name) between 1 and 200),
      role text not null check (role in ('admin', 'member')),
      created_at timestamptz not null default now(),
      primary key (org_id, id),
      unique (org_id, email)
    );

    create table members (
      id uuid primary key default gen_random_uuid(),
      external_id text unique,
      name text not null check (length(name) between 1 and 200),
      headline text not null default '',
      discoverability text not null check (discoverability in ('anyone', 'connections', 'nobody')),
      discoverability_changed_at timestamptz not null default now(),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    -- One row per address; "normalized" is the R10 comparison form, unique across all members.
    create table member_emails (
      normalized text primary key,
      member_id uuid not null references members (id) on delete cascade,
      address text not null,
      position smallint not null default 0,
      created_at timestamptz not null default now()
    );
    create index member_emails_member on member_emails (member_id);

    -- Bearer credentials. Only a hash of the secret is kept; the id is the token's public half.
    create table access_tokens (
      id text primary key,
      secret_hash bytea not null,
      principal text not null check (principal in ('user', 'member', 'operator')),
      org_id uuid,
      user_id uuid,
      member_id uuid references members (id) on delete cascade,
      name text not null default '',
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      foreign key (org_id, user_id) references users (org_id, id) on delete cascade,
      check ((principal = 'user') = (org_id is not null and user_id is not null)),
      check ((principal = 'member') = (member_id is not null))
    );

    create table inmail_conversations (
      org_id uuid not null references organizations (id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      user_id uuid not null,
      member_id uuid not null references members (id) on delete cascade,
      subject text not null check (length(subject) between 1 and 300),
      created_at timestamptz not null default now(),
      last_message_at timestamptz not null default now(),
      primary key (org_id, id),
      foreign key (org_id, user_id) references users (org_id, id) on delete cascade
    );
    create unique index inmail_conversations_id on inmail_conversations (id);
    create index inmail_conversations_org_member on inmail_conversations (org_id, member_id, last_message_at desc);
    create index inmail_conversations_member on inmail_conversations (member_id, last_message_at desc);

    create table inmail_messages (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      conversation_id uuid not null,
      sender text not null check (sender in ('user', 'member')),
      user_id uuid,
      body text not null check (length(body) between 1 and 20000),
      created_at timestamptz not null default clock_timestamp(),
      primary key (org_id, id),
      foreign key (org_id, conversation_id) references inmail_conversations (org_id, id) on delete cascade,
      foreign key (org_id, user_id) references users (org_id, id) on delete cascade,
      check ((sender = 'user') = (user_id is not null))
    );
    create index inmail_messages_conversation on inmail_messages (org_id, conversation_id, created_at);
  `.execute(db);
}
