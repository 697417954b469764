/**
 * Benchmark: push-driven sync latency (goal: p99 under 2 s). The app listens on a port, the worker runs,
 * and the sandbox's Gmail pushes go to the app's webhook, on a fresh embedded database. 200 candidate
 * messages are delivered one at a time, 20 to 50 ms apart; for each, the time from just before its delivery
 * until it is listed by `GET /api/threads` (polled over HTTP every 10 ms) is measured.
 *
 *   node bench/sync-latency.ts [--messages 200]
 */
import { parseArgs } from 'node:util';
import { createRandom } from '../src/sandbox/random.ts';
import { percentile, startBench } from './harness.ts';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '200' } } });
const count = Number(values.messages);
const bench = await startBench({ live: true });
try {
  const candidate = 'latency@candidates.example';
  await bench.member(candidate);
  const box = await bench.connectedMailbox('google', 'latency.example');
  // Ready once the first sync anchored the mailbox and the watch is on.
  for (;;) {
    const { connection } = await bench.call(box.token, 'GET', '/api/connection');
    if (connection.sync.pushActive && connection.sync.lastSyncAt) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const deliveredAt = new Map<string, number>();
  const latencies = new Map<string, number>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const response = await fetch(`${bench.publicUrl}/api/threads?limit=100`, {
        headers: { authorization: `Bearer ${box.token}` },
      });
      const seenAt = performance.now();
      const { threads } = (await response.json()) as { threads: { subject: string }[] };
      for (const { subject } of threads) {
        const sent = deliveredAt.get(subject);
        if (sent !== undefined && !latencies.has(subject)) latencies.set(subject, seenAt - sent);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();

  const random = createRandom(200);
  for (let i = 0; i < count; i += 1) {
    const subject = `Latency ${i}`;
    deliveredAt.set(subject, performance.now());
    await box.deliver({
      from: { address: candidate },
      to: [{ address: box.email }],
      subject,
      text: `Message ${i}. `.repeat(20),
    });
    await new Promise((resolve) => setTimeout(resolve, 20 + random.next() * 30));
  }
  const deadline = performance.now() + 30_000;
  while (latencies.size < count && performance.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  polling = false;
  await poller;

  const sorted = [...latencies.values()].sort((a, b) => a - b);
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  process.stdout.write(
    `${count} candidate messages delivered 20-50 ms apart; readable through the API for ${sorted.length}\n` +
      `delivery → readable: p50 ${ms(percentile(sorted, 50))}, p95 ${ms(percentile(sorted, 95))}, ` +
      `p99 ${ms(percentile(sorted, 99))}, max ${ms(sorted.at(-1) ?? Number.NaN)} (goal: p99 under 2 s)\n`,
  );
  if (sorted.length < count) process.exitCode = 1;
} finally {
  await bench.close();
}
