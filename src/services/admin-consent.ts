/**
 * Recording Microsoft admin consent. The redirect's `admin_consent=True&tenant=<id>` is only a claim: it
 * is recorded once the identity platform confirms that the tenant admitted the app (see
 * `providers/microsoft/admin-consent.ts`), so a typed-in query cannot attach a tenant to an organization.
 */
import { insertAuditEvent } from '../db/audit.ts';
import type { OAuthFlow } from '../db/oauth-flows.ts';
import { updateSettings } from '../db/organizations.ts';
import { ProviderError } from '../providers/errors.ts';
import type { AppContext } from './context.ts';
import { FlowError } from './flow-error.ts';

/** Records the tenant a verified admin-consent callback names; anything unverified changes nothing. */
export async function recordAdminConsent(
  context: AppContext,
  flow: OAuthFlow,
  callbackUrl: URL,
): Promise<{ kind: 'admin_consented'; tenantId: string }> {
  const tenantId = callbackUrl.searchParams.get('tenant');
  if (callbackUrl.searchParams.get('admin_consent')?.toLowerCase() !== 'true' || !tenantId) {
    throw new FlowError('consent_denied', 'Admin consent was not granted, so nothing changed.');
  }
  const adminConsent = context.providers[flow.provider]?.adminConsent;
  const verified = await (adminConsent?.verify(tenantId) ?? Promise.resolve(false)).catch(
    (error: unknown) => {
      if (error instanceof ProviderError && error.kind === 'transient') {
        throw new FlowError(
          'provider_unavailable',
          'Microsoft could not be reached to confirm the consent. Grant admin consent again in a moment.',
        );
      }
      throw error;
    },
  );
  if (!verified) {
    context.logger.warn({ orgId: flow.orgId, userId: flow.userId }, 'admin consent callback not confirmed');
    throw new FlowError(
      'consent_unverified',
      'Microsoft did not confirm that your organization consented, so nothing changed. Grant admin consent again from talentsync.',
    );
  }
  const tenant = tenantId.toLowerCase();
  await context.db.transaction().execute(async (trx) => {
    await updateSettings(trx, flow.orgId, { microsoftTenantId: tenant, microsoftAdminConsentAt: new Date() });
    await insertAuditEvent(trx, flow.orgId, {
      actorUserId: flow.userId,
      action: 'microsoft_admin_consent_granted',
      details: { tenantId: tenant },
    });
  });
  return { kind: 'admin_consented', tenantId: tenant };
}
