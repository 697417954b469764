/**
 * The resources a command runs on — configuration, logger, database — opened in order and closed in the
 * reverse order, so that nothing is cut off mid-write: HTTP and jobs stop first, then the pools drain,
 * then an embedded database server stops.
 */
import path from 'node:path';
import { type Config, ConfigError } from './config.ts';
import { type Connection, connect } from './db/database.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { searchLanguageExists } from './db/search.ts';
import type { Logger } from './log.ts';

export interface Runtime {
  config: Config;
  logger: Logger;
  /** The command's main pool (`poolSize` connections, the configured timeouts). */
  connection: Connection;
  /** Opens another pool on the same database, with the same timeouts, closed with the runtime. */
  connect(name: string, size: number): Connection;
  /** Registers a resource to close on shutdown; the last registered closes first. */
  onClose(close: () => Promise<void>): void;
  close(): Promise<void>;
}

export async function openRuntime(
  config: Config,
  logger: Logger,
  options: { migrate?: boolean; poolSize?: number; name?: string } = {},
): Promise<Runtime> {
  const closers: (() => Promise<void>)[] = [];
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'), logger);
    closers.push(() => (embedded as EmbeddedServer).stop());
    url = embedded.url;
  }
  const databaseUrl = url;
  const open = (name: string, size: number) => {
    const opened = connect(databaseUrl, logger, { max: size, name, timeouts: config.database });
    closers.push(() => opened.close());
    return opened;
  };
  const connection = open(options.name ?? 'talentsync', options.poolSize ?? config.database.apiPoolSize);
  let closing: Promise<void> | undefined;
  const runtime: Runtime = {
    config,
    logger,
    connection,
    connect: open,
    onClose: (close) => closers.push(close),
    close: () => {
      closing ??= (async () => {
        for (const close of closers.reverse()) {
          await close().catch((error: unknown) => logger.error({ err: error }, 'error while shutting down'));
        }
      })();
      return closing;
    },
  };
  try {
    if (options.migrate) await migrateWithoutTimeouts(databaseUrl, logger);
    if (!(await searchLanguageExists(connection.db, config.searchLanguage))) {
      throw new ConfigError(
        `SEARCH_LANGUAGE: PostgreSQL has no text search configuration "${config.searchLanguage}" (see pg_ts_config)`,
      );
    }
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return runtime;
}

/** Migrations may rightly run long (an index on a big table): they get a pool of their own, unbounded. */
async function migrateWithoutTimeouts(url: string, logger: Logger): Promise<void> {
  const connection = connect(url, logger, { max: 2, name: 'talentsync-migrate' });
  try {
    await migrate(connection.db, connection.pool, logger);
  } finally {
    await connection.close();
  }
}
