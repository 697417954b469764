/** The job worker: Graphile Worker on our database, with our task list. */
import { type Runner, run, type TaskList } from 'graphile-worker';
import type pg from 'pg';
import type { Logger } from '../log.ts';
import { workerLogger } from './logger.ts';

/** Every task the worker runs, by name. Later capabilities (sync, renewals, polling) add theirs here. */
export const taskList: TaskList = {};

export async function startWorker(pool: pg.Pool, logger: Logger, concurrency = 4): Promise<Runner> {
  return run({
    pgPool: pool,
    taskList,
    concurrency,
    // Shutdown is ours to order (HTTP, then jobs, then the pool, then an embedded database).
    noHandleSignals: true,
    pollInterval: 2000,
    parsedCronItems: [],
    logger: workerLogger(logger),
  });
}
