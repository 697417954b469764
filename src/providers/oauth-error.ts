/** Reads the parts of an OAuth 2.0 error that providers' tables decide on, whatever raised it. */
import * as client from 'openid-client';

export interface OAuthErrorFacts {
  /** The OAuth `error` code (`invalid_grant`, `access_denied`, …), or undefined when none was given. */
  error: string | undefined;
  description: string;
  /** HTTP status of the provider's answer, when there was one. */
  status: number | undefined;
  /** True when no answer came back at all (network, timeout). */
  noAnswer: boolean;
}

export function oauthErrorFacts(error: unknown): OAuthErrorFacts {
  if (error instanceof client.ResponseBodyError) {
    return {
      error: error.error,
      description: error.error_description ?? '',
      status: error.status,
      noAnswer: false,
    };
  }
  if (error instanceof client.AuthorizationResponseError) {
    return {
      error: error.error,
      description: error.error_description ?? '',
      status: undefined,
      noAnswer: false,
    };
  }
  const cause = (error as { cause?: unknown })?.cause;
  const status = (cause as { status?: unknown } | undefined)?.status;
  const message = error instanceof Error ? error.message : String(error);
  const noAnswer =
    error instanceof TypeError ||
    (error instanceof Error && ['AbortError', 'TimeoutError'].includes(error.name)) ||
    /fetch failed|ECONNREFUSED|ETIMEDOUT|timed out/i.test(message);
  return {
    error: undefined,
    description: message,
    status: typeof status === 'number' ? status : undefined,
    noAnswer,
  };
}
