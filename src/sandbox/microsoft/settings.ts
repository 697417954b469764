/** The Microsoft emulator's tunables, each defaulting to what Microsoft documents. */

export interface MicrosoftOptions {
  /** Longest subscription lifetime Graph grants for messages, in minutes (default 4,230). */
  maxSubscriptionMinutes?: number;
  /** How long a delta token stays valid (default 30 days); older ones answer 410 SyncStateNotFound. */
  deltaTokenLifetimeMs?: number;
  /** Access token lifetime in seconds (default 3,599, as `expires_in` shows). */
  accessTokenLifetimeSeconds?: number;
  /** A refresh token unused this long answers AADSTS700082 (default 90 days). */
  refreshTokenMaxInactiveMs?: number;
  /**
   * What a refresh token already exchanged for a rotated one does. Entra ID documents that used refresh tokens
   * are not revoked (clients are told to discard them); the sandbox refuses them by default, so code that
   * loses the rotated token fails in tests instead of 90 days into production. `'allow'` emulates Entra ID.
   */
  usedRefreshTokens?: 'refuse' | 'allow';
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
    maxSubscriptionMinutes: options.maxSubscriptionMinutes ?? 4230,
    deltaTokenLifetimeMs: options.deltaTokenLifetimeMs ?? 30 * DAY,
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3599,
    refreshTokenMaxInactiveMs: options.refreshTokenMaxInactiveMs ?? 90 * DAY,
    usedRefreshTokens: options.usedRefreshTokens ?? 'refuse',
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
