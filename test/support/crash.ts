/**
 * A large sync through crashes: a connected mailbox receives many messages (a share of them candidate
 * mail), the real worker runs in a child process and is killed with SIGKILL at random moments of its sync
 * runs, then started again, until the sync has looked at every message. What ends up stored is then read
 * back, so the caller can check exactly-once.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Provider } from '../../src/providers/types.ts';
import { createRandom } from '../../src/sandbox/random.ts';
import { enqueueSync } from '../../src/services/sync.ts';
import {
  type Delivered,
  deliverMix,
  lookedAt,
  type SyncOutcome,
  syncOutcome,
  until,
} from './exactly-once.ts';
import type { ProviderTest } from './providers.ts';
import { connectedMailbox, type Mailbox } from './sync.ts';
import { spawnWorker, type WorkerProcess, workerEnv } from './worker-process.ts';

export interface CrashOptions {
  provider: Provider;
  /** Messages delivered, all before the first kill. */
  messages: number;
  /** Every n-th message is from a candidate. */
  candidateEvery: number;
  kills: number;
  /** Each kill comes at a random moment this many milliseconds into a sync run of the (re)started worker. */
  killAfterMs: [number, number];
  seed: number;
  /** Latency the sandbox adds to every provider call, so that a sync lasts long enough to be killed in. */
  callLatencyMs: number;
  /**
   * The workers' SYNC_POLL_QUIET_SECONDS. A job killed as often as its attempts allow (8) is given up, as
   * Graphile gives up a job that keeps failing; the poll fallback then resumes the mailbox.
   */
  pollQuietSeconds?: number;
  /** How long the last worker may take to finish the sync after the last kill. */
  finishWithinMs: number;
  log?: (line: string) => void;
}

export interface CrashReport extends SyncOutcome {
  delivered: Delivered;
  /** For each kill, how many messages had been looked at (stored or decided) when it came. */
  progressAtKills: number[];
  seconds: number;
  box: Mailbox;
  candidates: { id: string; address: string }[];
}

const CANDIDATES = 10;

/** Runs the scenario against the sandbox and database of `t`; `t` must run no worker of its own. */
export async function syncThroughCrashes(t: ProviderTest, options: CrashOptions): Promise<CrashReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const random = createRandom(options.seed);
  const tag = randomBytes(3).toString('hex');
  const box = await connectedMailbox(t, options.provider, `crash-${options.provider}-${tag}.example`);
  const members: { id: string; address: string }[] = [];
  for (let i = 0; i < CANDIDATES; i += 1) {
    const address = `crash-${tag}-${i}@candidates.example`;
    members.push({ id: (await t.member({ emails: [address] })).id, address });
  }
  const candidates = members.map((member) => member.address);
  const env = workerEnv(t.database.url, t.sandbox.url);
  if (options.pollQuietSeconds) env.SYNC_POLL_QUIET_SECONDS = String(options.pollQuietSeconds);
  const { db } = t.database;
  const progress = () => lookedAt(db, box.connectionId);

  let worker: WorkerProcess = spawnWorker(env);
  const progressAtKills: number[] = [];
  let delivered: Delivered;
  try {
    await worker.ready;
    // The first sync anchors the cursor at the moment of connection; the mail comes after it.
    await until(
      async () => Boolean((await syncState(t, box))?.last_sync_succeeded_at),
      30_000,
      () => `the first sync did not finish\n${worker.output()}`,
    );
    delivered = await deliverMix(box, { ...options, candidates, tag, concurrency: 8 });
    log(`delivered ${options.messages} messages (${delivered.expected.length} from candidates)`);
    if (options.callLatencyMs > 0) {
      await t.sandbox.control.post('/faults', {
        provider: options.provider,
        endpoint: '*',
        latencyMs: options.callLatencyMs,
      });
    }
    // What a push notification would do: ask for a sync.
    await enqueueSync(db, box.orgId, box.connectionId);
    let spawnedAt = new Date();
    for (let kill = 1; kill <= options.kills; kill += 1) {
      // Each kill lands inside a sync run: a random moment after the (re)started worker began one.
      await until(
        async () =>
          ((await syncState(t, box))?.last_sync_started_at ?? spawnedAt) > spawnedAt ||
          (await progress()) >= options.messages,
        options.finishWithinMs,
        () => `no sync run started after restart ${kill - 1}\n${worker.output()}`,
      );
      const [low, high] = options.killAfterMs;
      await sleep(low + random.next() * (high - low));
      await worker.kill('SIGKILL');
      const seen = await progress();
      progressAtKills.push(seen);
      const attempts = (await jobsOf(t, box)).map((job) => `${job.attempts}/${job.max_attempts}`);
      log(
        `kill ${kill}/${options.kills}: SIGKILL with ${seen} of ${options.messages} messages looked at (sync job attempts ${attempts.join(', ') || 'none'})`,
      );
      spawnedAt = new Date();
      worker = spawnWorker(env);
      await worker.ready;
    }
    await until(
      async () => (await progress()) >= options.messages,
      options.finishWithinMs,
      async () =>
        `only ${await progress()} of ${options.messages} messages were looked at ${options.finishWithinMs / 1000} s after the last restart; jobs: ${JSON.stringify(await jobsOf(t, box))}\n${worker.output()}`,
    );
  } finally {
    await worker.kill('SIGTERM');
    await t.sandbox.control.del('/faults');
  }
  return {
    ...(await syncOutcome(db, box.connectionId)),
    delivered,
    progressAtKills,
    seconds: (performance.now() - started) / 1000,
    box,
    candidates: members,
  };
}

async function syncState(t: ProviderTest, box: Mailbox) {
  return t.database.db
    .selectFrom('mailbox_sync')
    .select(['last_sync_started_at', 'last_sync_succeeded_at'])
    .where('connection_id', '=', box.connectionId)
    .executeTakeFirst();
}

/** The mailbox's sync jobs as Graphile Worker holds them (for a failure's message). */
async function jobsOf(t: ProviderTest, box: Mailbox) {
  const { rows } = await sql<Record<string, unknown>>`
    select id, attempts, max_attempts, locked_by, locked_at, run_at, last_error
    from graphile_worker.jobs
    where key = ${`sync:${box.connectionId}`} or queue_name = ${`mailbox:${box.connectionId}`}`.execute(
    t.database.db,
  );
  return rows;
}
