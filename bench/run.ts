/**
 * `npm run bench`: every stage of bench/stages/ in sequence on one PostgreSQL server (embedded in a
 * temporary folder, or the server of DATABASE_URL), a progress line per step on stderr, then one table of
 * every figure with its goal on stdout, the results as JSON, and an SVG chart per growth series.
 *
 *   npm run bench                         # the full run; results in bench/results/bench.json and *.svg
 *   npm run bench -- --quick              # tiny sizes, checks only that every stage works (CI)
 *   npm run bench -- --only peer,quota    # some stages
 *   npm run bench -- --out FILE           # the JSON elsewhere (a quick run writes none unless asked)
 *
 * Exit status: 0 when every stage ran (a missed goal is reported, not an error: BENCHMARKS.md explains it),
 * 1 when a stage failed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { connect } from '../src/db/database.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { createLogger } from '../src/log.ts';
import { type Figure, meets, type Stage, type StageContext, type StageResult } from './stage.ts';
import { STAGES } from './stages/index.ts';
import { chart } from './svg.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const quick = values.quick === true;
const wanted = values.only?.split(',').map((id) => id.trim()) ?? STAGES.map((stage) => stage.id);
const unknown = wanted.filter((id) => !STAGES.some((stage) => stage.id === id));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown stage ${unknown.join(', ')}; the stages are ${STAGES.map((s) => s.id).join(', ')}\n`,
  );
  process.exit(2);
}
const stages = STAGES.filter((stage) => wanted.includes(stage.id));
const resultsDir = path.resolve(import.meta.dirname, 'results');
const out = values.out ?? (quick ? undefined : path.join(resultsDir, 'bench.json'));
const log = (line: string) => process.stderr.write(`${line}\n`);

const logger = createLogger('warn');
const dir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-bench-'));
let embedded: EmbeddedServer | undefined;
let serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  embedded = await startEmbeddedPostgres(path.join(dir, 'postgres'), logger);
  serverUrl = embedded.url;
}
const TEMPLATE = 'talentsync_bench_template';
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`drop database if exists ${TEMPLATE} with (force)`);
await admin.query(`create database ${TEMPLATE}`);
const template = connect(withDatabase(serverUrl, TEMPLATE), logger, { max: 2 });
await migrate(template.db, template.pool, logger);
await template.close();
const created: string[] = [];

const started = new Date();
const results: { stage: Stage; seconds: number; result?: StageResult; error?: string }[] = [];
try {
  for (const stage of stages) {
    const context: StageContext = {
      quick,
      serverUrl,
      progress: (line) => log(`[${stage.id}] ${line}`),
      database: async () => {
        const name = `bench_${stage.id.replaceAll(/[^a-z0-9]/g, '_')}_${created.length}`;
        await admin.query(`create database ${name} template ${TEMPLATE}`);
        created.push(name);
        return { url: withDatabase(serverUrl as string, name) };
      },
    };
    log(`[${stage.id}] ${stage.title}${quick ? ' (quick)' : ''}`);
    const t0 = performance.now();
    try {
      const result = await stage.run(context);
      results.push({ stage, seconds: (performance.now() - t0) / 1000, result });
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`[${stage.id}] FAILED: ${message}`);
      results.push({ stage, seconds: (performance.now() - t0) / 1000, error: message });
    }
    log(`[${stage.id}] done in ${results.at(-1)?.seconds.toFixed(1)} s`);
  }
} finally {
  for (const name of created) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`drop database if exists ${TEMPLATE} with (force)`);
  await admin.end();
  await embedded?.stop();
  rmSync(dir, { recursive: true, force: true });
}

process.stdout.write(`${report(results)}\n`);
if (out) {
  mkdirSync(path.dirname(out), { recursive: true });
  const json = {
    date: started.toISOString(),
    quick,
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    stages: results.map(({ stage, seconds, result, error }) => ({
      id: stage.id,
      title: stage.title,
      seconds: Number(seconds.toFixed(1)),
      ...(error ? { error } : {}),
      ...result,
    })),
  };
  writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
  log(`results written to ${path.relative(process.cwd(), out)}`);
}
if (!quick)
  for (const { result } of results)
    for (const series of result?.series ?? []) {
      const file = path.join(resultsDir, `${series.id}.svg`);
      writeFileSync(file, chart(series));
      log(`chart written to ${path.relative(process.cwd(), file)}`);
    }
process.exit(results.some((r) => r.error) ? 1 : 0);

function report(rows: typeof results): string {
  const lines: string[][] = [['stage', 'figure', 'value', 'goal', 'met']];
  for (const { stage, result, error } of rows) {
    if (error) lines.push([stage.id, 'FAILED', error.split('\n')[0] ?? '', '', 'no']);
    for (const figure of result?.figures ?? [])
      lines.push([
        stage.id,
        figure.label,
        `${show(figure.value)} ${figure.unit}`.trim(),
        figure.goal ? `${figure.goal.op} ${show(figure.goal.value)}` : '',
        figure.goal ? (meets(figure) ? 'yes' : 'NO') : '',
      ]);
  }
  const text = [table(lines)];
  for (const { stage, result } of rows)
    if (result?.table && result.table.length > 0)
      text.push('', `${stage.id}: ${stage.title}`, table(result.table));
  for (const { result } of rows)
    for (const series of result?.series ?? []) text.push('', `${series.title}: ${series.growth}`);
  return text.join('\n');
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows
    .map((row, n) => {
      const line = row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd();
      return n === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

function show(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(3)).toString();
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.href;
}

export type { Figure };
