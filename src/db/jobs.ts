/**
 * Enqueuing jobs from inside our own transactions, through Graphile Worker's SQL API: a job is queued
 * exactly when the change that calls for it commits (https://worker.graphile.org/docs/sql-add-job).
 */
import { sql } from 'kysely';
import type pg from 'pg';
import type { Database } from './database.ts';

export interface EnqueueOptions {
  /** Jobs of one queue run one at a time, in order. */
  queueName?: string | undefined;
  /** At most one pending job per key: a new one replaces the pending one (a burst collapses into one). */
  jobKey?: string | undefined;
  runAt?: Date | undefined;
  maxAttempts?: number | undefined;
}

export async function enqueue(
  db: Database,
  task: string,
  payload: Record<string, unknown>,
  options: EnqueueOptions = {},
): Promise<void> {
  await sql`select graphile_worker.add_job(
    ${task},
    ${JSON.stringify(payload)}::json,
    queue_name => ${options.queueName ?? null}::text,
    run_at => ${options.runAt ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? null}::int,
    job_key => ${options.jobKey ?? null}::text
  )`.execute(db);
}

/** Jobs waiting (not running, not failed for good), by task: the queue depth metric. */
export async function queuedJobsByTask(db: Database): Promise<{ task: string; count: number }[]> {
  const rows = await sql<{ task: string; count: string }>`
    select task_identifier as task, count(*) as count
    from graphile_worker.jobs
    where locked_at is null and attempts < max_attempts
    group by task_identifier`.execute(db);
  return rows.rows.map((row) => ({ task: row.task, count: Number(row.count) }));
}

/**
 * Worker liveness, for crash recovery (see `jobs/liveness.ts`): a running worker pool holds a session-level
 * advisory lock named by its Graphile pool id, on a connection of its own, until its process ends.
 * `pg_try_…` never waits: two pool ids that hash alike (one chance in 2^32) must not block a worker.
 */
export const LIVENESS_LOCKS = 0x7a11;

/** Marks the pool `poolId` as alive for as long as `client`'s session lasts (nothing without a client). */
export async function holdPoolLock(client: pg.ClientBase | undefined, poolId: string): Promise<void> {
  await client?.query('select pg_try_advisory_lock($1::int, hashtext($2::text))', [LIVENESS_LOCKS, poolId]);
}

/**
 * Releases the jobs and queues locked, more than `graceMs` ago, by worker pools whose process is gone (no
 * session holds their lock), with Graphile Worker's own `force_unlock_workers`; pools in `ours` are never
 * released. Answers the pools released.
 */
export async function unlockDeadPools(db: Database, graceMs: number, ours: string[]): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    // The transaction-level probe holds each dead pool's lock until commit, so two sweepers agree.
    const { rows } = await sql<{ pool_id: string }>`
      select pool_id from (
        select distinct locked_by as pool_id from graphile_worker.jobs
        where locked_by is not null and locked_at < now() - make_interval(secs => ${graceMs / 1000})
      ) owners
      where pool_id <> all(${ours}::text[])
        and pg_try_advisory_xact_lock(${LIVENESS_LOCKS}::int, hashtext(pool_id))`.execute(trx);
    const dead = rows.map((row) => row.pool_id);
    if (dead.length > 0) await sql`select graphile_worker.force_unlock_workers(${dead}::text[])`.execute(trx);
    return dead;
  });
}
