/**
 * The job worker: Graphile Worker on our database, running our task list and recurring jobs.
 *
 * It outlives the database. When PostgreSQL goes away under a running job (a crash, a restart, a failover),
 * Graphile cannot record the job's end; it then shuts its runner down ("the queue is in an inconsistent
 * state"), or, releasing jobs one at a time, let the failed write escape as an unhandled rejection that
 * ended the whole process. So jobs are released through Graphile's batcher (`completeJobBatchDelay` and
 * `failJobBatchDelay` of 0: no waiting, but a failed release is handed to Graphile's error handling rather
 * than thrown at nobody), and a runner that ends without being stopped is started again as soon as the
 * database answers. The job it could not release stays locked by the old runner's pool, whose liveness
 * lock went with its session: the sweep (liveness.ts) releases it and it runs again, which sync tolerates
 * (its page commits are compare-and-set, sync/engine.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Runner, run } from 'graphile-worker';
import type pg from 'pg';
import { workerLogger } from '../db/job-logger.ts';
import type { AppContext } from '../services/context.ts';
import { startLiveness } from './liveness.ts';
import { wakeQueuesOnJobEnd } from './queue-wake.ts';
import { createTaskList, cronItems, type TaskSettings } from './tasks.ts';

/** A running worker; `stop` ends it in order (running jobs finish or are released). */
export interface JobWorker {
  stop(): Promise<void>;
}

/** The longest wait between checks that the database is back, after a runner ended on its own. */
const MAX_RESTART_WAIT_MS = 10_000;

export async function startWorker(
  pool: pg.Pool,
  context: AppContext,
  settings: TaskSettings,
  concurrency = 4,
  /** How often an idle worker looks for jobs it was not told of (due retries, delayed runs). */
  pollIntervalMs = 2000,
): Promise<JobWorker> {
  const logger = context.logger.child({ component: 'worker' });
  const start = async (): Promise<Runner> => {
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
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    }).catch(async (error: unknown) => {
      await liveness.close();
      throw error;
    });
    const stop = () => liveness.close();
    runner.promise.then(stop, stop);
    return runner;
  };

  let stopping = false;
  let current: Runner | undefined = await start();
  let restarting: Promise<void> | undefined;
  const watch = (runner: Runner) => {
    const ended = (error?: unknown) => {
      if (stopping || runner !== current) return;
      current = undefined;
      logger.error({ err: error }, 'the job runner stopped on its own (database lost?); starting it again');
      restarting = restart();
    };
    runner.promise.then(() => ended(), ended);
  };
  const restart = async () => {
    for (let attempt = 0; !stopping; attempt += 1) {
      await sleep(Math.min(500 * 2 ** attempt, MAX_RESTART_WAIT_MS));
      if (stopping) return;
      try {
        await pool.query('select 1');
        const runner = await start();
        if (stopping) {
          await runner.stop();
          return;
        }
        current = runner;
        watch(runner);
        logger.warn({ attempts: attempt + 1 }, 'the job runner is running again');
        return;
      } catch (error) {
        logger.warn({ err: error }, 'the database does not answer yet; the job runner waits');
      }
    }
  };
  watch(current);
  return {
    stop: async () => {
      stopping = true;
      await restarting;
      await current?.stop().catch((error: unknown) => {
        logger.warn({ err: error }, 'stopping the job runner failed');
      });
    },
  };
}
