/**
 * The organization's integration settings (R2, R4, R5, R9, R11). Choosing `none` ("Do Not Integrate") or
 * switching between Google and Microsoft un-authorizes every connection of the organization in the same
 * transaction as the change: tokens erased (revoked at the provider afterwards, best effort), sync stopped,
 * and an audit entry with who, from, to and how many.
 */
import { insertAuditEvent } from '../db/audit.ts';
import { lockLiveConnections } from '../db/connections.ts';
import { lockSettings, type OrganizationSettings, updateSettings } from '../db/organizations.ts';
import type { ProviderSetting } from '../db/schema.ts';
import { AppError, notFound } from '../domain/errors.ts';
import { canonicalDomain, extraInternalDomainProblem } from '../domain/internal.ts';
import type { Principal } from '../domain/principal.ts';
import type { AppContext } from './context.ts';
import { PROVIDER_NAMES } from './flow-error.ts';
import { endConnections } from './grants.ts';

type UserPrincipal = Extract<Principal, { kind: 'user' }>;

export interface SettingsChange {
  provider?: ProviderSetting | undefined;
  internalDomains?: string[] | undefined;
  backfillDays?: number | undefined;
  /** Entra tenants besides the bound one whose work accounts may connect (issue 12, item 15). */
  microsoftAllowedTenantIds?: string[] | undefined;
}

/** Applies an admin's change; answers the new settings and how many users lost their connection. */
export async function changeSettings(
  context: AppContext,
  admin: UserPrincipal,
  change: SettingsChange,
): Promise<{ settings: OrganizationSettings; deauthorized: number }> {
  const internalDomains = change.internalDomains && normalizeDomains(change.internalDomains);
  if (change.provider && change.provider !== 'none' && !context.providers[change.provider]) {
    throw new AppError(
      'provider_not_configured',
      `${PROVIDER_NAMES[change.provider]} is not configured on this server.`,
      [{ field: 'provider', message: 'no OAuth app is configured for this provider' }],
    );
  }
  return context.db.transaction().execute(async (trx) => {
    const before = await lockSettings(trx, admin.orgId);
    if (!before) throw notFound('organization');
    let deauthorized = 0;
    if (change.provider !== undefined && change.provider !== before.provider) {
      const live = await lockLiveConnections(trx, admin.orgId);
      const reason =
        change.provider === 'none'
          ? 'Your admin turned off email integration (Do Not Integrate); sync stopped and already synced mail stays.'
          : `Your admin switched the organization to ${PROVIDER_NAMES[change.provider]}; connect your mailbox there to sync again. Already synced mail stays.`;
      await endConnections(context, trx, live, 'deauthorized', reason);
      deauthorized = new Set(live.map((connection) => connection.userId)).size;
      await insertAuditEvent(trx, admin.orgId, {
        actorUserId: admin.userId,
        action: 'provider_changed',
        details: { from: before.provider, to: change.provider, deauthorizedUsers: deauthorized },
      });
    }
    const other = {
      ...(internalDomains !== undefined && { internalDomains }),
      ...(change.backfillDays !== undefined && { backfillDays: change.backfillDays }),
      ...(change.microsoftAllowedTenantIds !== undefined && {
        microsoftAllowedTenantIds: [
          ...new Set(change.microsoftAllowedTenantIds.map((id) => id.toLowerCase())),
        ].sort(),
      }),
    };
    if (Object.keys(other).length > 0) {
      await insertAuditEvent(trx, admin.orgId, {
        actorUserId: admin.userId,
        action: 'settings_changed',
        details: {
          before: {
            internalDomains: before.internalDomains,
            backfillDays: before.backfillDays,
            microsoftAllowedTenantIds: before.microsoftAllowedTenantIds,
          },
          after: other,
        },
      });
    }
    await updateSettings(trx, admin.orgId, {
      ...other,
      ...(change.provider !== undefined && { provider: change.provider }),
    });
    return { settings: { ...before, ...other, provider: change.provider ?? before.provider }, deauthorized };
  });
}

/**
 * R11's extra internal domains, normalized. A public suffix (`co.uk`) or a consumer domain (`gmail.com`) is
 * refused: it would make strangers colleagues and silently stop candidate mail from syncing.
 */
function normalizeDomains(domains: string[]): string[] {
  const normalized = [...new Set(domains.map((domain) => canonicalDomain(domain.replace(/^\s*@/, ''))))];
  const problems = normalized.flatMap((domain) => {
    const problem = extraInternalDomainProblem(domain);
    return problem ? [{ field: 'internalDomains', message: `"${domain}" ${problem}` }] : [];
  });
  if (problems.length > 0) {
    throw new AppError(
      'validation_failed',
      `internalDomains: ${problems.map((p) => p.message).join('; ')}`,
      problems,
    );
  }
  return normalized.sort();
}
