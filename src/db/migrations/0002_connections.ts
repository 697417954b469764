/**
 * Connecting mailboxes (R2–R8): the organization's provider setting, each user's mailbox connection with its
 * sealed tokens, the OAuth flows in progress, grants waiting to be revoked at the provider, and the audit log.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table organizations
      add column provider text not null default 'none' check (provider in ('none', 'google', 'microsoft')),
      add column internal_domains text[] not null default '{}',
      add column backfill_days integer not null default 0 check (backfill_days between 0 and 365),
      add column microsoft_tenant_id text,
      add column microsoft_admin_consent_at timestamptz;

    -- Who did what, when; never any mail content or secret.
    create table audit_events (
      org_id uuid not null references organizations (id) on delete cascade,
      id bigint generated always as identity,
      at timestamptz not null default now(),
      actor_user_id uuid,
      action text not null,
      details jsonb not null default '{}',
      primary key (org_id, id)
    );

    -- One row per authorization of a mailbox. A user's live connection is 'connected' or
    -- 'reauthorization_required' (R7: the grant died; cursor and data are kept for the reconnect).
    -- 'disconnected' (the user, R12) and 'deauthorized' (the admin, R4/R5) are final: tokens are gone.
    create table mailbox_connections (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      user_id uuid not null,
      provider text not null check (provider in ('google', 'microsoft')),
      address text not null check (address = lower(address)),
      status text not null
        check (status in ('connected', 'reauthorization_required', 'disconnected', 'deauthorized')),
      provider_subject text not null,
      tenant_id text,
      scopes text[] not null default '{}',
      warning text,
      authorized_at timestamptz not null,
      refresh_token text,
      access_token text,
      access_token_expires_at timestamptz,
      last_error text,
      last_error_at timestamptz,
      status_changed_at timestamptz not null default now(),
      created_at timestamptz not null default now(),
      primary key (org_id, id),
      foreign key (org_id, user_id) references users (org_id, id) on delete cascade,
      check (status in ('connected', 'reauthorization_required') or (refresh_token is null and access_token is null))
    );
    create unique index mailbox_connections_live_address on mailbox_connections (provider, address)
      where status in ('connected', 'reauthorization_required');
    create unique index mailbox_connections_live_user on mailbox_connections (org_id, user_id)
      where status in ('connected', 'reauthorization_required');
    create index mailbox_connections_refresh on mailbox_connections (access_token_expires_at)
      where status = 'connected';

    -- A consent flow between "connect" and the provider's callback. The start link, the OAuth state and
    -- the browser cookie are stored as hashes; each is single-use and the whole flow expires.
    create table oauth_flows (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      user_id uuid not null,
      purpose text not null check (purpose in ('connect', 'admin_consent')),
      provider text not null check (provider in ('google', 'microsoft')),
      link_hash bytea not null unique,
      state_hash bytea unique,
      browser_hash bytea,
      code_verifier text,
      nonce text,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      started_at timestamptz,
      finished_at timestamptz,
      primary key (org_id, id),
      foreign key (org_id, user_id) references users (org_id, id) on delete cascade
    );
    create index oauth_flows_expires on oauth_flows (expires_at);

    -- Grants taken from connections that were ended, waiting for a job to revoke them at the provider
    -- (best effort). The token stays sealed here and the row goes once the attempt is over.
    create table pending_revocations (
      org_id uuid not null references organizations (id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      connection_id uuid not null,
      provider text not null check (provider in ('google', 'microsoft')),
      token text not null,
      created_at timestamptz not null default now(),
      primary key (org_id, id)
    );
  `.execute(db);
}
