/**
 * Connect flows bound to their user (issue 8, item 1): a consumer mailbox (R8) connects only after its
 * user confirms, so the grant obtained at consent waits on the flow, sealed, until the confirmation (or
 * is revoked when it never comes).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table oauth_flows add column held_grant text;
    create index oauth_flows_held on oauth_flows (expires_at) where held_grant is not null;
  `.execute(db);
}
