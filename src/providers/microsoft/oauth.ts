/**
 * The Microsoft identity platform (v2.0) for connecting a mailbox: one consent for read-only mail and the
 * calendar, `offline_access` for a refresh token (rotated on every use), and PKCE (admin consent is
 * `admin-consent.ts`).
 * Microsoft has no endpoint to revoke one app's grant, so `revoke` only reports that.
 */
import type * as client from 'openid-client';
import type { MicrosoftConfig } from '../../config.ts';
import { ProviderError } from '../errors.ts';
import { send } from '../http.ts';
import { createOidcClient } from '../oidc.ts';
import type { OAuthClient } from '../types.ts';
import { mapGraphError, mapMicrosoftOAuthError } from './errors.ts';

/** https://learn.microsoft.com/graph/permissions-reference */
export const MICROSOFT_SCOPES = [
  'openid',
  'email',
  'profile',
  'offline_access',
  'https://graph.microsoft.com/User.Read',
  'https://graph.microsoft.com/Mail.Read',
  'https://graph.microsoft.com/Calendars.ReadWrite',
] as const;

const ENTRA_ORIGIN = 'https://login.microsoftonline.com';

export function createMicrosoftOAuth(config: MicrosoftConfig): OAuthClient {
  const oidc = createOidcClient({
    // Discovery always names the real origin: openid-client recognizes Entra ID's multi-tenant issuer
    // template (`…/{tenantid}/v2.0`, filled from the id_token's `tid`) only there. When the identity
    // platform is elsewhere (the sandbox), requests to that origin are sent there instead.
    discoveryUrl: new URL(`${ENTRA_ORIGIN}/${config.tenant}/v2.0`),
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    scopes: MICROSOFT_SCOPES,
    authorizationParams: { response_mode: 'query', prompt: 'select_account' },
    fetch: config.loginUrl === ENTRA_ORIGIN ? undefined : redirectOrigin(ENTRA_ORIGIN, config.loginUrl),
    identityOf: (claims) => {
      const address = typeof claims.email === 'string' ? claims.email : claims.preferred_username;
      if (typeof address !== 'string' || typeof claims.oid !== 'string' || typeof claims.tid !== 'string') {
        throw new ProviderError(
          'permanent',
          'the Microsoft id_token lacks the account’s address, oid or tid',
        );
      }
      return { address: address.toLowerCase(), subject: claims.oid, tenantId: claims.tid };
    },
    mapError: mapMicrosoftOAuthError,
  });

  return {
    authorizationUrl: oidc.authorizationUrl,
    refresh: oidc.refresh,
    async exchange(flow, callbackUrl) {
      const { tokens, identity } = await oidc.exchange(flow, callbackUrl);
      const response = await send(`${config.graphUrl}/v1.0/me?$select=id,mail,userPrincipalName`, {
        accessToken: tokens.accessToken,
      });
      if (response.status !== 200) throw mapGraphError(response, 'me');
      const me = response.body as { id?: string; mail?: string | null; userPrincipalName?: string };
      // The id_token's oid is the user object's id; the mailbox's address is its primary SMTP address
      // (`mail`), which may differ from the sign-in name (`preferred_username`).
      if (!sameAccount(me.id ?? '', identity.subject)) {
        throw new ProviderError(
          'permanent',
          'the token opens another account’s mailbox than the one that consented',
        );
      }
      return {
        tokens,
        identity: { ...identity, address: String(me.mail ?? me.userPrincipalName ?? '').toLowerCase() },
      };
    },
    revoke: async () => false,
  };
}

/**
 * Whether Graph's user id and the id_token's `oid` name one account. For work accounts they are the same
 * GUID; for personal accounts `oid` is `00000000-0000-0000-` followed by the account's 16-hex-digit id,
 * which is what Graph returns as `id` (https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference).
 */
function sameAccount(graphId: string, oid: string): boolean {
  const canonical = (id: string) =>
    id
      .toLowerCase()
      .replace(/^00000000-0000-0000-/, '')
      .replaceAll('-', '');
  return graphId !== '' && canonical(graphId) === canonical(oid);
}

/** A fetch that sends requests for `from` (an origin) to `to` (a base URL) instead. */
function redirectOrigin(from: string, to: string): client.CustomFetch {
  return (url, options) => fetch(url.startsWith(from) ? `${to}${url.slice(from.length)}` : url, options);
}
