/**
 * Benchmark: `talentsync member import` of 100,000 members from JSON Lines (goal: under 20 s), on a fresh
 * embedded database (or DATABASE_URL). Runs twice: the first run creates every member, the second updates
 * every one. Prints both timings as the CLI reports them.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const COUNT = Number(process.env.BENCH_MEMBERS ?? 100_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-bench-import-'));
chmodSync(dir, 0o755);
const file = path.join(dir, 'members.jsonl');
const levels = ['anyone', 'connections', 'nobody'];
const lines: string[] = [];
for (let i = 0; i < COUNT; i += 1) {
  const emails = [`member${i}@example.com`, ...(i % 3 === 0 ? [`m.${i}+x@gmail.com`] : [])];
  lines.push(
    JSON.stringify({
      externalId: `m-${i}`,
      name: `Member ${i}`,
      headline: 'Engineer',
      emails,
      discoverability: levels[i % 3],
    }),
  );
}
writeFileSync(file, `${lines.join('\n')}\n`);

const bin = path.resolve(import.meta.dirname, '../bin/talentsync.js');
const env = { ...process.env, DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn' };
for (const run of ['create', 'update']) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, 'member', 'import', file], { env, encoding: 'utf8' });
  const wall = ((performance.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(1);
  }
  process.stdout.write(`${run}: ${result.stdout.trim()} (wall ${wall} s including database start)\n`);
}
if (!process.env.DATABASE_URL) rmSync(dir, { recursive: true, force: true });
