/** Every provider's adapter by name. A provider without configured credentials has none (it cannot be chosen). */
import type { Config } from '../config.ts';
import { createGoogleOAuth } from './google/oauth.ts';
import { createMicrosoftOAuth } from './microsoft/oauth.ts';
import type { Provider, ProviderAdapter } from './types.ts';

export type ProviderRegistry = Record<Provider, ProviderAdapter | undefined>;

export function createProviders(config: Pick<Config, 'google' | 'microsoft'>): ProviderRegistry {
  const microsoft = config.microsoft && createMicrosoftOAuth(config.microsoft);
  return {
    google: config.google && { oauth: createGoogleOAuth(config.google) },
    microsoft: microsoft && { oauth: microsoft, adminConsent: microsoft.adminConsent },
  } satisfies ProviderRegistry;
}
