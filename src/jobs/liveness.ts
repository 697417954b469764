/**
 * Crash recovery for the job worker.
 *
 * Graphile Worker locks a job, and the job's queue, with the id of the worker pool that runs it. A pool
 * that dies without unlocking (SIGKILL, out of memory, a lost machine) keeps both locked until Graphile's
 * own sweep frees locks older than 4 hours; since a mailbox's syncs share one queue, one crash stopped that
 * mailbox's sync for 4 hours. Graphile cannot tell a dead pool from a slow one, but Postgres can: each
 * worker process holds a session advisory lock per pool on a connection of its own, which Postgres drops
 * when the process goes. Every process sweeps at start and every `SWEEP_MS`, releasing (through Graphile's
 * `force_unlock_workers`) the jobs of pools whose lock nobody holds; a released job runs again with the
 * crashed attempt counted, as after Graphile's 4-hour sweep.
 *
 * Should a live process lose that connection, others may release its job early and run it twice at once:
 * sync stays exactly-once through its compare-and-set commit (sync/engine.ts), and the other jobs tolerate
 * a second run. (Rejected: releasing every foreign lock at start, wrong as soon as two workers run; a
 * heartbeat table, which needs a migration and clocks, and knows no more than the session does.)
 */
import { EventEmitter } from 'node:events';
import type { WorkerEvents } from 'graphile-worker';
import pg from 'pg';
import type { Database } from '../db/database.ts';
import { holdPoolLock, unlockDeadPools } from '../db/jobs.ts';
import type { Logger } from '../log.ts';

const SWEEP_MS = 2_000;
/** A pool takes its lock as it starts; a job it locked less than this long ago is never released. */
const GRACE_MS = 3_000;

export interface Liveness {
  /** Pass to Graphile Worker's `run`: its pools are marked alive as they are created. */
  events: WorkerEvents;
  /** Stops sweeping and ends the connection that holds the locks (the pools stop being alive). */
  close(): Promise<void>;
}

/** Starts marking this process's worker pools alive, and releasing the jobs of dead ones. */
export async function startLiveness(pool: pg.Pool, db: Database, logger: Logger): Promise<Liveness> {
  const ours = new Set<string>();
  let client: pg.Client | undefined;
  let closed = false;

  const connect = async () => {
    const next = new pg.Client(pool.options);
    next.on('error', (error) => {
      logger.warn({ err: error }, 'worker liveness connection lost; reconnecting at the next sweep');
      if (client === next) client = undefined;
    });
    await next.connect();
    for (const id of ours) await holdPoolLock(next, id);
    client = next;
  };
  const sweep = async () => {
    try {
      if (!client) await connect();
      const released = await unlockDeadPools(db, GRACE_MS, [...ours]);
      if (released.length > 0) logger.warn({ pools: released }, 'released the jobs of crashed workers');
    } catch (error) {
      logger.warn({ err: error }, 'sweeping crashed workers failed');
    }
  };

  await connect();
  const events = new EventEmitter() as WorkerEvents;
  events.on('pool:create', ({ workerPool }) => {
    ours.add(workerPool.id);
    // Without a connection now, the next sweep's reconnect takes the lock.
    holdPoolLock(client, workerPool.id).catch((error: unknown) =>
      logger.warn({ err: error }, 'marking a worker pool alive failed'),
    );
  });
  await sweep();
  const timer = setInterval(() => {
    if (!closed) void sweep();
  }, SWEEP_MS);
  timer.unref();
  return {
    events,
    close: async () => {
      closed = true;
      clearInterval(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
