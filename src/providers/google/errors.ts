/**
 * Google's errors as `ProviderError` kinds, in one table. OAuth errors come from the token endpoint
 * (https://developers.google.com/identity/protocols/oauth2/web-server#exchange-errors); API errors carry
 * `{ error: { code, message, errors: [{ reason }], status } }` (https://developers.google.com/gmail/api/guides/handle-errors).
 */
import { ProviderError, type ProviderErrorKind, retryAfterMs } from '../errors.ts';
import type { ApiResponse } from '../http.ts';
import { type OAuthRules, oauthErrorFacts, oauthErrorKind, STANDARD_OAUTH_RULES } from '../oauth-error.ts';
import type { OAuthOperation } from '../oidc.ts';

/** Token-endpoint errors by OAuth code and operation. */
const OAUTH: OAuthRules = {
  ...STANDARD_OAUTH_RULES,
  // On refresh: "Token has been expired or revoked." — the grant is gone. On exchange: a bad, used or
  // expired code, or a code_verifier that does not match.
  invalid_grant: { refresh: 'auth_revoked', revoke: 'not_found', default: 'permanent' },
  invalid_token: { revoke: 'not_found', default: 'auth_revoked' },
};

/** API error reasons that decide the kind whatever the status. */
const REASONS: Record<string, ProviderErrorKind> = {
  rateLimitExceeded: 'rate_limited',
  userRateLimitExceeded: 'rate_limited',
  // A 403 with this reason is Gmail's daily project quota ("Resolve errors"): back off, not a permission error.
  dailyLimitExceeded: 'rate_limited',
  quotaExceeded: 'rate_limited',
  concurrentLimitExceeded: 'rate_limited',
  backendError: 'transient',
  authError: 'auth_revoked',
  invalidCredentials: 'auth_revoked',
  notFound: 'not_found',
};

const STATUS: Record<number, ProviderErrorKind> = {
  401: 'auth_revoked',
  404: 'not_found',
  410: 'not_found',
  429: 'rate_limited',
};

/**
 * Where one method gives a kind its own meaning. users.history.list: "Supplying an invalid or out of date
 * startHistoryId typically returns an HTTP 404 error code … your application should perform a full sync."
 */
const BY_OPERATION: Record<string, Partial<Record<ProviderErrorKind, ProviderErrorKind>>> = {
  'users.history.list': { not_found: 'cursor_expired' },
};

export function mapGoogleOAuthError(error: unknown, operation: OAuthOperation): ProviderError {
  if (error instanceof ProviderError) return error;
  const facts = oauthErrorFacts(error);
  const kind = oauthErrorKind(OAUTH, facts, operation);
  const what = facts.error ? `${facts.error}: ${facts.description}` : facts.description;
  return new ProviderError(kind, `Google ${operation} failed (${what})`, { code: facts.error, cause: error });
}

/** Turns a non-2xx API answer into a `ProviderError`. */
export function mapGoogleApiError(response: ApiResponse, operation: string): ProviderError {
  const body = response.body as {
    error?: { message?: string; status?: string; errors?: { reason?: string }[] };
  };
  const reason = body?.error?.errors?.[0]?.reason;
  const general: ProviderErrorKind =
    (reason ? REASONS[reason] : undefined) ??
    STATUS[response.status] ??
    (response.status >= 500 ? 'transient' : 'permanent');
  const kind = BY_OPERATION[operation]?.[general] ?? general;
  const message = body?.error?.message ?? `HTTP ${response.status}`;
  return new ProviderError(kind, `Google ${operation}: ${message}`, {
    code: reason ?? body?.error?.status,
    retryAfterMs:
      kind === 'rate_limited'
        ? (retryAfterMs(response.headers.get('retry-after')) ?? retryAfterInMessage(message) ?? 1000)
        : undefined,
  });
}

/**
 * Gmail's per-user limit error names the moment to retry in its message instead of a header
 * ("User-rate limit exceeded.  Retry after 2026-11-26T10:00:30.000Z", per "Resolve errors").
 */
function retryAfterInMessage(message: string, now = Date.now()): number | undefined {
  const at = /Retry after (\S+)/i.exec(message)?.[1];
  const time = at === undefined ? Number.NaN : Date.parse(at);
  return Number.isNaN(time) ? undefined : Math.max(0, time - now);
}
