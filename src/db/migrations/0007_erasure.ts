/**
 * R16 erasure (issue 9). Nothing here holds content or a clear address:
 * - `suppressions`: a member's normalized addresses as keyed hashes (HMAC, `domain/vault.ts` digests),
 *   with the time of the erasure; sync answers R19 `no_member` for them until the member consents again.
 * - `erasures`: who asked, when, how many messages and threads, in which organizations.
 * - `erased_messages`: tombstones of the provider ids of messages an owner erased with their thread (a
 *   SHA-256 of the id), so R13's re-sync, a restore from Trash or a cursor recovery never brings them
 *   back; kept apart from R19's rows, which age out.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table suppressions (
      address_hash bytea primary key,
      suppressed_at timestamptz not null default now()
    );
    create table erasures (
      id uuid primary key default gen_random_uuid(),
      at timestamptz not null default now(),
      requested_by text not null check (requested_by in ('member', 'operator')),
      member_id uuid not null,
      org_ids uuid[] not null,
      messages integer not null,
      threads integer not null
    );
    create index erasures_member on erasures (member_id, at desc);
    create table erased_messages (
      org_id uuid not null,
      connection_id uuid not null,
      provider_message_hash bytea not null,
      erased_at timestamptz not null default now(),
      primary key (org_id, connection_id, provider_message_hash),
      foreign key (org_id, connection_id) references mailbox_connections (org_id, id) on delete cascade
    );
  `.execute(db);
}
