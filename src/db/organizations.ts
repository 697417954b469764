/** Organizations: the tenants. */
import type { Database } from './database.ts';
import type { ProviderSetting } from './schema.ts';

export interface Organization {
  id: string;
  name: string;
  primaryDomain: string;
  createdAt: Date;
}

/** What an admin sets (R2, R9, R11) and what Microsoft admin consent recorded. */
export interface OrganizationSettings {
  provider: ProviderSetting;
  internalDomains: string[];
  backfillDays: number;
  /** The Entra tenant the organization is bound to (admin consent, or its first admin's connection). */
  microsoftTenantId: string | null;
  microsoftAdminConsentAt: Date | null;
  /** Other Entra tenants whose mailboxes an admin allowed to connect. */
  microsoftAllowedTenantIds: string[];
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

const SETTINGS = [
  'provider',
  'internal_domains',
  'backfill_days',
  'microsoft_tenant_id',
  'microsoft_admin_consent_at',
  'microsoft_allowed_tenant_ids',
] as const;

export async function findSettings(db: Database, orgId: string): Promise<OrganizationSettings | undefined> {
  const row = await db
    .selectFrom('organizations')
    .select(SETTINGS)
    .where('id', '=', orgId)
    .executeTakeFirst();
  return row && toSettings(row);
}

/** Reads the settings and locks the organization row until the transaction ends (provider changes). */
export async function lockSettings(db: Database, orgId: string): Promise<OrganizationSettings | undefined> {
  const row = await db
    .selectFrom('organizations')
    .select(SETTINGS)
    .where('id', '=', orgId)
    .forUpdate()
    .executeTakeFirst();
  return row && toSettings(row);
}

export async function updateSettings(
  db: Database,
  orgId: string,
  changes: Partial<OrganizationSettings>,
): Promise<void> {
  const values = {
    ...(changes.provider !== undefined && { provider: changes.provider }),
    ...(changes.internalDomains !== undefined && { internal_domains: changes.internalDomains }),
    ...(changes.backfillDays !== undefined && { backfill_days: changes.backfillDays }),
    ...(changes.microsoftTenantId !== undefined && { microsoft_tenant_id: changes.microsoftTenantId }),
    ...(changes.microsoftAdminConsentAt !== undefined && {
      microsoft_admin_consent_at: changes.microsoftAdminConsentAt,
    }),
    ...(changes.microsoftAllowedTenantIds !== undefined && {
      microsoft_allowed_tenant_ids: changes.microsoftAllowedTenantIds,
    }),
  };
  if (Object.keys(values).length === 0) return;
  await db.updateTable('organizations').set(values).where('id', '=', orgId).execute();
}

function toSettings(row: {
  provider: ProviderSetting;
  internal_domains: string[];
  backfill_days: number;
  microsoft_tenant_id: string | null;
  microsoft_admin_consent_at: Date | null;
  microsoft_allowed_tenant_ids: string[];
}): OrganizationSettings {
  return {
    provider: row.provider,
    internalDomains: row.internal_domains,
    backfillDays: row.backfill_days,
    microsoftTenantId: row.microsoft_tenant_id,
    microsoftAdminConsentAt: row.microsoft_admin_consent_at,
    microsoftAllowedTenantIds: row.microsoft_allowed_tenant_ids,
  };
}

/**
 * Binds the organization to an Entra tenant unless it already is bound; answers the tenant it is bound to
 * afterwards (this one, or the one bound first).
 */
export async function bindMicrosoftTenant(db: Database, orgId: string, tenantId: string): Promise<string> {
  await db
    .updateTable('organizations')
    .set({ microsoft_tenant_id: tenantId })
    .where('id', '=', orgId)
    .where('microsoft_tenant_id', 'is', null)
    .execute();
  const row = await db
    .selectFrom('organizations')
    .select('microsoft_tenant_id')
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  return row.microsoft_tenant_id ?? tenantId;
}

function toOrganization(row: { id: string; name: string; primary_domain: string; created_at: Date }) {
  return { id: row.id, name: row.name, primaryDomain: row.primary_domain, createdAt: row.created_at };
}
