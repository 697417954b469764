/**
 * Stage `scale` (issue 14, items 6 and 9): many connected Google mailboxes (100, 1,000 and 10,000; 20 in
 * quick mode), made by `bench/fleet.ts` (every one through the consent flow, its first sync and its Gmail
 * watch done by the worker's own jobs), against `talentsync api` and `talentsync worker` child processes.
 *
 * At each size:
 *   - the worker's memory (RSS, and V8's heap after a full GC through the inspector) with the mailboxes
 *     connected and idle, against the same process before the first mailbox: ÷ mailboxes;
 *   - a storm: one new candidate message in every mailbox, then one Gmail Pub/Sub push per mailbox (the
 *     sandbox's own push, signed with its key as Pub/Sub signs, at most WINDOW in flight as Pub/Sub's
 *     flow control keeps them) to the API's webhook: webhook answers per second, the time until every
 *     mailbox has its message stored, and sync jobs per second — with one worker process, then two;
 *   - every sync job's start and end (Graphile Worker's lock) and every sync run's (the engine's
 *     `mailbox_sync` marks) recorded by triggers: runs of one mailbox that overlap are counted (must be 0).
 * CPU seconds of each process during each storm say what bounds it, and project it to 16 cores.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { type Fleet, openFleet, overlaps, type Run, sleep, unended } from '../fleet.ts';
import type { Child } from '../processes.ts';
import type { Figure, Series, Stage } from '../stage.ts';

/** Pushes in flight at once: Pub/Sub's push flow control keeps a window too (it grows with successes). */
const WINDOW = 100;
/** Mailboxes connected through the whole browser flow; the rest skip its browser part (bench/fleet.ts). */
const BROWSER_FLOWS = 20;
const KIB = 1024;
const MIB = 1024 * 1024;

interface Storm {
  mailboxes: number;
  workers: number;
  startedAt: number;
  webhooksDoneAt: number;
  caughtUpAt: number;
  webhookSeconds: number;
  catchUpSeconds: number;
  pushesFailed: number;
  /** CPU seconds spent by each process group during the storm. */
  cpu: Record<string, number>;
  /** Filled in from the recorded runs once the stage is over. */
  syncJobs?: number;
}

interface Step {
  mailboxes: number;
  consentSeconds: number;
  settleSeconds: number;
  memory: { rssBytes: number; heapUsedBytes: number };
  one: Storm;
  two: Storm;
}

export const scale: Stage = {
  id: 'scale',
  title: 'Connected mailboxes at scale: idle memory, a push storm, 1 vs 2 workers',
  async run({ quick, progress, database }) {
    // BENCH_SCALE_SIZES=100,1000 measures other sizes (the last one is the figures' size).
    const sizes = process.env.BENCH_SCALE_SIZES
      ? process.env.BENCH_SCALE_SIZES.split(',').map(Number)
      : quick
        ? [10]
        : [100, 1000, 10_000];
    const { url } = await database();
    const fleet = await openFleet({ databaseUrl: url, progress });
    try {
      const worker = await fleet.startWorker({ inspect: true });
      await sleep(1000);
      const baseline = await worker.memory();
      progress(
        `worker at 0 mailboxes: RSS ${(baseline.rssBytes / MIB).toFixed(1)} MiB, heap ${(baseline.heapUsedBytes / MIB).toFixed(1)} MiB`,
      );
      const steps: Step[] = [];
      let stormNumber = 0;
      for (const size of sizes) {
        progress(`connecting mailboxes up to ${size}`);
        // A second worker helps with the fleet's first syncs and watches, and is gone before measuring.
        const helper = await fleet.startWorker();
        const t0 = performance.now();
        await fleet.grow(size, { browserFlows: BROWSER_FLOWS });
        const consentSeconds = (performance.now() - t0) / 1000;
        await fleet.settled(1_800_000);
        await helper.stop();
        const settleSeconds = (performance.now() - t0) / 1000 - consentSeconds;
        const memory = await worker.memory();
        progress(
          `${size} mailboxes connected in ${consentSeconds.toFixed(1)} s (+${settleSeconds.toFixed(1)} s for their first sync and watch); worker RSS ${(memory.rssBytes / MIB).toFixed(1)} MiB, heap ${(memory.heapUsedBytes / MIB).toFixed(1)} MiB`,
        );
        stormNumber += 1;
        const one = await storm(fleet, [worker], `${stormNumber}`);
        progress(describe(one));
        const second = await fleet.startWorker();
        stormNumber += 1;
        const two = await storm(fleet, [worker, second], `${stormNumber}`);
        progress(describe(two));
        await second.stop();
        await fleet.settled(120_000);
        steps.push({ mailboxes: size, consentSeconds, settleSeconds, memory, one, two });
        const sofar = await fleet.runs();
        const syncJobsSoFar = sofar.jobs.filter((run) => run.task === 'sync_mailbox');
        progress(
          `so far ${syncJobsSoFar.length} sync jobs and ${sofar.syncs.length} sync runs recorded; overlapping: ${overlaps(syncJobsSoFar)} jobs, ${overlaps(sofar.syncs)} runs`,
        );
      }

      const { jobs, syncs } = await fleet.runs();
      const syncJobs = jobs.filter((run) => run.task === 'sync_mailbox');
      for (const step of steps)
        for (const one of [step.one, step.two])
          one.syncJobs = within(syncJobs, one.startedAt, one.caughtUpAt);
      const jobOverlaps = overlaps(syncJobs);
      const runOverlaps = overlaps(syncs);
      const twoWorkerPools = steps.map((step) => poolsOf(syncJobs, step.two));
      return report({ steps, baseline, syncJobs, syncs, jobOverlaps, runOverlaps, twoWorkerPools, quick });
    } finally {
      await fleet.close();
    }
  },
};

/** One storm: a new candidate message in every mailbox, then one push each; resolves when all are stored. */
async function storm(fleet: Fleet, workers: Child[], label: string): Promise<Storm> {
  const subject = `Storm ${label}: an application`;
  const { mailboxes, candidates, sandbox } = fleet;
  // The messages arrive while the subscription is detached, so the pushes are the storm's alone.
  const subscription = await sandbox('GET', '/google/push-subscription');
  await sandbox('DELETE', '/google/push-subscription');
  let n = 0;
  for (const mailbox of mailboxes) {
    await sandbox('POST', `/google/mailboxes/${mailbox.email}/deliver`, {
      from: { address: candidates[n % candidates.length] as string, name: 'A Candidate' },
      to: [{ address: mailbox.email }],
      subject,
      text: 'Hello, I would like to apply for the role. My CV is below.\n'.repeat(8),
    });
    n += 1;
  }
  await sandbox('PUT', '/google/push-subscription', subscription);
  const push = fleet.bench.sandbox.core.push;
  const google = () => push.stats().find((row) => row.provider === 'google');
  const before = google() ?? { queued: 0, delivered: 0, failed: 0, dropped: 0 };
  const settled = () => {
    const now = google() ?? before;
    return now.delivered - before.delivered + (now.failed - before.failed) + (now.dropped - before.dropped);
  };
  const cpuBefore = await cpuSample(fleet, workers);
  const startedAt = Date.now();
  let sent = 0;
  for (const mailbox of mailboxes) {
    while (sent - settled() >= WINDOW) await sleep(1);
    await sandbox('POST', `/google/mailboxes/${mailbox.email}/push`);
    sent += 1;
  }
  while (settled() < sent) await sleep(5);
  const webhooksDoneAt = Date.now();
  const failed = (google()?.failed ?? 0) - before.failed;
  const db = fleet.bench.database.db;
  for (;;) {
    const { rows } = await sql<{ stored: string }>`
      select count(distinct connection_id) as stored from messages where subject = ${subject}`.execute(db);
    if (Number(rows[0]?.stored) >= mailboxes.length) break;
    await sleep(100);
  }
  const caughtUpAt = Date.now();
  const cpu = cpuBetween(cpuBefore, await cpuSample(fleet, workers));
  return {
    mailboxes: mailboxes.length,
    workers: workers.length,
    startedAt,
    webhooksDoneAt,
    caughtUpAt,
    webhookSeconds: (webhooksDoneAt - startedAt) / 1000,
    catchUpSeconds: (caughtUpAt - startedAt) / 1000,
    pushesFailed: failed,
    cpu,
  };
}

/**
 * CPU seconds so far of the worker(s), the API, this process (the sandbox and the driver) and each
 * PostgreSQL process of the server (backends and background processes, by pid).
 */
async function cpuSample(fleet: Fleet, workers: Child[]) {
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity`.execute(
    fleet.bench.database.db,
  );
  const own = process.cpuUsage();
  return {
    worker: workers.reduce((sum, worker) => sum + cpuOf(worker.pid), 0),
    api: cpuOf(fleet.api.pid),
    'sandbox+driver': (own.user + own.system) / 1e6,
    postgres: new Map(rows.map((row) => [row.pid, cpuOf(row.pid)])),
  };
}

/** CPU seconds between two samples; a PostgreSQL process that started in between counts from its start. */
function cpuBetween(
  before: Awaited<ReturnType<typeof cpuSample>>,
  after: Awaited<ReturnType<typeof cpuSample>>,
): Record<string, number> {
  let postgres = 0;
  for (const [pid, seconds] of after.postgres) postgres += seconds - (before.postgres.get(pid) ?? 0);
  return {
    worker: after.worker - before.worker,
    api: after.api - before.api,
    'sandbox+driver': after['sandbox+driver'] - before['sandbox+driver'],
    postgres,
  };
}

/** A process's CPU seconds from /proc (0 when it is gone). */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 of the whole line, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function within(runs: Run[], from: number, to: number): number {
  return runs.filter((run) => run.start >= from && (run.end ?? run.start) <= to).length;
}

/** Sync jobs of a storm per worker pool (Graphile's `locked_by`), to show both processes took work. */
function poolsOf(runs: Run[], one: Storm): Record<string, number> {
  const pools: Record<string, number> = {};
  for (const run of runs)
    if (run.start >= one.startedAt && run.start <= one.caughtUpAt) pools[run.by] = (pools[run.by] ?? 0) + 1;
  return pools;
}

function describe(one: Storm): string {
  return `storm over ${one.mailboxes} mailboxes, ${one.workers} worker${one.workers > 1 ? 's' : ''}: webhooks answered in ${one.webhookSeconds.toFixed(1)} s (${rate(one.mailboxes, one.webhookSeconds)}/s), all stored after ${one.catchUpSeconds.toFixed(1)} s; CPU s ${Object.entries(
    one.cpu,
  )
    .map(([key, value]) => `${key} ${value.toFixed(1)}`)
    .join(', ')}`;
}

function rate(count: number, seconds: number): string {
  return (count / seconds).toFixed(0);
}

/** Growth in words from the first to the last size: the exponent of y ∝ x^k. */
function growth(xs: number[], ys: number[], what: string): string {
  const x0 = xs[0] ?? 1;
  const x1 = xs.at(-1) ?? 1;
  const y0 = ys[0] ?? 1;
  const y1 = ys.at(-1) ?? 1;
  if (xs.length < 2 || y0 <= 0 || y1 <= 0) return `${what}: one size only`;
  const k = Math.log(y1 / y0) / Math.log(x1 / x0);
  const words =
    Math.abs(k) < 0.15
      ? 'flat'
      : k < 0
        ? 'falling'
        : k < 0.85
          ? 'sub-linear'
          : k <= 1.15
            ? 'linear'
            : 'worse than linear';
  return `${what}: ${words} (∝ n^${k.toFixed(2)} from ${x0} to ${x1})`;
}

function report(input: {
  steps: Step[];
  baseline: { rssBytes: number; heapUsedBytes: number };
  syncJobs: Run[];
  syncs: Run[];
  jobOverlaps: number;
  runOverlaps: number;
  twoWorkerPools: Record<string, number>[];
  quick: boolean;
}) {
  const { steps, baseline } = input;
  const last = steps.at(-1) as Step;
  const first = steps[0] as Step;
  const n = last.mailboxes;
  const perConnection = (bytes: number, base: number, count: number) => (bytes - base) / count / KIB;
  const rssPer = perConnection(last.memory.rssBytes, baseline.rssBytes, n);
  const heapPer = perConnection(last.memory.heapUsedBytes, baseline.heapUsedBytes, n);
  const slopeRss =
    steps.length > 1
      ? (last.memory.rssBytes - first.memory.rssBytes) / (last.mailboxes - first.mailboxes) / KIB
      : rssPer;
  const slopeHeap =
    steps.length > 1
      ? (last.memory.heapUsedBytes - first.memory.heapUsedBytes) / (last.mailboxes - first.mailboxes) / KIB
      : heapPer;
  const jobsPerSecond = (one: Storm) => (one.syncJobs ?? 0) / one.catchUpSeconds;
  const cpuPerMailbox = (one: Storm) => {
    const out: Record<string, number> = {};
    for (const [key, value] of Object.entries(one.cpu)) out[key] = (value / one.mailboxes) * 1000;
    return out;
  };
  const ours = (one: Storm) => {
    const per = cpuPerMailbox(one);
    return (per.worker ?? 0) + (per.api ?? 0) + (per.postgres ?? 0);
  };
  const projected16 = 16_000 / ours(last.two);
  const figures: Figure[] = [
    {
      id: 'scale.idle_rss_kib_per_mailbox',
      label: `worker RSS per idle connected mailbox (0 → ${n})`,
      value: rssPer,
      unit: 'KiB',
      goal: { op: '<=', value: 4 },
      note: 'the worker holds nothing per mailbox between jobs (state is in PostgreSQL); an IMAP engine keeps a connection, 1–2 MiB per account',
    },
    {
      id: 'scale.idle_heap_kib_per_mailbox',
      label: `worker V8 heap after GC per idle mailbox (0 → ${n})`,
      value: heapPer,
      unit: 'KiB',
      goal: { op: '<=', value: 4 },
    },
    {
      id: 'scale.idle_rss_slope_kib',
      label: `worker RSS slope per mailbox (${first.mailboxes} → ${n}, past warm-up)`,
      value: slopeRss,
      unit: 'KiB',
    },
    {
      id: 'scale.idle_heap_slope_kib',
      label: `worker heap slope per mailbox (${first.mailboxes} → ${n}, past warm-up)`,
      value: slopeHeap,
      unit: 'KiB',
    },
    {
      id: 'scale.webhooks_per_s',
      label: `webhook answers per second (storm of ${n}, 1 worker)`,
      value: n / last.one.webhookSeconds,
      unit: '/s',
      note: `one talentsync api process; ${WINDOW} pushes in flight; bound by the API's single thread (JWT check + 2 statements) on 2 shared cores`,
    },
    {
      id: 'scale.catch_up_s_1',
      label: `storm of ${n}: all stored, 1 worker`,
      value: last.one.catchUpSeconds,
      unit: 's',
    },
    {
      id: 'scale.catch_up_s_2',
      label: `storm of ${n}: all stored, 2 workers`,
      value: last.two.catchUpSeconds,
      unit: 's',
    },
    {
      id: 'scale.speedup_2_workers',
      label: `speed-up of 2 worker processes over 1 (storm of ${n})`,
      value: last.one.catchUpSeconds / last.two.catchUpSeconds,
      unit: '×',
      note: '2 cores shared with PostgreSQL, the API and the sandbox (and other work on this machine): no second core to gain',
    },
    {
      id: 'scale.jobs_per_s_1',
      label: `sync jobs per second, 1 worker (storm of ${n})`,
      value: jobsPerSecond(last.one),
      unit: '/s',
    },
    {
      id: 'scale.jobs_per_s_2',
      label: `sync jobs per second, 2 workers (storm of ${n})`,
      value: jobsPerSecond(last.two),
      unit: '/s',
    },
    {
      id: 'scale.overlapping_runs',
      label: `sync runs of one mailbox overlapping (${input.syncJobs.length} jobs, ${input.syncs.length} runs)`,
      value: input.jobOverlaps + input.runOverlaps,
      unit: '',
      goal: { op: '<=', value: 0 },
      note: "job key sync:<id> (one pending) + queue mailbox:<id> (one running) in Graphile Worker; the cursor's compare-and-set under the state row's lock",
    },
    {
      id: 'scale.cpu_ms_per_mailbox',
      label: 'our CPU per mailbox of a storm (worker + API + PostgreSQL)',
      value: ours(last.two),
      unit: 'ms',
    },
    {
      id: 'scale.projected_16_cores_per_s',
      label: 'projected mailboxes caught up per second on 16 cores (on paper)',
      value: projected16,
      unit: '/s',
      note: '16 cores ÷ our CPU per mailbox; the provider (the sandbox here) is not ours to count',
    },
  ];
  const xs = steps.map((step) => step.mailboxes);
  const series: Series[] = [
    {
      id: 'scale-memory',
      title: 'Worker memory with idle connected mailboxes',
      x: { label: 'connected mailboxes', values: xs },
      y: { label: 'memory', unit: 'MiB' },
      lines: [
        { name: 'RSS', values: steps.map((step) => step.memory.rssBytes / MIB) },
        { name: 'V8 heap after GC', values: steps.map((step) => step.memory.heapUsedBytes / MIB) },
      ],
      growth: growth(
        xs,
        steps.map((step) => step.memory.rssBytes),
        'RSS',
      ),
    },
    {
      id: 'scale-catch-up',
      title: 'Push storm: time until every mailbox has its new message stored',
      x: { label: 'mailboxes (one push each)', values: xs },
      y: { label: 'catch-up', unit: 's' },
      lines: [
        { name: '1 worker', values: steps.map((step) => step.one.catchUpSeconds) },
        { name: '2 workers', values: steps.map((step) => step.two.catchUpSeconds) },
      ],
      growth: `${growth(
        xs,
        steps.map((step) => step.one.catchUpSeconds),
        '1 worker',
      )}; ${growth(
        xs,
        steps.map((step) => step.two.catchUpSeconds),
        '2 workers',
      )}`,
    },
    {
      id: 'scale-rates',
      title: 'Push storm: webhook answers and sync jobs per second',
      x: { label: 'mailboxes (one push each)', values: xs },
      y: { label: 'rate', unit: '/s' },
      lines: [
        { name: 'webhooks, 1 worker', values: steps.map((step) => step.mailboxes / step.one.webhookSeconds) },
        { name: 'jobs, 1 worker', values: steps.map((step) => jobsPerSecond(step.one)) },
        { name: 'jobs, 2 workers', values: steps.map((step) => jobsPerSecond(step.two)) },
      ],
      growth: `${growth(
        xs,
        steps.map((step) => step.mailboxes / step.one.webhookSeconds),
        'webhooks/s',
      )}; ${growth(
        xs,
        steps.map((step) => jobsPerSecond(step.one)),
        'jobs/s',
      )}`,
    },
  ];
  const table = [
    [
      'mailboxes',
      'connect /s',
      'RSS MiB',
      'heap MiB',
      'webhooks /s',
      'catch-up 1w s',
      'catch-up 2w s',
      'speed-up',
      'jobs/s 1w',
      'jobs/s 2w',
      'CPU ms/mailbox (worker, api, pg, sandbox) 1w',
    ],
    ...steps.map((step) => {
      const cpu = cpuPerMailbox(step.one);
      return [
        String(step.mailboxes),
        rate(step.mailboxes - (steps[steps.indexOf(step) - 1]?.mailboxes ?? 0), step.consentSeconds),
        (step.memory.rssBytes / MIB).toFixed(1),
        (step.memory.heapUsedBytes / MIB).toFixed(1),
        rate(step.mailboxes, step.one.webhookSeconds),
        step.one.catchUpSeconds.toFixed(1),
        step.two.catchUpSeconds.toFixed(1),
        (step.one.catchUpSeconds / step.two.catchUpSeconds).toFixed(2),
        jobsPerSecond(step.one).toFixed(0),
        jobsPerSecond(step.two).toFixed(0),
        [cpu.worker, cpu.api, cpu.postgres, cpu['sandbox+driver']].map((v) => (v ?? 0).toFixed(2)).join(', '),
      ];
    }),
  ];
  return {
    figures,
    table,
    series,
    details: {
      baseline,
      steps,
      window: WINDOW,
      syncJobs: input.syncJobs.length,
      syncRuns: input.syncs.length,
      unendedJobs: unended(input.syncJobs),
      unendedRuns: unended(input.syncs),
      overlaps: { jobs: input.jobOverlaps, runs: input.runOverlaps },
      twoWorkerPools: input.twoWorkerPools,
      howMailboxesAreMade:
        'each through the whole consent flow (start link, sign-in, sandbox consent page, callback, code exchange with PKCE and id_token, tokens sealed by the vault), 12 at a time; first sync and Gmail watch by the worker’s own jobs',
      bounds: {
        memory:
          'nothing per mailbox lives in the worker between jobs: the cursor, tokens (sealed) and push state are rows; the figure is noise around 0 (allocator and JIT), not a per-mailbox cost',
        webhooks:
          "one API process (one thread): each push is a JWT signature check (RS256, cached JWKS) and two statements; on 2 shared cores it competes with the worker, PostgreSQL and the sandbox's own sending",
        catchUp:
          'per mailbox: a token read (row lock + unseal), history.list, messages.get, the candidate match and one commit transaction; the worker runs 4 jobs at a time (startWorker default), so a process waits on round trips; the second process adds 4 more lanes but no core',
        jobs: 'Graphile Worker takes a job in one statement and completes it in another: a few statements of overhead per job on top of the sync itself',
      },
      projection16Cores: `Our CPU per mailbox of a storm (2 workers): ${ours(last.two).toFixed(2)} ms (worker ${(cpuPerMailbox(last.two).worker ?? 0).toFixed(2)}, API ${(cpuPerMailbox(last.two).api ?? 0).toFixed(2)}, PostgreSQL ${(cpuPerMailbox(last.two).postgres ?? 0).toFixed(2)}). On 16 cores (e.g. 12 worker processes, 2 API processes, PostgreSQL on the rest, enough worker processes × 4 lanes to cover the round trips), that is ≈${projected16.toFixed(0)} mailboxes caught up per second, a storm of 10,000 in ≈${(10_000 / projected16).toFixed(1)} s — if PostgreSQL's commits (one per mailbox) and the provider's quotas keep up; on paper, not measured.`,
      quick: input.quick,
    },
  };
}
