/**
 * The resources a command runs on — configuration, logger, database — opened in order and closed in the
 * reverse order, so that nothing is cut off mid-write: HTTP and jobs stop first, then the pool drains,
 * then an embedded database server stops.
 */
import path from 'node:path';
import type { Config } from './config.ts';
import { type Connection, connect } from './db/database.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import type { Logger } from './log.ts';

export interface Runtime {
  config: Config;
  logger: Logger;
  connection: Connection;
  /** Registers a resource to close on shutdown; the last registered closes first. */
  onClose(close: () => Promise<void>): void;
  close(): Promise<void>;
}

export async function openRuntime(
  config: Config,
  logger: Logger,
  options: { migrate?: boolean; poolSize?: number } = {},
): Promise<Runtime> {
  const closers: (() => Promise<void>)[] = [];
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'), logger);
    closers.push(() => (embedded as EmbeddedServer).stop());
    url = embedded.url;
  }
  const connection = connect(url, logger, { max: options.poolSize ?? 10 });
  closers.push(() => connection.close());
  let closing: Promise<void> | undefined;
  const runtime: Runtime = {
    config,
    logger,
    connection,
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
    if (options.migrate) await migrate(connection.db, connection.pool, logger);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return runtime;
}
