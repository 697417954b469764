/** Organizations: the tenants. */
import type { Database } from './database.ts';

export interface Organization {
  id: string;
  name: string;
  primaryDomain: string;
  createdAt: Date;
}

export async function insertOrganization(
  db: Database,
  input: { name: string; primaryDomain: string },
): Promise<Organization> {
  const row = await db
    .insertInto('organizations')
    .values({ name: input.name, primary_domain: input.primaryDomain })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toOrganization(row);
}

export async function findOrganization(db: Database, orgId: string): Promise<Organization | undefined> {
  const row = await db.selectFrom('organizations').selectAll().where('id', '=', orgId).executeTakeFirst();
  return row && toOrganization(row);
}

/** Looks an organization up by its id or, when unambiguous, by its primary domain (for the CLI). */
export async function findOrganizationByRef(db: Database, ref: string): Promise<Organization[]> {
  const byId = /^[0-9a-f-]{36}$/i.test(ref) ? await findOrganization(db, ref) : undefined;
  if (byId) return [byId];
  const rows = await db
    .selectFrom('organizations')
    .selectAll()
    .where('primary_domain', '=', ref.toLowerCase())
    .execute();
  return rows.map(toOrganization);
}

function toOrganization(row: { id: string; name: string; primary_domain: string; created_at: Date }) {
  return { id: row.id, name: row.name, primaryDomain: row.primary_domain, createdAt: row.created_at };
}
