/** The checks that ask the database: reachable, migrated, clock, worker, push channels, lost grants. */
import type { Config } from '../../config.ts';
import { connect } from '../../db/database.ts';
import {
  appliedMigrations,
  clockSkewMs,
  connectionsAwaitingReauthorization,
  jobSchemaExists,
  pushChannelsNearExpiry,
  workerSigns,
} from '../../db/health.ts';
import { migrations } from '../../db/migrations/index.ts';
import { createLogger } from '../../log.ts';
import { type Check, type Env, ok, problem, reasonOf, unchecked, warning } from './check.ts';

const CLOCK_SKEW_MS = 5_000;
const PUSH_EXPIRY_MS = 3_600_000;
const WORKER_QUIET_MS = 5 * 60_000;

export async function databaseChecks(env: Env, config: Config | undefined): Promise<Check[]> {
  const url = env.DATABASE_URL?.trim();
  if (!url) {
    return [
      unchecked(
        'database',
        'DATABASE_URL is not set (the embedded database is for the demo)',
        'set DATABASE_URL',
      ),
    ];
  }
  const connection = connect(url, createLogger('silent'), {
    max: 1,
    name: 'talentsync-doctor',
    timeouts: config?.database ?? {
      statementTimeoutMs: 5_000,
      connectTimeoutMs: 3_000,
      idleInTransactionTimeoutMs: 10_000,
    },
  });
  try {
    const { db } = connection;
    let applied: string[];
    try {
      applied = await appliedMigrations(db);
    } catch (error) {
      return [
        unchecked('database', `cannot reach it: ${reasonOf(error)}`, 'check DATABASE_URL and the network'),
      ];
    }
    const checks: Check[] = [ok('database', 'reachable')];
    const pending = Object.keys(migrations).filter((name) => !applied.includes(name));
    const jobs = await jobSchemaExists(db);
    checks.push(
      pending.length === 0 && jobs
        ? ok('migrations', `all ${applied.length} applied`)
        : problem(
            'migrations',
            pending.length > 0
              ? `${pending.length} not applied (first: ${pending[0]})`
              : 'the job queue schema is missing',
            'run `talentsync migrate`',
          ),
    );
    if (pending.length > 0) return checks;
    const skew = await clockSkewMs(db);
    checks.push(
      Math.abs(skew) <= CLOCK_SKEW_MS
        ? ok('clock', `within ${Math.ceil(Math.abs(skew))} ms of the database`)
        : problem(
            'clock',
            `${Math.round(skew / 1000)} s apart from the database`,
            'run NTP (chrony, systemd-timesyncd) on both',
          ),
    );
    const signs = await workerSigns(db);
    const quietMs = signs.lastCronAt ? Date.now() - signs.lastCronAt.getTime() : undefined;
    if (signs.livePools === 0) {
      checks.push(problem('worker', 'no worker process is running', 'start `talentsync worker` (deploy/)'));
    } else if (quietMs !== undefined && quietMs > WORKER_QUIET_MS) {
      checks.push(
        problem(
          'worker',
          `${signs.livePools} worker pool(s) alive, but no scheduled job ran for ${Math.round(quietMs / 60_000)} min`,
          'read the worker’s log',
        ),
      );
    } else checks.push(ok('worker', `${signs.livePools} worker pool(s) alive`));
    const expiring = await pushChannelsNearExpiry(db, PUSH_EXPIRY_MS);
    checks.push(
      expiring === 0
        ? ok('push channels', 'none about to expire unrenewed')
        : problem(
            'push channels',
            `${expiring} expire within the hour and were not renewed`,
            'check that the worker runs and its log for renewal errors',
          ),
    );
    const lost = await connectionsAwaitingReauthorization(db);
    const total = lost.reduce((sum, row) => sum + row.count, 0);
    checks.push(
      total === 0
        ? ok('connections', 'none awaits reauthorization')
        : warning(
            'connections',
            `${total} in reauthorization_required (${lost.map((row) => `${row.primaryDomain}: ${row.count}`).join(', ')})`,
            'those users connect their mailbox again (admins see who under Settings)',
          ),
    );
    return checks;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
