/** Reads the parts of an OAuth 2.0 error that providers' tables decide on, whatever raised it. */
import * as client from 'openid-client';
import type { ProviderErrorKind } from './errors.ts';
import type { OAuthOperation } from './oidc.ts';

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

/** How an OAuth `error` code reads for each operation (`default` for the rest). */
export type OAuthRules = Record<
  string,
  Partial<Record<OAuthOperation, ProviderErrorKind>> & { default: ProviderErrorKind }
>;

/** The codes RFC 6749 defines, read the same way by every provider; each adds or overrides its own. */
export const STANDARD_OAUTH_RULES: OAuthRules = {
  invalid_client: { default: 'permanent' },
  unauthorized_client: { default: 'permanent' },
  invalid_request: { default: 'permanent' },
  invalid_scope: { default: 'permanent' },
  access_denied: { default: 'permanent' },
  temporarily_unavailable: { default: 'transient' },
  server_error: { default: 'transient' },
};

/** The kind an OAuth failure has by the provider's rules, else by whether and how the provider answered. */
export function oauthErrorKind(
  rules: OAuthRules,
  facts: OAuthErrorFacts,
  operation: OAuthOperation,
): ProviderErrorKind {
  const rule = facts.error ? rules[facts.error] : undefined;
  if (rule) return rule[operation] ?? rule.default;
  if (facts.noAnswer || (facts.status ?? 0) >= 500) return 'transient';
  return facts.status === 429 ? 'rate_limited' : 'permanent';
}
