/**
 * What the sync engine needs of the application, and no more. The engine sits below `services/`: it is
 * handed this (services/sync.ts builds it from the AppContext, with the token lookup bound in) instead of
 * reaching up for the context type and the grant service.
 */
import type { Database } from '../db/database.ts';
import type { Vault } from '../domain/vault.ts';
import type { Logger } from '../log.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import type { MessageReader } from './reader.ts';

export interface SyncContext {
  db: Database;
  vault: Vault;
  providers: ProviderRegistry;
  reader: MessageReader;
  logger: Logger;
  /** The text search configuration new mail is indexed in. */
  searchLanguage: string;
  /** A live access token of the connection; `force` refreshes one the provider just refused. */
  accessToken(orgId: string, connectionId: string, options?: { force?: boolean }): Promise<string>;
}

/** What committing a page needs: the database, the vault (R16's keyed hashes) and the search language. */
export type CommitContext = Pick<SyncContext, 'db' | 'vault' | 'searchLanguage'>;
