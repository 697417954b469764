/**
 * Google OAuth 2.0 / OpenID Connect for connecting a mailbox: one consent for read-only Gmail and the
 * calendar scopes scheduling needs, offline access (a refresh token), PKCE, and token revocation; the
 * scopes the user left unticked on the granular consent screen (`missingAccess`).
 */
import * as client from 'openid-client';
import type { GoogleConfig } from '../../config.ts';
import { ProviderError } from '../errors.ts';
import { send } from '../http.ts';
import { createOidcClient } from '../oidc.ts';
import type { OAuthClient } from '../types.ts';
import { hasGoogleCalendarScope } from './calendar.ts';
import { mapGoogleApiError, mapGoogleOAuthError } from './errors.ts';

/** https://developers.google.com/identity/protocols/oauth2/scopes */
export const GOOGLE_SCOPES = [
  'openid',
  'email',
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/calendar.freebusy',
  'https://www.googleapis.com/auth/calendar.events',
] as const;

/** Scopes that let sync read whole messages (gmail.metadata does not: it has no bodies). */
const MAIL_SCOPES = [
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/gmail.modify',
  'https://mail.google.com/',
];

/**
 * Google's granular consent lets the user untick any scope beyond sign-in ("How to handle granular
 * permissions"): the app must read the scopes it was granted, not assume those it asked for.
 */
export function missingGoogleAccess(scopes: readonly string[]): { mail?: string; calendar?: string } {
  const missing: { mail?: string; calendar?: string } = {};
  if (!scopes.some((scope) => MAIL_SCOPES.includes(scope)))
    missing.mail = '“View your email messages and settings”';
  if (!hasGoogleCalendarScope(scopes))
    missing.calendar =
      '“View and edit events on all your calendars” and “See the availability on Google Calendars you have access to”';
  return missing;
}

export function createGoogleOAuth(config: GoogleConfig): OAuthClient {
  const oidc = createOidcClient({
    discoveryUrl: new URL(config.issuer),
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    scopes: GOOGLE_SCOPES,
    // A refresh token comes only with offline access, and Google sends it again only when consent is
    // asked again: without `prompt=consent` a reconnect would get none.
    authorizationParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
    identityOf: (claims) => {
      if (typeof claims.email !== 'string' || claims.email_verified === false) {
        throw new ProviderError('permanent', 'Google did not vouch for the account’s email address');
      }
      return { address: claims.email.toLowerCase(), subject: claims.sub, tenantId: undefined };
    },
    mapError: mapGoogleOAuthError,
  });

  return {
    authorizationUrl: oidc.authorizationUrl,
    refresh: oidc.refresh,
    missingAccess: missingGoogleAccess,
    async exchange(flow, callbackUrl) {
      const result = await oidc.exchange(flow, callbackUrl);
      // Without a Gmail scope the token cannot name its mailbox; the connect flow refuses such a grant
      // (missingAccess) and revokes it, so there is nothing to check it against.
      if (missingGoogleAccess(result.tokens.scopes).mail) return result;
      const response = await send(`${config.apiRoot}/gmail/v1/users/me/profile`, {
        accessToken: result.tokens.accessToken,
      });
      if (response.status !== 200) throw mapGoogleApiError(response, 'users.getProfile');
      const mailbox = String((response.body as { emailAddress?: string }).emailAddress ?? '').toLowerCase();
      if (mailbox !== result.identity.address) {
        throw new ProviderError(
          'permanent',
          `the token opens ${mailbox}, not ${result.identity.address}, who consented`,
        );
      }
      return result;
    },
    async revoke(token) {
      try {
        await client.tokenRevocation(await oidc.configuration(), token);
        return true;
      } catch (error) {
        const mapped = mapGoogleOAuthError(error, 'revoke');
        if (mapped.kind === 'not_found') return true; // already revoked or expired: nothing left to do
        throw mapped;
      }
    },
  };
}
