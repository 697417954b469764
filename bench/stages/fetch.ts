/**
 * Stage `fetch` (issue 14, item 3): how fast our engine takes new mail from the provider, against a bare
 * client (bench/bare-client.ts: plain `fetch`, no product code) making the same calls with the same
 * concurrency. The same N realistic messages (one in ten from a candidate) are synced by our engine —
 * `runSync` until caught up, deciding, reading and storing — and then fetched by the bare client on the
 * same mailbox; messages per second, ours ÷ bare. Both providers, over plain HTTP to the sandbox in this
 * process (which serves both sides alike). Goal: ≥ 0.8, our work costing at most a fifth of the time the
 * calls themselves take.
 *
 * Each side first syncs 50 messages unmeasured (threads started, code compiled). Full: 5,000 messages
 * per provider; quick: 50.
 */
import type { Provider } from '../../src/providers/types.ts';
import { bareOf } from '../bare-client.ts';
import { startBench } from '../harness.ts';
import { deliverMail, peerToken, registerPeer } from '../peer-baseline.ts';
import type { Figure, Stage } from '../stage.ts';

const PROVIDERS: Provider[] = ['google', 'microsoft'];
const NAME: Record<Provider, string> = { google: 'Gmail', microsoft: 'Graph' };
const CANDIDATE = 'fetch.candidate@candidates.example';
const WARM_UP = 50;

export const fetchStage: Stage = {
  id: 'fetch',
  title: 'Messages synced per second: our engine ÷ a bare client making the same calls',
  async run({ quick, progress, database }) {
    const count = quick ? 50 : 5_000;
    const { url } = await database();
    const bench = await startBench({
      live: false,
      databaseUrl: url,
      sandbox: { google: { quotaUnitsPerMinute: 1e12 }, microsoft: { requestsPerWindow: 1e12 } },
    });
    const figures: Figure[] = [];
    const table: string[][] = [['provider', 'messages', 'ours s', 'bare s', 'ours msg/s', 'bare msg/s']];
    const details: Record<string, unknown> = { count };
    try {
      await registerPeer(bench.control);
      await bench.member(CANDIDATE);
      for (const provider of PROVIDERS) {
        const box = await bench.connectedMailbox(provider, `fetch-${provider}.example`);
        await box.sync();
        const bare = bareOf(
          provider,
          bench.sandbox.url,
          await peerToken(bench.sandbox.url, provider, box.email),
        );
        await bare.prepare();
        // A first round, not measured, warms both up: reader threads started, code compiled, caches filled.
        const warm = await deliverMail(bench.control, provider, box.email, {
          count: WARM_UP,
          candidate: CANDIDATE,
          candidateEvery: 10,
        });
        await box.sync();
        await bare.sync(warm.candidates);
        const mail = await deliverMail(bench.control, provider, box.email, {
          count,
          candidate: CANDIDATE,
          candidateEvery: 10,
        });
        progress(`${NAME[provider]}: ${count} delivered; our sync…`);
        let started = performance.now();
        await box.sync();
        const ours = (performance.now() - started) / 1000;
        progress(`${NAME[provider]}: ours ${ours.toFixed(1)} s; the bare client…`);
        started = performance.now();
        const seen = await bare.sync(mail.candidates);
        const plain = (performance.now() - started) / 1000;
        if (seen !== count) throw new Error(`the bare client saw ${seen} of ${count} messages`);
        progress(`${NAME[provider]}: bare ${plain.toFixed(1)} s`);
        figures.push({
          id: `fetch.${provider}.ratio`,
          label: `${NAME[provider]} messages synced per second, ours ÷ bare (${count.toLocaleString('en')})`,
          value: plain / ours,
          unit: '×',
          goal: { op: '>=', value: 0.8 },
          note: 'ours adds, per page, the directory lookup, R9–R11 decisions, MIME reading of the matches and one transaction; the calls are one at a time in both',
        });
        table.push([
          NAME[provider],
          count.toLocaleString('en'),
          ours.toFixed(1),
          plain.toFixed(1),
          (count / ours).toFixed(0),
          (count / plain).toFixed(0),
        ]);
        details[provider] = { oursSeconds: ours, bareSeconds: plain };
      }
    } finally {
      await bench.close();
    }
    return { figures, table, details };
  },
};
