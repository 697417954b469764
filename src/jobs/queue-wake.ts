/**
 * A job queued behind a running one in its named queue starts when that one ends, not at the next poll.
 *
 * A mailbox's syncs share a named queue (services/sync.ts), so a push that arrives while that mailbox's sync
 * runs queues a second run behind it; Graphile Worker's NOTIFY for it reaches workers that find the queue
 * locked, and only the worker that ends the running job would look again. Graphile Worker 0.18 does look
 * right away, but without waiting for the end to commit (worker.js calls `completeJob`/`failJob` and then
 * `doNext` without awaiting): the queue still looks locked, the queued job is skipped, and nothing looks
 * again until the next poll, up to `pollInterval` (2 s) later. That was BENCHMARKS.md's one 1.9 s message
 * among 200; with pushes 20–50 ms apart the next push's NOTIFY usually hid it, so only a push with no
 * other after it (the last of a burst) showed it.
 *
 * So when a job of a named queue ends, we wait until its end is visible (the job is gone, or no longer
 * locked when it failed and waits for a retry) and then nudge the worker pool, as a NOTIFY would: an idle
 * worker looks for a job at once, and a busy one looks again when its job ends. One small query per ended
 * queued job, usually once; the wait gives up after `GIVE_UP_MS`, when the poll is as near.
 */
import type { WorkerEvents } from 'graphile-worker';
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';

/** Waits between looks at whether a job's end has committed: usually the first look sees it. */
const WAITS_MS = [0, 5, 10, 20, 40, 80, 160, 320, 640];
const GIVE_UP_MS = WAITS_MS.reduce((sum, ms) => sum + ms, 0);

/** Wakes the pool after each job of a named queue ends; `events` is the emitter given to `run`. */
export function wakeQueuesOnJobEnd(events: WorkerEvents, db: Database, logger: Logger): void {
  events.on('job:complete', ({ worker, job }) => {
    if (job.job_queue_id === null) return;
    void (async () => {
      for (const wait of WAITS_MS) {
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (!(await stillLocked(db, job.id))) {
          worker.workerPool.nudge(1);
          return;
        }
      }
      logger.debug({ jobId: job.id }, `a job's end was not visible within ${GIVE_UP_MS} ms`);
    })().catch((error: unknown) =>
      logger.warn({ err: error, jobId: job.id }, 'waking the workers after a queued job failed'),
    );
  });
}

/** Whether the job is still locked (its end not yet committed): a completed job is gone, a failed one unlocked. */
async function stillLocked(db: Database, jobId: string): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`
    select exists (
      select 1 from graphile_worker.jobs where id = ${jobId}::bigint and locked_at is not null
    ) as locked`.execute(db);
  return rows[0]?.locked === true;
}
