/**
 * A large sync through crashes: a connected mailbox receives many messages (a share of them candidate
 * mail), the real worker runs in a child process and is killed with SIGKILL at random moments, then started
 * again, until the sync has looked at every message. What ends up stored is then read back, so the caller
 * can check exactly-once: every candidate message once, nothing else.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Provider } from '../../src/providers/types.ts';
import { createRandom } from '../../src/sandbox/random.ts';
import { enqueueSync } from '../../src/services/sync.ts';
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
  /** How long the last worker may take to finish the sync after the last kill. */
  finishWithinMs: number;
  log?: (line: string) => void;
}

export interface CrashReport {
  delivered: number;
  /** Provider ids of the candidate messages delivered. */
  expected: Set<string>;
  /** Provider ids of the other messages delivered. */
  others: Set<string>;
  /** Provider ids of stored messages, one entry per row (a duplicate would appear twice). */
  storedRows: string[];
  /** Provider ids with an R19 decision, one entry per row. */
  decidedRows: string[];
  /** Rows linking stored messages to members. */
  links: number;
  /** The sync state's count of messages stored (each committed page adds what it newly stored). */
  counted: number;
  /** For each kill, how many messages had been looked at (stored or decided) when it came. */
  progressAtKills: number[];
  seconds: number;
}

const CANDIDATES = 10;
const DELIVERY_CONCURRENCY = 8;

/** Runs the scenario against the sandbox and database of `t`; `t` must run no worker of its own. */
export async function syncThroughCrashes(t: ProviderTest, options: CrashOptions): Promise<CrashReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const random = createRandom(options.seed);
  const tag = randomBytes(3).toString('hex');
  const box = await connectedMailbox(t, options.provider, `crash-${options.provider}-${tag}.example`);
  const candidates: string[] = [];
  for (let i = 0; i < CANDIDATES; i += 1) {
    const address = `crash-${tag}-${i}@candidates.example`;
    await t.member({ emails: [address] });
    candidates.push(address);
  }
  const env = workerEnv(t.database.url, t.sandbox.url);
  const { db } = t.database;
  const progress = () => lookedAt(t, box);

  let worker: WorkerProcess = spawnWorker(env);
  const progressAtKills: number[] = [];
  const expected = new Set<string>();
  const others = new Set<string>();
  try {
    await worker.ready;
    // The first sync anchors the cursor at the moment of connection; the mail comes after it.
    await until(
      async () => Boolean((await syncState(t, box))?.last_sync_succeeded_at),
      30_000,
      () => `the first sync did not finish\n${worker.output()}`,
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: DELIVERY_CONCURRENCY }, async () => {
        for (let i = next++; i < options.messages; i = next++) {
          const candidate = i % options.candidateEvery === 0;
          const from = candidate
            ? (candidates[i % CANDIDATES] as string)
            : `sender-${i}@elsewhere-${tag}.example`;
          const delivered = await box.deliver({
            from: { address: from },
            to: [{ address: box.recruiter.email }],
            subject: `${candidate ? 'Application' : 'Newsletter'} ${i}`,
            text: `Message ${i}. `.repeat(20),
          });
          (candidate ? expected : others).add(delivered.id);
        }
      }),
    );
    log(`delivered ${options.messages} messages (${expected.size} from candidates)`);
    await t.sandbox.control.post('/faults', {
      provider: options.provider,
      endpoint: '*',
      latencyMs: options.callLatencyMs,
    });
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
      log(`kill ${kill}/${options.kills}: SIGKILL with ${seen} of ${options.messages} messages looked at`);
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

  const stored = await db
    .selectFrom('messages')
    .select(['id', 'provider_message_id'])
    .where('connection_id', '=', box.connectionId)
    .execute();
  const decided = await db
    .selectFrom('sync_decisions')
    .select('provider_message_id')
    .where('connection_id', '=', box.connectionId)
    .execute();
  const links = await db
    .selectFrom('message_members as mm')
    .innerJoin('messages as m', (join) =>
      join.onRef('m.org_id', '=', 'mm.org_id').onRef('m.id', '=', 'mm.message_id'),
    )
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('m.connection_id', '=', box.connectionId)
    .executeTakeFirstOrThrow();
  return {
    delivered: options.messages,
    expected,
    others,
    storedRows: stored.map((row) => row.provider_message_id),
    decidedRows: decided.map((row) => row.provider_message_id),
    links: Number(links.n),
    counted: Number((await syncState(t, box))?.messages_synced ?? 0),
    progressAtKills,
    seconds: (performance.now() - started) / 1000,
  };
}

async function syncState(t: ProviderTest, box: Mailbox) {
  return t.database.db
    .selectFrom('mailbox_sync')
    .select(['last_sync_started_at', 'last_sync_succeeded_at', 'messages_synced'])
    .where('connection_id', '=', box.connectionId)
    .executeTakeFirst();
}

/** The mailbox's sync jobs as Graphile Worker holds them (for a failure's message). */
async function jobsOf(t: ProviderTest, box: Mailbox) {
  const { rows } = await sql<Record<string, unknown>>`
    select id, attempts, max_attempts, locked_by, locked_at, run_at, last_error
    from graphile_worker.jobs where key = ${`sync:${box.connectionId}`} or queue_name = ${`mailbox:${box.connectionId}`}`.execute(
    t.database.db,
  );
  return rows;
}

/** Messages of the mailbox that sync has looked at: stored, or decided against (R19). */
async function lookedAt(t: ProviderTest, box: Mailbox): Promise<number> {
  const { db } = t.database;
  const [stored, decided] = await Promise.all([
    db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('connection_id', '=', box.connectionId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('sync_decisions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('connection_id', '=', box.connectionId)
      .executeTakeFirstOrThrow(),
  ]);
  return Number(stored.n) + Number(decided.n);
}

/** Waits until `check` holds, or fails with `why()` after `timeoutMs`. */
async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  why: () => string | Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(await why());
    await sleep(100);
  }
}
