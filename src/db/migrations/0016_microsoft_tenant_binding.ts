/**
 * An organization on Microsoft is bound to its Entra tenant (issue 12, item 15): `microsoft_tenant_id`
 * (migration 0002) is now also set by the first admin's connection, and connections from any other tenant
 * are refused unless an admin lists that tenant here. Personal Microsoft accounts (the consumer tenant) are
 * not a tenant an organization owns and are governed by R8 instead.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table organizations
      add column microsoft_allowed_tenant_ids text[] not null default '{}'
        check (cardinality(microsoft_allowed_tenant_ids) <= 50);
  `.execute(db);
}
