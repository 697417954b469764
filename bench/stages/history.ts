/**
 * Stage `history` (issue 14, item 7; the goals of issue 9): a member's history (R17), search, and
 * erasure (R16), as measured by `bench/history.ts` (`npm run bench:history`, which stays a command of its
 * own): on 1,000,000 synced messages over 100 organizations, a page of 50 through the API p99 ≤ 25 ms, the
 * history query alone p99 ≤ 5 ms, search within the member's mail p99 ≤ 50 ms (across the organization
 * ≤ 300 ms), erasure of the member ≤ 2 s. Quick: its tiny data set (20,000 messages), which only shows
 * that it works.
 *
 * It runs as a child process on a fresh database of the run's server (DATABASE_URL, so it starts no
 * server of its own), writing its JSON to a temporary file that becomes this stage's figures.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Figure, Stage } from '../stage.ts';

const SCRIPT = path.resolve(import.meta.dirname, '../history.ts');

/** A figure as bench/history.ts writes it. */
interface HistoryFigure {
  stage: string;
  iterations: number;
  p50: number;
  p99: number;
  max: number;
  goal?: { p99?: number; max?: number };
  cpuMs?: number;
  note?: string;
}

interface HistoryReport {
  load: { seconds: number };
  migrationSeconds: number;
  size: Record<string, number>;
  scale: { messages: number };
  target: Record<string, number>;
  planShape: string[];
  searchPlanShapes: Record<string, string[]>;
  figures: HistoryFigure[];
}

export const history: Stage = {
  id: 'history',
  title: 'History, search and erasure on 1,000,000 messages (bench/history.ts)',
  async run({ quick, progress, database }) {
    const { url } = await database();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-bench-history-stage-'));
    const out = path.join(dir, 'history.json');
    const started = performance.now();
    try {
      const status = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [SCRIPT, '--out', out, ...(quick ? ['--quick'] : [])], {
          env: { ...process.env, DATABASE_URL: url },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const lines = (stream: NodeJS.ReadableStream, each: (line: string) => void) => {
          let rest = '';
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => {
            const parts = (rest + chunk).split('\n');
            rest = parts.pop() ?? '';
            for (const line of parts) if (line.trim()) each(line);
          });
        };
        lines(child.stderr, progress);
        // Its own table (stdout) repeats the figures this stage returns: kept out of the run's output.
        lines(child.stdout, () => {});
        child.on('error', reject);
        child.on('exit', (code) => resolve(code));
      });
      const seconds = (performance.now() - started) / 1000;
      let report: HistoryReport;
      try {
        report = JSON.parse(readFileSync(out, 'utf8')) as HistoryReport;
      } catch {
        throw new Error(`bench/history.ts ended with status ${status} and wrote no results`);
      }
      const figures = report.figures.map(toFigure);
      return {
        figures,
        table: [
          ['measurement', 'n', 'p50 ms', 'p99 ms', 'max ms', 'goal'],
          ...report.figures.map((f) => [
            f.stage,
            String(f.iterations),
            f.p50.toFixed(2),
            f.p99.toFixed(2),
            f.max.toFixed(2),
            f.goal?.p99 !== undefined
              ? `p99 ≤ ${f.goal.p99}`
              : f.goal?.max !== undefined
                ? `max ≤ ${f.goal.max}`
                : '',
          ]),
        ],
        details: {
          seconds: Number(seconds.toFixed(1)),
          exitStatus: status,
          loadSeconds: Number(report.load.seconds.toFixed(1)),
          migrationSeconds: Number(report.migrationSeconds.toFixed(1)),
          messages: report.scale.messages,
          size: report.size,
          target: report.target,
          planShape: report.planShape,
          searchPlanShapes: report.searchPlanShapes,
          raw: report.figures,
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** One of bench/history.ts's measurements as a figure: its p99 against a p99 goal, else its max against a max goal. */
function toFigure(f: HistoryFigure): Figure {
  const byMax = f.goal?.p99 === undefined && f.goal?.max !== undefined;
  const slug = f.stage
    .toLowerCase()
    .replaceAll(/\(.*?\)/g, '')
    .replaceAll(/[^a-z0-9]+/g, '_')
    .replaceAll(/^_|_$/g, '');
  const goal = byMax ? f.goal?.max : f.goal?.p99;
  return {
    id: `history.${slug}.${byMax ? 'max' : 'p99'}_ms`,
    label: `${f.stage} ${byMax ? 'max' : 'p99'}`,
    value: byMax ? f.max : f.p99,
    unit: 'ms',
    ...(goal !== undefined ? { goal: { op: '<=' as const, value: goal } } : {}),
    note: `p50 ${f.p50.toFixed(2)} ms over ${f.iterations}${f.cpuMs !== undefined ? `; backend CPU ${f.cpuMs.toFixed(2)} ms a query` : ''}${f.note && !f.note.startsWith('planning') ? `; ${f.note}` : ''}`,
  };
}
