/** The connection pool and the Kysely instance over it. */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../log.ts';
import type { DB } from './schema.ts';

export type Database = Kysely<DB>;

export interface Connection {
  db: Database;
  pool: pg.Pool;
  /** Ends every pooled connection; resolves when the pool is drained. */
  close(): Promise<void>;
}

// int8 (bigint counts, Gmail history ids) stays a string unless a repo converts it on purpose:
// a JavaScript number would silently lose precision past 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => value);

export function connect(url: string, logger: Logger, options: { max?: number } = {}): Connection {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its server (a restart, or shutdown under way) must not crash the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection lost'));
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'database connection lost'));
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let closing: Promise<void> | undefined;
  return {
    db,
    pool,
    close: () => {
      closing ??= db.destroy();
      return closing;
    },
  };
}
