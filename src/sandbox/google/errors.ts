/**
 * Google's error bodies. Gmail and Calendar answer every failure with the same envelope
 * (`{"error":{"code","message","errors":[{"message","domain","reason"}],"status"}}`, per the Gmail guide
 * "Resolve errors"); the OAuth endpoints answer with the flat RFC 6749 shape instead (`oauthError`).
 */
import type { FastifyReply } from 'fastify';

/** One Google API error: HTTP status, message, the legacy `reason`/`domain`, and extra headers or details. */
export interface GoogleError {
  code: number;
  message: string;
  reason: string;
  /** `errors[0].message` when it differs from the top-level message (401: "Invalid Credentials"). */
  itemMessage?: string;
  domain?: string;
  status?: string;
  /** Some errors carry the field at fault (`location`, `locationType`). */
  location?: { location: string; locationType: string };
  details?: unknown[];
  headers?: Record<string, string>;
}

/** The canonical gRPC status Google names beside each HTTP code. */
const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  410: 'NOT_FOUND',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The body Google sends for an error, in the envelope shared by Gmail and Calendar. */
export function errorBody(error: GoogleError): { error: Record<string, unknown> } {
  const item: Record<string, unknown> = {
    message: error.itemMessage ?? error.message,
    domain: error.domain ?? 'global',
    reason: error.reason,
  };
  if (error.location) Object.assign(item, error.location);
  const body: Record<string, unknown> = { code: error.code, message: error.message, errors: [item] };
  const status = error.status ?? STATUS[error.code];
  if (status) body.status = status;
  if (error.details) body.details = error.details;
  return { error: body };
}

/** Sends a Google API error. */
export function sendError(reply: FastifyReply, error: GoogleError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
  return reply.status(error.code).type('application/json; charset=UTF-8').send(errorBody(error));
}

/** 404 as Gmail sends it for a message, history id or path it does not know. */
export const notFound = (): GoogleError => ({
  code: 404,
  message: 'Requested entity was not found.',
  reason: 'notFound',
});

/** 400 INVALID_ARGUMENT for a malformed parameter. */
export const invalidArgument = (message: string): GoogleError => ({
  code: 400,
  message,
  reason: 'invalidArgument',
});

/** 400 badRequest, Calendar's usual validation error. */
export const badRequest = (message: string): GoogleError => ({ code: 400, message, reason: 'badRequest' });

/** 401 as Google sends it for a missing, expired or revoked access token. */
export const unauthenticated = (): GoogleError => ({
  code: 401,
  message:
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other ' +
    'valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  reason: 'authError',
  itemMessage: 'Invalid Credentials',
  location: { location: 'Authorization', locationType: 'header' },
  headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
});

/** 403 for a token that lacks every scope the method accepts. */
export const insufficientScopes = (service: string, method: string): GoogleError => ({
  code: 403,
  message: 'Request had insufficient authentication scopes.',
  reason: 'insufficientPermissions',
  details: [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
      domain: 'googleapis.com',
      metadata: { service, method },
    },
  ],
  headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"' },
});

/** 403 forbidden with a method-specific message (delegation, metadata scope). */
export const forbidden = (message: string): GoogleError => ({ code: 403, message, reason: 'forbidden' });

/** The per-user quota error Gmail sends once a mailbox spends more units a minute than allowed. */
export const userRateLimited = (retryAt: number): GoogleError => ({
  code: 429,
  message: `User-rate limit exceeded.  Retry after ${new Date(retryAt).toISOString()}`,
  reason: 'rateLimitExceeded',
  domain: 'usageLimits',
});

/**
 * Gmail's 403 usage-limit errors ("Resolve errors": "403: User rate limit exceeded", "403: Rate limit
 * exceeded", "403: Daily limit exceeded"), which a client must back off and retry like a 429; injected as a
 * fault with `status: 403` and one of these as `reason`.
 */
export const USAGE_LIMITS_403: Record<string, string> = {
  userRateLimitExceeded: 'User Rate Limit Exceeded',
  rateLimitExceeded: 'Rate Limit Exceeded',
  dailyLimitExceeded: 'Daily Limit Exceeded',
};

/** The error for an injected fault of the given HTTP status (and, for a 403, usage-limit `reason`). */
export function faultError(
  status: number,
  retryAfterSeconds: number | undefined,
  reason?: string | undefined,
): GoogleError {
  const limit = status === 403 && reason ? USAGE_LIMITS_403[reason] : undefined;
  if (limit && reason) {
    const error: GoogleError = { code: 403, message: limit, reason, domain: 'usageLimits' };
    if (retryAfterSeconds !== undefined) error.headers = { 'retry-after': String(retryAfterSeconds) };
    return error;
  }
  const known: Record<number, Omit<GoogleError, 'code'>> = {
    400: { message: 'Bad Request', reason: 'badRequest' },
    401: unauthenticated(),
    403: { message: 'The caller does not have permission', reason: 'forbidden' },
    404: notFound(),
    409: { message: 'Aborted', reason: 'aborted' },
    429: { message: 'Resource has been exhausted (e.g. check quota).', reason: 'rateLimitExceeded' },
    500: { message: 'Internal error encountered.', reason: 'backendError' },
    502: { message: 'Bad Gateway', reason: 'backendError' },
    503: { message: 'The service is currently unavailable.', reason: 'backendError' },
    504: { message: 'The service is currently unavailable.', reason: 'backendError' },
  };
  const base = known[status] ?? { message: 'Error', reason: status >= 500 ? 'backendError' : 'badRequest' };
  const error: GoogleError = { ...base, code: status };
  if (retryAfterSeconds !== undefined) {
    error.headers = { ...(base.headers ?? {}), 'retry-after': String(retryAfterSeconds) };
  }
  return error;
}
