/** The job worker: Graphile Worker on our database, running our task list and recurring jobs. */
import { type Runner, run } from 'graphile-worker';
import type pg from 'pg';
import { workerLogger } from '../db/job-logger.ts';
import type { AppContext } from '../services/context.ts';
import { startLiveness } from './liveness.ts';
import { wakeQueuesOnJobEnd } from './queue-wake.ts';
import { createTaskList, cronItems, type TaskSettings } from './tasks.ts';

export async function startWorker(
  pool: pg.Pool,
  context: AppContext,
  settings: TaskSettings,
  concurrency = 4,
  /** How often an idle worker looks for jobs it was not told of (due retries, delayed runs). */
  pollIntervalMs = 2000,
): Promise<Runner> {
  const logger = context.logger.child({ component: 'worker' });
  // Jobs of workers that crashed are released within seconds, not Graphile's 4 hours (see liveness.ts).
  const liveness = await startLiveness(pool, context.db, logger);
  // A push arriving while its mailbox's sync runs is synced when that run ends, not at the next poll.
  wakeQueuesOnJobEnd(liveness.events, context.db, logger);
  const runner = await run({
    pgPool: pool,
    taskList: createTaskList(context, settings),
    parsedCronItems: cronItems,
    concurrency,
    // Shutdown is ours to order (HTTP, then jobs, then the pool, then an embedded database).
    noHandleSignals: true,
    pollInterval: pollIntervalMs,
    logger: workerLogger(context.logger),
    events: liveness.events,
  }).catch(async (error: unknown) => {
    await liveness.close();
    throw error;
  });
  const stop = () => liveness.close();
  runner.promise.then(stop, stop);
  return runner;
}
