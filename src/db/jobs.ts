/**
 * Enqueuing jobs from inside our own transactions, through Graphile Worker's SQL API: a job is queued
 * exactly when the change that calls for it commits (https://worker.graphile.org/docs/sql-add-job).
 */
import { sql } from 'kysely';
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
