/** The Microsoft emulator's tunables, each defaulting to what Microsoft documents. */

export interface MicrosoftOptions {
  /**
   * Longest subscription lifetime Graph grants for Outlook messages, in minutes (default 10,080, under 7 days:
   * the subscription resource's "Subscription lifetime" table).
   */
  maxSubscriptionMinutes?: number;
  /** How long a delta token stays valid (default 30 days); older ones answer 410 SyncStateNotFound. */
  deltaTokenLifetimeMs?: number;
  /** Access token lifetime in seconds (default 3,599, as `expires_in` shows). */
  accessTokenLifetimeSeconds?: number;
  /** A refresh token unused this long answers AADSTS700082 (default 90 days). */
  refreshTokenMaxInactiveMs?: number;
  /**
   * What a refresh token already exchanged for a rotated one does. Entra ID "doesn't revoke old refresh tokens
   * when used to fetch new access tokens" ("Refresh tokens in the Microsoft identity platform"), so `'allow'`
   * is the default. `'refuse'` is a fault option (answers AADSTS70008): code that loses the rotated token then
   * fails in tests instead of 90 days into production. Also set at run time through the control API.
   */
  usedRefreshTokens?: 'refuse' | 'allow';
  /**
   * Accept plain `http:` notification URLs for subscriptions (Graph demands https). Off by default; the demo
   * and tests that listen locally without TLS turn it on. Also set at run time through the control API.
   */
  allowHttpNotificationUrls?: boolean;
  /** How long a notification endpoint has to answer the validation request (default 10 s, as documented). */
  validationTimeoutMs?: number;
  /** Outlook's per app and mailbox budget: requests per window (default 10,000 in 10 minutes). */
  requestsPerWindow?: number;
  requestWindowMs?: number;
  /** Outlook's concurrent requests per app and mailbox (default 4). */
  concurrentRequests?: number;
}

export type MicrosoftSettings = Required<MicrosoftOptions>;

const DAY = 24 * 60 * 60 * 1000;

/** Fills in the documented defaults and rejects values that make no sense. */
export function resolveSettings(options: MicrosoftOptions): MicrosoftSettings {
  const settings: MicrosoftSettings = {
    maxSubscriptionMinutes: options.maxSubscriptionMinutes ?? 10_080,
    deltaTokenLifetimeMs: options.deltaTokenLifetimeMs ?? 30 * DAY,
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3599,
    refreshTokenMaxInactiveMs: options.refreshTokenMaxInactiveMs ?? 90 * DAY,
    usedRefreshTokens: options.usedRefreshTokens ?? 'allow',
    allowHttpNotificationUrls: options.allowHttpNotificationUrls ?? false,
    validationTimeoutMs: options.validationTimeoutMs ?? 10_000,
    requestsPerWindow: options.requestsPerWindow ?? 10_000,
    requestWindowMs: options.requestWindowMs ?? 10 * 60 * 1000,
    concurrentRequests: options.concurrentRequests ?? 4,
  };
  for (const [name, value] of Object.entries(settings)) {
    if (typeof value === 'number' && !(value > 0)) throw new RangeError(`microsoft.${name} must be positive`);
  }
  return settings;
}
