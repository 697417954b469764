/**
 * Stage `peer` (issue 14, items 1 and 9): our sync against the usual way. The same N delivered messages
 * (one in ten from a candidate member, the rest from strangers; realistic 14 KB mail, bench/peer-baseline.ts)
 * are synced (a) by our engine, the real path (`runSync` until caught up, as bench/sync-quota.ts), and
 * (b) by the peer: the providers' official clients listing the changes and downloading every message
 * whole (bench/peer-baseline.ts says exactly how). Both providers, each client measured alone on the
 * same mailbox, from the sandbox's counters: quota units (Gmail) or requests (Graph), response body bytes
 * served, which messages' bodies were served (Gmail `full`/`raw`, Graph body or `$value`, `$batch` items
 * included) intersected with the non-candidates, and wall time.
 *
 * Over HTTPS for both (the Graph client sends its token to https hosts only), with the sandbox's
 * per-mailbox rate limits lifted: at Google's 15,000 units a minute and Outlook's 10,000 requests per
 * 10 minutes, time would be set by the units and requests, and the table gives that floor too.
 *
 * Growth: the same figures at 1,000, 3,000 and 10,000 messages (N = 10,000 the headline). Neither
 * 100,000 nor 30,000 fits the stage's ~10 minutes: each size is delivered, synced by ours and by the peer
 * on both providers, and on this 2-core machine ours stores some 100–250 messages a second, the peer
 * fetches 200–500 and the Graph sandbox takes a few ms to compose each delivered message, so 30,000
 * alone would be ~15 minutes and 100,000 about an hour. `PEER_SIZES=1000,10000,30000` runs other sizes
 * (the headline is then the middle one). Quick: 50 messages, one size.
 */

import type { Provider } from '../../src/providers/types.ts';
import { selfSignedCertificate } from '../../src/sandbox/tls.ts';
import { linesGrowth } from '../growth.ts';
import { startBench } from '../harness.ts';
import {
  bodyReads,
  deliverMail,
  peerOf,
  peerToken,
  registerPeer,
  type Spent,
  spent,
  zero,
} from '../peer-baseline.ts';
import type { Figure, Series, Stage } from '../stage.ts';

const PROVIDERS: Provider[] = ['google', 'microsoft'];
const CANDIDATE_EVERY = 10;
const CANDIDATE = 'peer.candidate@candidates.example';
const NAME: Record<Provider, string> = { google: 'Gmail', microsoft: 'Graph' };
/** What a provider charges, and its per-mailbox limit per minute (Gmail: units; Outlook: requests). */
const SPENDING: Record<Provider, { unit: string; perMinute: number }> = {
  google: { unit: 'quota units', perMinute: 15_000 },
  microsoft: { unit: 'requests', perMinute: 1_000 },
};

interface Side {
  spent: Spent;
  seconds: number;
  /** Non-candidate messages whose body this client was served. */
  strangers: number;
  bodies: number;
}

interface Run {
  provider: Provider;
  size: number;
  ours: Side;
  theirs: Side;
}

export const peer: Stage = {
  id: 'peer',
  title: 'Sync against the usual way (official clients, every message downloaded whole)',
  async run({ quick, progress, database }) {
    const asked = process.env.PEER_SIZES?.split(',')
      .map(Number)
      .filter((n) => n > 0);
    const sizes = quick ? [50] : asked?.length ? asked : [1_000, 3_000, 10_000];
    const headline = quick
      ? 50
      : ((sizes.includes(10_000) ? 10_000 : sizes[Math.floor(sizes.length / 2)]) as number);
    // One certificate for every sandbox of the stage: this process trusts it once (bench/harness.ts).
    const certificate = selfSignedCertificate();
    const runs: Run[] = [];
    for (const size of sizes) {
      const { url } = await database();
      const bench = await startBench({
        live: false,
        databaseUrl: url,
        sandbox: {
          https: true,
          tlsCertificate: certificate,
          google: { quotaUnitsPerMinute: 1e12 },
          microsoft: { requestsPerWindow: 1e12 },
        },
      });
      try {
        await registerPeer(bench.control);
        await bench.member(CANDIDATE);
        for (const provider of PROVIDERS) {
          const box = await bench.connectedMailbox(provider, `peer-${provider}-${size}.example`);
          await box.sync();
          const peerClient = peerOf(
            provider,
            bench.sandbox.url,
            await peerToken(bench.sandbox.url, provider, box.email),
          );
          await peerClient.prepare();
          const t0 = performance.now();
          const mail = await deliverMail(bench.control, provider, box.email, {
            count: size,
            candidate: CANDIDATE,
            candidateEvery: CANDIDATE_EVERY,
          });
          progress(
            `${NAME[provider]} ${size}: delivered in ${((performance.now() - t0) / 1000).toFixed(1)} s; our sync…`,
          );
          const measure = async (sync: () => Promise<unknown>): Promise<Side> => {
            await zero(bench.control, provider, box.email);
            const started = performance.now();
            await sync();
            const seconds = (performance.now() - started) / 1000;
            const reads = await bodyReads(bench.control, provider, box.email);
            return {
              spent: await spent(bench.control, provider, box.email),
              seconds,
              strangers: [...reads].filter((id) => mail.others.has(id)).length,
              bodies: reads.size,
            };
          };
          const ours = await measure(() => box.sync());
          const stored = await bench.database.db
            .selectFrom('messages')
            .select((eb) => eb.fn.countAll<string>().as('count'))
            .where('connection_id', '=', box.connectionId)
            .executeTakeFirstOrThrow();
          if (Number(stored.count) !== mail.candidates.size)
            throw new Error(`ours stored ${stored.count} of ${mail.candidates.size} candidate messages`);
          progress(`${NAME[provider]} ${size}: ours ${ours.seconds.toFixed(1)} s; the peer…`);
          let fetched = 0;
          const theirs = await measure(async () => {
            fetched = await peerClient.sync();
          });
          if (fetched !== size) throw new Error(`the peer fetched ${fetched} of ${size} messages`);
          progress(`${NAME[provider]} ${size}: the peer ${theirs.seconds.toFixed(1)} s`);
          runs.push({ provider, size, ours, theirs });
        }
      } finally {
        await bench.close();
      }
    }
    return report(runs, sizes, headline);
  },
};

function report(runs: Run[], sizes: number[], headline: number) {
  const at = (provider: Provider, size: number) =>
    runs.find((run) => run.provider === provider && run.size === size) as Run;
  const figures: Figure[] = [];
  for (const provider of PROVIDERS) {
    const run = at(provider, headline);
    const n = headline.toLocaleString('en');
    const { unit } = SPENDING[provider];
    figures.push(
      {
        id: `peer.${provider}.units_ratio`,
        label: `${NAME[provider]} ${unit}, ours ÷ the peer's (${n} messages)`,
        value: run.ours.spent.units / run.theirs.spent.units,
        unit: '×',
        goal: { op: '<=', value: 0.25 },
        note:
          provider === 'google'
            ? 'Gmail charges 5 units for a messages.get of any format and only a get tells the participants R10 needs: ours is 5 a message (metadata) + 5 a match (raw), the peer 5 a message (full): floor 1 + the candidate share'
            : 'ours: the delta pages carry the headers, then one $value per match and one $batch per 20; the peer: one GET per message; floor ≈ the candidate share',
      },
      {
        id: `peer.${provider}.bytes_ratio`,
        label: `${NAME[provider]} bytes downloaded, ours ÷ the peer's (${n} messages)`,
        value: run.ours.spent.bytes / run.theirs.spent.bytes,
        unit: '×',
        goal: { op: '<=', value: 0.1 },
        note: "floor: the candidate share × (a match downloaded whole ÷ the peer's copy of a message), plus the headers of the rest",
      },
      {
        id: `peer.${provider}.noncandidate_bodies`,
        label: `${NAME[provider]} bodies of non-candidate mail downloaded by ours (${n} messages)`,
        value: run.ours.strangers,
        unit: '',
        goal: { op: '<=', value: 0 },
        note: `the peer downloaded ${run.theirs.strangers.toLocaleString('en')}; ours decides on headers and downloads matches only (R10)`,
      },
      {
        id: `peer.${provider}.wall_ratio`,
        label: `${NAME[provider]} wall time, ours ÷ the peer's (${n} messages)`,
        value: run.ours.seconds / run.theirs.seconds,
        unit: '×',
        note: 'ours also decides, reads and stores the matches in PostgreSQL; the peer only downloads (rate limits lifted for both)',
      },
    );
  }
  const kib = (bytes: number) => (bytes / 1024).toFixed(0);
  const table: string[][] = [
    [
      'provider',
      'messages',
      'client',
      'units / requests',
      'calls',
      'KiB downloaded',
      'bodies (non-candidate)',
      'wall s',
      'min. at the rate limit',
    ],
  ];
  for (const run of runs)
    for (const [client, side] of [
      ['ours', run.ours],
      ['peer', run.theirs],
    ] as const)
      table.push([
        NAME[run.provider],
        run.size.toLocaleString('en'),
        client,
        side.spent.units.toLocaleString('en'),
        side.spent.calls.toLocaleString('en'),
        kib(side.spent.bytes),
        `${side.bodies.toLocaleString('en')} (${side.strangers.toLocaleString('en')})`,
        side.seconds.toFixed(1),
        (side.spent.units / SPENDING[run.provider].perMinute).toFixed(1),
      ]);
  const x = { label: 'messages delivered', values: sizes };
  const ratioLines = (of: (run: Run) => number) =>
    PROVIDERS.map((provider) => ({
      name: NAME[provider],
      values: sizes.map((size) => of(at(provider, size))),
    }));
  const units = ratioLines((run) => run.ours.spent.units / run.theirs.spent.units);
  const bytes = ratioLines((run) => run.ours.spent.bytes / run.theirs.spent.bytes);
  const wall = PROVIDERS.flatMap((provider) => [
    { name: `ours, ${NAME[provider]}`, values: sizes.map((size) => at(provider, size).ours.seconds) },
    { name: `peer, ${NAME[provider]}`, values: sizes.map((size) => at(provider, size).theirs.seconds) },
  ]);
  const series: Series[] = [
    {
      id: 'peer-units',
      title: "Quota units (Gmail) and requests (Graph), ours ÷ the peer's",
      x,
      y: { label: 'ratio', unit: '×' },
      lines: units,
      growth: linesGrowth(sizes, units),
    },
    {
      id: 'peer-bytes',
      title: "Bytes downloaded, ours ÷ the peer's",
      x,
      y: { label: 'ratio', unit: '×' },
      lines: bytes,
      growth: linesGrowth(sizes, bytes),
    },
    {
      id: 'peer-wall',
      title: 'Wall time of one sync of the new mail',
      x,
      y: { label: 'wall time', unit: 's' },
      lines: wall,
      growth: linesGrowth(sizes, wall),
    },
  ];
  return {
    figures,
    table,
    series,
    details: {
      sizes,
      headline,
      candidateShare: 1 / CANDIDATE_EVERY,
      runs: runs.map((run) => ({
        provider: run.provider,
        size: run.size,
        ours: { ...run.ours, spent: { ...run.ours.spent } },
        theirs: { ...run.theirs, spent: { ...run.theirs.spent } },
      })),
    },
  };
}
