/**
 * The one error every provider failure becomes. Each adapter maps its API's errors into a kind in one table
 * (`google/errors.ts`, `microsoft/errors.ts`); everything above the adapters decides by kind alone.
 */
export const PROVIDER_ERROR_KINDS = [
  /** The grant is gone (revoked, expired, password changed): the user must consent again (R7). */
  'auth_revoked',
  /** Too many requests; wait `retryAfterMs` before trying again. */
  'rate_limited',
  /** The sync cursor (Gmail history id, Graph delta token) is too old or unknown: resync from a safe time. */
  'cursor_expired',
  /** The resource does not exist (or no longer). */
  'not_found',
  /** Worth retrying: network failures, timeouts, 5xx. */
  'transient',
  /** Retrying will not help: a bad request, a missing permission, a refused consent. */
  'permanent',
] as const;

export type ProviderErrorKind = (typeof PROVIDER_ERROR_KINDS)[number];

export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly kind: ProviderErrorKind;
  /** For `rate_limited`: how long the provider asked us to wait. */
  readonly retryAfterMs: number | undefined;
  /** The provider's own error code (e.g. `invalid_grant`, `AADSTS70000`, `syncStateNotFound`), for logs. */
  readonly code: string | undefined;

  constructor(
    kind: ProviderErrorKind,
    message: string,
    options: { retryAfterMs?: number | undefined; code?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.retryAfterMs = options.retryAfterMs;
    this.code = options.code;
  }
}

/** Reads a `Retry-After` header (seconds or an HTTP date) as milliseconds. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
