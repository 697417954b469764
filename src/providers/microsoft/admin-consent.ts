/**
 * Tenant-wide admin consent on the Microsoft identity platform
 * (https://learn.microsoft.com/entra/identity-platform/v2-admin-consent). The redirect back says
 * `admin_consent=True&tenant=<id>`, but nothing in it is signed: anyone can type that query. So a consent
 * counts only once the tenant's own token endpoint issues this app a client-credentials token
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow) whose `tid`
 * names that tenant, which it does only where the app has been admitted.
 */
import { decodeJwt } from 'jose';
import type { MicrosoftConfig } from '../../config.ts';
import { ProviderError } from '../errors.ts';
import type { AdminConsent } from '../types.ts';

// A tenant id is a GUID. Anything else (`common`, a domain name, a path) is refused before it can become
// part of a URL.
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createMicrosoftAdminConsent(config: MicrosoftConfig): AdminConsent {
  return {
    async url({ redirectUri, state }) {
      const url = new URL(
        `${config.loginUrl}/${config.tenant === 'common' ? 'organizations' : config.tenant}/v2.0/adminconsent`,
      );
      url.searchParams.set('client_id', config.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      url.searchParams.set('scope', 'https://graph.microsoft.com/.default');
      return url;
    },
    async verify(tenantId) {
      if (!TENANT_ID.test(tenantId)) return false;
      let response: Response;
      try {
        response = await fetch(`${config.loginUrl}/${tenantId.toLowerCase()}/oauth2/v2.0/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({
            client_id: config.clientId,
            client_secret: config.clientSecret,
            scope: 'https://graph.microsoft.com/.default',
            grant_type: 'client_credentials',
          }),
          signal: AbortSignal.timeout(15_000),
          redirect: 'error',
        });
      } catch (error) {
        throw new ProviderError('transient', `no answer from the Microsoft identity platform`, {
          cause: error,
        });
      }
      const body = (await response.json().catch(() => ({}))) as { access_token?: unknown };
      if (response.status === 429 || response.status >= 500) {
        throw new ProviderError('transient', `the Microsoft identity platform answered ${response.status}`);
      }
      if (response.status !== 200 || typeof body.access_token !== 'string') return false;
      // The token came straight from the tenant's token endpoint over TLS, so its claims are read as sent;
      // Graph access tokens are not meant to be verified by the client.
      let tid: unknown;
      try {
        tid = decodeJwt(body.access_token).tid;
      } catch {
        return false;
      }
      return typeof tid === 'string' && tid.toLowerCase() === tenantId.toLowerCase();
    },
  };
}
