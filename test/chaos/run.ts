/**
 * `npm run chaos`: the chaos scenarios, one after another, each in its own `node --test` process (its own
 * database server from the tests' global setup, and its own processes to kill). Each scenario ends with
 *
 *   <scenario>: expected N, present N, duplicated 0, leaked 0
 *
 * and the run fails if any scenario fails, prints no such line, or prints one with duplicated ≠ 0,
 * leaked ≠ 0 or present ≠ expected. At the end every scenario's line and timing are printed again.
 *
 *   npm run chaos                         every scenario, a random seed (printed)
 *   npm run chaos -- faults poison        only these (by name or file stem)
 *   CHAOS_SEED=42 CHAOS_PROVIDERS=google npm run chaos
 * Sizes: CHAOS_MESSAGES, CHAOS_KILLS (sigkill), CHAOS_FAULT_MESSAGES, CHAOS_CURSOR_MESSAGES,
 * CHAOS_REVOKE_MESSAGES, CHAOS_PUSH_MESSAGES, CHAOS_PG_MESSAGES, CHAOS_PG_KILLS, CHAOS_POISON_MESSAGES,
 * CHAOS_ALL_MESSAGES, CHAOS_FUZZ_RUNS (see each scenario's file).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const SCENARIOS = [
  { name: 'sigkill', file: 'crash.chaos.ts' },
  { name: 'provider-faults', file: 'faults.chaos.ts' },
  { name: 'expired-cursors', file: 'cursors.chaos.ts' },
  { name: 'revoked-grant', file: 'revoke.chaos.ts' },
  { name: 'notifications', file: 'notifications.chaos.ts' },
  { name: 'postgres-restart', file: 'postgres.chaos.ts' },
  { name: 'poison', file: 'poison.chaos.ts' },
  { name: 'everything', file: 'everything.chaos.ts' },
  { name: 'fuzz', file: 'fuzz.chaos.ts' },
];
const LINE = /^([a-z-]+): expected (\d+), present (\d+), duplicated (\d+), leaked (\d+)$/;
const ROOT = path.resolve(import.meta.dirname, '../..');

const wanted = process.argv.slice(2);
const chosen = wanted.length
  ? SCENARIOS.filter((s) => wanted.some((w) => s.name === w || s.file.startsWith(`${w}.`)))
  : SCENARIOS;
if (chosen.length === 0) {
  console.error(
    `no scenario named ${wanted.join(', ')}; there are ${SCENARIOS.map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}
const seed = process.env.CHAOS_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
console.log(
  `chaos: seed ${seed} (CHAOS_SEED=${seed} repeats this run); scenarios ${chosen.map((s) => s.name).join(', ')}`,
);

interface Outcome {
  name: string;
  line: string | undefined;
  ok: boolean;
  seconds: number;
}

async function run(scenario: (typeof SCENARIOS)[number]): Promise<Outcome> {
  const started = performance.now();
  console.log(`\n=== ${scenario.name} (test/chaos/${scenario.file}) ===`);
  const child = spawn(
    process.execPath,
    [
      '--test',
      '--test-global-setup=test/support/global-setup.ts',
      '--test-timeout=3600000',
      `test/chaos/${scenario.file}`,
    ],
    { cwd: ROOT, env: { ...process.env, CHAOS_SEED: seed }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let line: string | undefined;
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const text of lines) if (LINE.test(text) && text.startsWith(`${scenario.name}:`)) line = text;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  const numbers = line ? LINE.exec(line) : null;
  const clean = numbers !== null && numbers[2] === numbers[3] && numbers[4] === '0' && numbers[5] === '0';
  return { name: scenario.name, line, ok: code === 0 && clean, seconds };
}

const outcomes: Outcome[] = [];
const started = performance.now();
for (const scenario of chosen) outcomes.push(await run(scenario));
const minutes = (seconds: number) => {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
};
console.log(`\n=== chaos summary (seed ${seed}) ===`);
for (const outcome of outcomes) {
  const text = outcome.line ?? `${outcome.name}: no result line`;
  console.log(`${outcome.ok ? 'ok  ' : 'FAIL'} ${text}  (${minutes(outcome.seconds)})`);
}
console.log(`total ${minutes((performance.now() - started) / 1000)}`);
process.exit(outcomes.every((outcome) => outcome.ok) ? 0 : 1);
