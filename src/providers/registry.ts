/** Every provider's adapter by name. A provider without configured credentials has none (it cannot be chosen). */
import type { Config, GoogleConfig } from '../config.ts';
import { createGoogleMail } from './google/mail.ts';
import { createGoogleOAuth } from './google/oauth.ts';
import { createGooglePush, createGooglePushVerifier } from './google/push.ts';
import { createMicrosoftOAuth } from './microsoft/oauth.ts';
import type { Provider, ProviderAdapter } from './types.ts';

export type ProviderRegistry = Record<Provider, ProviderAdapter | undefined>;

const DAY_MS = 86_400_000;

export function createProviders(config: Pick<Config, 'google' | 'microsoft'>): ProviderRegistry {
  const microsoft = config.microsoft && createMicrosoftOAuth(config.microsoft);
  return {
    google: config.google && google(config.google),
    microsoft: microsoft && { oauth: microsoft, adminConsent: microsoft.adminConsent },
  } satisfies ProviderRegistry;
}

function google(config: GoogleConfig): ProviderAdapter {
  const adapter: ProviderAdapter = { oauth: createGoogleOAuth(config), mail: createGoogleMail(config) };
  if (!config.push) return adapter;
  const verify = createGooglePushVerifier(config.push);
  return {
    ...adapter,
    push: createGooglePush(config, { topicName: config.push.topicName }),
    // A watch lasts 7 days and Google asks for it to be renewed daily: renew once 6 days are left.
    pushRenewMarginMs: 6 * DAY_MS,
    readNotifications: async (request) => [{ kind: 'mailbox', address: (await verify(request)).address }],
  };
}
