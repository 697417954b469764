/**
 * Microsoft's errors as `ProviderError` kinds, in one table. Identity platform errors carry an OAuth code
 * and AADSTS numbers (https://learn.microsoft.com/entra/identity-platform/reference-error-codes); Graph
 * errors carry `{ error: { code, message } }` (https://learn.microsoft.com/graph/errors).
 */
import { ProviderError, type ProviderErrorKind, retryAfterMs } from '../errors.ts';
import type { ApiResponse } from '../http.ts';
import { type OAuthRules, oauthErrorFacts, oauthErrorKind, STANDARD_OAUTH_RULES } from '../oauth-error.ts';
import type { OAuthOperation } from '../oidc.ts';

/** AADSTS codes whose meaning is sharper than their OAuth code. */
const AADSTS: Record<string, ProviderErrorKind> = {
  AADSTS50173: 'auth_revoked', // the grant expired because the password changed
  AADSTS700082: 'auth_revoked', // the refresh token expired from inactivity
  AADSTS70008: 'auth_revoked', // the refresh token or code expired
  AADSTS50076: 'auth_revoked', // MFA now required: the user must sign in again
  AADSTS50079: 'auth_revoked',
  AADSTS65001: 'permanent', // consent required (an admin must approve the app)
  AADSTS90094: 'permanent', // admin consent required
  AADSTS7000215: 'permanent', // invalid client secret
};

const OAUTH: OAuthRules = {
  ...STANDARD_OAUTH_RULES,
  invalid_grant: { refresh: 'auth_revoked', default: 'permanent' },
  interaction_required: { refresh: 'auth_revoked', default: 'permanent' },
  consent_required: { default: 'permanent' },
};

/** Graph error codes that decide the kind whatever the status. */
const GRAPH_CODES: Record<string, ProviderErrorKind> = {
  InvalidAuthenticationToken: 'auth_revoked',
  syncStateNotFound: 'cursor_expired',
  SyncStateNotFound: 'cursor_expired',
  resyncRequired: 'cursor_expired',
  syncStateInvalid: 'cursor_expired',
  // Exchange's own code for a sync state it cannot read ("Handling synchronization-related errors in
  // EWS"), which Graph passes through for a damaged delta token.
  ErrorInvalidSyncStateData: 'cursor_expired',
  ErrorItemNotFound: 'not_found',
  ResourceNotFound: 'not_found',
  TooManyRequests: 'rate_limited',
  ApplicationThrottled: 'rate_limited',
  ErrorServerBusy: 'transient',
  ServiceNotAvailable: 'transient',
};

const STATUS: Record<number, ProviderErrorKind> = {
  401: 'auth_revoked',
  404: 'not_found',
  410: 'cursor_expired',
  429: 'rate_limited',
};

/** The AADSTS number in a description such as "AADSTS70000: The provided grant…". */
export function aadstsCode(description: string): string | undefined {
  return /\b(AADSTS\d+)\b/.exec(description)?.[1];
}

export function mapMicrosoftOAuthError(error: unknown, operation: OAuthOperation): ProviderError {
  if (error instanceof ProviderError) return error;
  const facts = oauthErrorFacts(error);
  const aadsts = aadstsCode(facts.description);
  const kind = (aadsts ? AADSTS[aadsts] : undefined) ?? oauthErrorKind(OAUTH, facts, operation);
  const what = facts.error ? `${facts.error}: ${facts.description.split('\n')[0]}` : facts.description;
  return new ProviderError(kind, `Microsoft ${operation} failed (${what})`, {
    code: aadsts ?? facts.error,
    cause: error,
  });
}

/** Turns a non-2xx Graph answer into a `ProviderError`. */
export function mapGraphError(response: ApiResponse, operation: string): ProviderError {
  const body = response.body as { error?: { code?: string; message?: string } };
  const code = body?.error?.code;
  const kind: ProviderErrorKind =
    (code ? GRAPH_CODES[code] : undefined) ??
    STATUS[response.status] ??
    (response.status >= 500 ? 'transient' : 'permanent');
  return new ProviderError(
    kind,
    `Microsoft Graph ${operation}: ${body?.error?.message ?? `HTTP ${response.status}`}`,
    {
      code,
      retryAfterMs:
        kind === 'rate_limited' ? (retryAfterMs(response.headers.get('retry-after')) ?? 1000) : undefined,
    },
  );
}
