/**
 * Sync (R9–R11, R13–R15, R19): each connection's sync state (cursor, push channel, health), the synced
 * threads and messages with the members they are linked to, and why each skipped message was skipped.
 *
 * Visibility lives on the thread only (R15); a message is visible exactly when its thread is. Messages
 * are keyed by (connection, provider message id), which makes ingest idempotent.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table mailbox_sync (
      org_id uuid not null,
      connection_id uuid not null,
      cursor jsonb,
      -- The push channel: a Gmail watch, or a Graph subscription (id, and a hash of its clientState).
      push_subscription_id text unique,
      push_client_state_hash bytea,
      push_expires_at timestamptz,
      last_push_at timestamptz,
      last_sync_started_at timestamptz,
      -- The start of the last sync that finished: everything before it was seen ("last safe time").
      last_sync_succeeded_at timestamptz,
      last_sync_duration_ms integer,
      messages_synced bigint not null default 0,
      consecutive_failures integer not null default 0,
      backoff_until timestamptz,
      last_error text,
      last_error_at timestamptz,
      primary key (org_id, connection_id),
      foreign key (org_id, connection_id) references mailbox_connections (org_id, id) on delete cascade
    );
    create index mailbox_sync_push_expiry on mailbox_sync (push_expires_at);

    create table threads (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      connection_id uuid not null,
      owner_user_id uuid not null,
      provider_thread_id text not null,
      visibility text not null default 'private' check (visibility in ('private', 'organization')),
      subject text not null default '',
      last_message_at timestamptz,
      created_at timestamptz not null default now(),
      primary key (org_id, id),
      unique (org_id, connection_id, provider_thread_id),
      foreign key (org_id, connection_id) references mailbox_connections (org_id, id) on delete cascade,
      foreign key (org_id, owner_user_id) references users (org_id, id) on delete cascade
    );
    create index threads_owner on threads (org_id, owner_user_id, last_message_at desc);

    create table messages (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      thread_id uuid not null,
      connection_id uuid not null,
      provider_message_id text not null,
      rfc_message_id text,
      in_reply_to text,
      "references" text[] not null default '{}',
      direction text not null check (direction in ('sent', 'received')),
      from_address jsonb,
      to_addresses jsonb not null default '[]',
      cc_addresses jsonb not null default '[]',
      bcc_addresses jsonb not null default '[]',
      subject text not null default '',
      sent_at timestamptz,
      received_at timestamptz not null,
      snippet text not null default '',
      body_text text not null default '',
      body_html text,
      attachments jsonb not null default '[]',
      created_at timestamptz not null default now(),
      primary key (org_id, id),
      unique (org_id, connection_id, provider_message_id),
      foreign key (org_id, thread_id) references threads (org_id, id) on delete cascade
    );
    create index messages_thread on messages (org_id, thread_id, received_at);
    create index messages_rfc_id on messages (org_id, connection_id, rfc_message_id);

    create table message_members (
      org_id uuid not null,
      message_id uuid not null,
      member_id uuid not null references members (id) on delete cascade,
      primary key (org_id, message_id, member_id),
      foreign key (org_id, message_id) references messages (org_id, id) on delete cascade
    );
    create index message_members_member on message_members (member_id);

    -- R19: one row per message looked at and not synced. No address, subject or body: the provider's id,
    -- a SHA-256 of the RFC Message-ID (to look it up by), the rule, and when.
    create table sync_decisions (
      org_id uuid not null,
      connection_id uuid not null,
      provider_message_id text not null,
      rfc_message_id_hash bytea,
      rule text not null
        check (rule in ('before_authorization', 'no_member', 'not_discoverable', 'internal_only', 'erased', 'draft_or_spam')),
      decided_at timestamptz not null default now(),
      primary key (org_id, connection_id, provider_message_id),
      foreign key (org_id, connection_id) references mailbox_connections (org_id, id) on delete cascade
    );
    create index sync_decisions_rfc on sync_decisions (org_id, connection_id, rfc_message_id_hash);
    create index sync_decisions_age on sync_decisions (decided_at);

    -- The push channel to stop before a grant is revoked: a Gmail watch, or a Graph subscription by id.
    alter table pending_revocations add column push_subscription_id text, add column push_active boolean not null default false;
  `.execute(db);
}
