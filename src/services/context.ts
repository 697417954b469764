/** What services need from the running process: the database, the token vault, the providers, and where we are. */
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { createVault, type Vault } from '../domain/vault.ts';
import type { Logger } from '../log.ts';
import { createProviders, type ProviderRegistry } from '../providers/registry.ts';

export interface AppContext {
  db: Database;
  vault: Vault;
  providers: ProviderRegistry;
  /** The API's public URL, without a trailing slash (OAuth redirects, links). */
  publicUrl: string;
  logger: Logger;
}

/** The one redirect URI registered with both providers. */
export function oauthRedirectUri(context: Pick<AppContext, 'publicUrl'>): string {
  return `${context.publicUrl}/oauth/callback`;
}

/** Builds the context from the configuration (and the database the runtime opened). */
export function createContext(config: Config, db: Database, logger: Logger): AppContext {
  return {
    db,
    vault: createVault(config.encryptionKeys),
    providers: createProviders(config),
    publicUrl: config.publicUrl,
    logger,
  };
}
