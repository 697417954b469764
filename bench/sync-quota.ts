/**
 * Benchmark: what a sync of 1,000 new messages (one in ten from a candidate) spends at the provider, read
 * from the sandbox's counters. Gmail: quota units against the least the design allows — 2 per history
 * page, 5 per message (one metadata get each), 5 per match (one raw get each) — goal within 5 %.
 * Microsoft Graph: the requests the same workload makes (no goal; a figure to watch).
 *
 *   node bench/sync-quota.ts [--messages 1000]
 */
import { parseArgs } from 'node:util';
import type { Provider } from '../src/providers/types.ts';
import { startBench } from './harness.ts';

interface CounterRow {
  method: string;
  calls: number;
  units: number;
  errors: number;
}

const { values } = parseArgs({ options: { messages: { type: 'string', default: '1000' } } });
const count = Number(values.messages);
const candidateEvery = 10;
const bench = await startBench({ live: false });
try {
  const candidate = 'quota@candidates.example';
  await bench.member(candidate);
  const spent: Record<Provider, { rows: CounterRow[]; runs: number; seconds: number }> = {} as never;
  for (const provider of ['google', 'microsoft'] as const) {
    const box = await bench.connectedMailbox(provider, `quota-${provider}.example`);
    await box.sync();
    for (let i = 0; i < count; i += 1) {
      await box.deliver({
        from: { address: i % candidateEvery === 0 ? candidate : `sender-${i}@elsewhere.example` },
        to: [{ address: box.email }],
        subject: `Quota ${i}`,
        text: `Message ${i}. `.repeat(20),
      });
    }
    await bench.control.del('/counters');
    const started = performance.now();
    const runs = await box.sync();
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await bench.control.get<{ rows: CounterRow[] }>(
      `/counters?provider=${provider}&user=${box.email}`,
    );
    spent[provider] = { rows, runs, seconds };
  }

  const matches = Math.ceil(count / candidateEvery);
  const google = spent.google.rows;
  const row = (method: string) => google.find((r) => r.method === method);
  const pages =
    (row('gmail.users.history.list')?.calls ?? 0) - (row('gmail.users.history.list')?.errors ?? 0);
  const units = google.reduce((sum, r) => sum + r.units, 0);
  const minimum = 2 * pages + 5 * count + 5 * matches;
  const lines = [
    `${count} new messages, ${matches} from a candidate, synced in ${spent.google.runs} run(s), ${spent.google.seconds.toFixed(1)} s`,
    `Gmail: ${units} quota units spent; minimum 2 × ${pages} history pages + 5 × ${count} messages + 5 × ${matches} matches = ${minimum}; ratio ${(units / minimum).toFixed(3)} (goal ≤ 1.05)`,
    ...google.map(
      (r) =>
        `  ${r.method.padEnd(28)} ${String(r.calls).padStart(6)} calls ${String(r.units).padStart(7)} units`,
    ),
  ];
  const graph = spent.microsoft.rows;
  const requests = graph.reduce((sum, r) => sum + r.calls, 0);
  const batches = graph.find((r) => r.method === 'graph.batch')?.calls ?? 0;
  const inner = graph
    .filter((r) => r.method === 'graph.messages.get' || r.method === 'graph.messages.value')
    .reduce((sum, r) => sum + r.calls, 0);
  lines.push(
    `Microsoft Graph (same workload, ${spent.microsoft.runs} run(s), ${spent.microsoft.seconds.toFixed(1)} s): ${requests} requests counted, ${requests - inner} HTTP round trips (${batches} of them $batch carrying ${inner})`,
    ...graph.map((r) => `  ${r.method.padEnd(28)} ${String(r.calls).padStart(6)} requests`),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await bench.close();
}
