/** What services need from the running process: the database, the token vault, the providers, and where we are. */
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { createVault, type Vault } from '../domain/vault.ts';
import type { Logger } from '../log.ts';
import { createProviders, type ProviderRegistry } from '../providers/registry.ts';
import { createMessageReader, type MessageReader } from '../sync/reader.ts';

export interface AppContext {
  db: Database;
  vault: Vault;
  providers: ProviderRegistry;
  /** Reads synced mail off the event loop; whoever creates the context closes it on shutdown. */
  reader: MessageReader;
  /** The API's public URL, without a trailing slash (OAuth redirects, links). */
  publicUrl: string;
  logger: Logger;
  /** R16: the days within which backups age out, as an erasure's answer states it. */
  backupRetentionDays: number;
  /** The text search configuration mail is indexed and searched in (`SEARCH_LANGUAGE`). */
  searchLanguage: string;
  /** The time as scheduling sees it (R18: notice, expiry, cutoffs, reminders); tests set it instead of sleeping. */
  now: () => Date;
}

/** The one redirect URI registered with both providers. */
export function oauthRedirectUri(context: Pick<AppContext, 'publicUrl'>): string {
  return `${context.publicUrl}/oauth/callback`;
}

/** Builds the context from the configuration (and the database the runtime opened); close `reader` when done. */
export function createContext(config: Config, db: Database, logger: Logger): AppContext {
  return {
    db,
    vault: createVault(config.encryptionKeys),
    providers: createProviders(config),
    reader: createMessageReader({
      threads: config.sync.readThreads,
      timeoutMs: config.sync.readTimeoutMs,
      maxMessageBytes: config.sync.maxMessageBytes,
    }),
    publicUrl: config.publicUrl,
    logger,
    backupRetentionDays: config.backupRetentionDays,
    searchLanguage: config.searchLanguage,
    now: () => new Date(),
  };
}
