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
      const response = await send(
        `${config.graphUrl}/v1.0/me?$select=id,mail,userPrincipalName,proxyAddresses`,
        { accessToken: tokens.accessToken },
      );
      if (response.status !== 200) throw mapGraphError(response, 'me');
      const me = response.body as MeRecord;
      // The id_token's oid is the user object's id.
      if (!sameAccount(me.id ?? '', identity.subject)) {
        throw new ProviderError(
          'permanent',
          'the token opens another account’s mailbox than the one that consented',
        );
      }
      const addressesOfRecord = recordAddresses(me);
      return {
        tokens,
        identity: { ...identity, address: mailboxAddress(me, addressesOfRecord), addressesOfRecord },
      };
    },
    revoke: async () => false,
  };
}

interface MeRecord {
  id?: string;
  mail?: string | null;
  userPrincipalName?: string;
  proxyAddresses?: string[] | null;
}

/**
 * The addresses Entra vouches for: the sign-in name (`userPrincipalName`) and the mailbox's SMTP
 * `proxyAddresses`, which must be on domains the tenant verified (and a domain is verified in one tenant
 * only). `mail` is not among them: an admin can set it to any address at all
 * (https://learn.microsoft.com/graph/api/resources/user, `mail`; the "nOAuth" advisory).
 */
function recordAddresses(me: MeRecord): string[] {
  const addresses = new Set<string>();
  if (typeof me.userPrincipalName === 'string' && me.userPrincipalName.includes('@'))
    addresses.add(me.userPrincipalName.toLowerCase());
  for (const proxy of me.proxyAddresses ?? []) {
    if (/^smtp:/i.test(proxy)) addresses.add(proxy.slice(5).toLowerCase());
  }
  return [...addresses];
}

/**
 * The mailbox's address: `mail` when it is one of the addresses of record (usually the primary SMTP
 * address), otherwise the primary SMTP address (`SMTP:` in capitals) or the sign-in name.
 */
function mailboxAddress(me: MeRecord, records: string[]): string {
  const mail = me.mail?.toLowerCase();
  if (mail && records.includes(mail)) return mail;
  const primary = (me.proxyAddresses ?? []).find((proxy) => proxy.startsWith('SMTP:'));
  return (primary?.slice(5) ?? me.userPrincipalName ?? '').toLowerCase();
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
