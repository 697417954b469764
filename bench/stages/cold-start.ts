/**
 * Stage `cold-start` (issue 14, item 8): `npm start` (package.json's `start`, run without npm) to the first
 * 200 from `/healthz`, timed from the spawn: the first start on a fresh DATA_DIR (creating the embedded
 * cluster, running every migration) and later starts on the same DATA_DIR. Goal: a later start ≤ 3 s.
 * Each start is stopped with SIGTERM and waited for, and no PostgreSQL of that DATA_DIR may outlive it.
 *
 * The web app is built before the first start (`ensureWebBuilt`), so neither start pays a build a
 * checkout does once. The table shows when each line of the start's log arrived (the median over the
 * later starts): where a start spends its time.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureWebBuilt } from '../../src/cli/web-build.ts';
import { percentile } from '../harness.ts';
import type { Stage } from '../stage.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** What `npm start` runs (package.json's `start`, `node …`), without npm in between. */
const START = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .slice(1);
const GOAL_MS = 3_000;

interface Start {
  healthyMs: number;
  /** CPU time (user + system) of the node process until then: what contention on the machine does not stretch. */
  cpuMs: number;
  /** The demo seeded and its tokens printed ("Press Ctrl-C to stop."). */
  readyMs: number;
  /** Each log message and when it first arrived, in ms since the spawn. */
  log: { at: number; msg: string }[];
  stopMs: number;
}

export const coldStart: Stage = {
  id: 'cold-start',
  title: 'Cold start: npm start to a healthy /healthz',
  async run({ quick, progress }) {
    const later = quick ? 1 : 7;
    await ensureWebBuilt();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-bench-cold-'));
    // Traversable by others, so that as root the cluster stays inside it (src/db/embedded.ts) and goes with it.
    chmodSync(dataDir, 0o755);
    try {
      const first = await startOnce(dataDir);
      progress(`first start: healthy after ${first.healthyMs.toFixed(0)} ms`);
      const starts: Start[] = [];
      for (let n = 0; n < later; n += 1) {
        const start = await startOnce(dataDir);
        starts.push(start);
        progress(`later start ${n + 1} of ${later}: healthy after ${start.healthyMs.toFixed(0)} ms`);
      }
      const healthy = starts.map((s) => s.healthyMs).sort((a, b) => a - b);
      const ready = starts.map((s) => s.readyMs).sort((a, b) => a - b);
      return {
        figures: [
          {
            id: 'cold_start.first_ms',
            label: 'first start (fresh DATA_DIR) to /healthz 200',
            value: first.healthyMs,
            unit: 'ms',
            note: 'initdb of the embedded cluster, every migration, the sandbox, the worker, the app',
          },
          {
            id: 'cold_start.later_median_ms',
            label: `later start to /healthz 200, median of ${later}`,
            value: percentile(healthy, 50),
            unit: 'ms',
            goal: { op: '<=', value: GOAL_MS },
            note: 'the cluster exists: postgres starts, migrations find nothing to do',
          },
          {
            id: 'cold_start.later_max_ms',
            label: `later start to /healthz 200, max of ${later}`,
            value: healthy.at(-1) ?? Number.NaN,
            unit: 'ms',
            goal: { op: '<=', value: GOAL_MS },
          },
          {
            id: 'cold_start.later_cpu_median_ms',
            label: 'later start: CPU time of the node process until healthy, median',
            value: percentile(
              starts.map((s) => s.cpuMs).sort((a, b) => a - b),
              50,
            ),
            unit: 'ms',
            note: 'user + system CPU of the start process (postgres not included): what contention does not stretch',
          },
          {
            id: 'cold_start.later_seeded_median_ms',
            label: 'later start to the demo seeded (tokens printed), median',
            value: percentile(ready, 50),
            unit: 'ms',
          },
        ],
        table: [
          ['log line (later starts)', 'median ms after spawn', 'first start ms'],
          ...phases(starts, first),
        ],
        details: {
          later,
          first,
          command: ['node', ...START].join(' '),
          laterHealthyMs: starts.map((s) => Math.round(s.healthyMs)),
          laterCpuMs: starts.map((s) => Math.round(s.cpuMs)),
          laterStopMs: starts.map((s) => Math.round(s.stopMs)),
        },
      };
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

/** One `npm start` on `dataDir`: spawned, polled until /healthz answers 200 and the demo is seeded, stopped. */
async function startOnce(dataDir: string): Promise<Start> {
  const port = await freePort();
  const spawned = performance.now();
  const child = spawn(process.execPath, START, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: Start['log'] = [];
  let output = '';
  let seededAt: number | undefined;
  const rest = { stdout: '', stderr: '' };
  const onLines = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const at = performance.now() - spawned;
    output += chunk.toString('utf8');
    const lines = (rest[stream] + chunk.toString('utf8')).split('\n');
    rest[stream] = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('Press Ctrl-C to stop.')) seededAt ??= at;
      const msg = messageOf(line);
      if (msg && !log.some((entry) => entry.msg === msg)) log.push({ at, msg });
    }
  };
  child.stdout?.on('data', onLines('stdout'));
  child.stderr?.on('data', onLines('stderr'));
  try {
    let healthyMs: number | undefined;
    let cpuMs = Number.NaN;
    const deadline = Date.now() + 120_000;
    while (healthyMs === undefined || seededAt === undefined) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm start was not healthy in 120 s:\n${output}`);
      if (healthyMs === undefined) {
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (response) => response.status === 200,
          () => false,
        );
        if (ok) {
          healthyMs = performance.now() - spawned;
          cpuMs = cpuOf(child.pid);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const stopping = performance.now();
    const code = await stop(child);
    const stopMs = performance.now() - stopping;
    if (code !== 0) throw new Error(`npm start exited with ${code} on SIGTERM:\n${output}`);
    const left = postgresOf(dataDir);
    if (left.length > 0)
      throw new Error(`PostgreSQL of ${dataDir} still runs after the stop: ${left.join(', ')}`);
    return { healthyMs, cpuMs, readyMs: seededAt, log, stopMs };
  } finally {
    if (child.exitCode === null && child.signalCode === null) await stop(child, 'SIGKILL');
  }
}

/** A pino line's message, or a printed line as it is (the demo's own lines are skipped: they carry tokens). */
function messageOf(line: string): string | undefined {
  const text = line.trim();
  if (!text) return undefined;
  if (text.startsWith('{')) {
    try {
      const { msg } = JSON.parse(text) as { msg?: string };
      // Ports and retry delays differ from start to start: the same line is the same phase.
      return msg?.replaceAll(/:\d{2,5}\b/g, ':PORT').replaceAll(/\d+ ?ms\b/g, 'N ms');
    } catch {
      return undefined;
    }
  }
  return text.startsWith('talentsync ') || text.startsWith('Press Ctrl-C') ? text : undefined;
}

/** Every log message of the later starts with the median time it arrived, in order, beside the first start's. */
function phases(starts: Start[], first: Start): string[][] {
  const messages = new Map<string, number[]>();
  for (const start of starts)
    for (const { msg, at } of start.log) messages.set(msg, [...(messages.get(msg) ?? []), at]);
  const rows = [...messages].map(([msg, times]) => ({
    msg,
    median: percentile(
      times.sort((a, b) => a - b),
      50,
    ),
  }));
  for (const { msg } of first.log) if (!messages.has(msg)) rows.push({ msg, median: Number.NaN });
  return rows
    .sort((a, b) => (Number.isNaN(a.median) ? 1 : Number.isNaN(b.median) ? -1 : a.median - b.median))
    .map(({ msg, median }) => [
      msg.length > 90 ? `${msg.slice(0, 87)}...` : msg,
      Number.isNaN(median) ? '' : median.toFixed(0),
      first.log.find((entry) => entry.msg === msg)?.at.toFixed(0) ?? '',
    ]);
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/** The CPU time a process has used so far, from /proc (utime + stime at 100 ticks a second); NaN elsewhere. */
function cpuOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Process ids of any PostgreSQL whose cluster is under `dataDir`. */
function postgresOf(dataDir: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(path.join(dataDir, 'postgres')))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
