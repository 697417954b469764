/**
 * The one error type the app raises for anything a caller did or may see. The HTTP layer turns it into
 * `{ error: { code, message, details? } }` with its status; the CLI prints its message.
 */

export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  provider_not_selected: 409,
  provider_not_configured: 409,
  gone: 410,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  database_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details: FieldProblem[] | undefined;
  /** For a 503: how long the caller should wait before trying again (sent as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details?: FieldProblem[],
    options: { retryAfterSeconds?: number | undefined } = {},
  ) {
    super(message);
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** A resource that is absent, or that belongs to someone the caller may not know about (never 403). */
export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} not found`);
}
