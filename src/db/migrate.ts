/** Brings a database to the latest schema: ours (Kysely migrations) and Graphile Worker's. */

import { runMigrations } from 'graphile-worker';
import { Migrator } from 'kysely/migration';
import type pg from 'pg';
import type { Logger } from '../log.ts';
import type { Database } from './database.ts';
import { workerLogger } from './job-logger.ts';
import { migrations } from './migrations/index.ts';

export async function migrate(db: Database, pool: pg.Pool, logger: Logger): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((result) => result.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`.replace('  ', ' '));
  }
  const applied = results.map((result) => result.migrationName);
  for (const name of applied) logger.info({ migration: name }, 'migration applied');
  await runMigrations({ pgPool: pool, logger: workerLogger(logger) });
  return applied;
}
