/**
 * Stage `quota` (issue 14, item 4): what one sync of 1,000 new messages (one in ten from a candidate, as
 * bench/sync-quota.ts) spends at each provider, read from the sandbox's counters after the anchor, ÷ the
 * least the design allows. Goal ≤ 1.05 for both.
 *
 * Gmail, in quota units: 2 per `history.list` page + 5 per message (its one metadata get: only a get tells
 * the participants that R9–R11 decide on) + 5 per match (its one raw get: the body, never downloaded for
 * anyone else). Batching saves round trips, not units.
 *
 * Graph, in requests (each `$batch` and each request inside it, as Outlook counts them against the
 * mailbox): Σ over tracked folders of max(1, ⌈new messages in it ÷ 200⌉) delta pages — 200 being the page
 * size the engine asks for (the most Graph is known to honour) and every folder needing at least the one
 * request that reaches its deltaLink — + the folder listings a new round needs to see folders created
 * since (the root, and each folder with children: 2 in a default mailbox) + 1 `$value` per match (the
 * headers and sizes ride on the delta pages, so nothing else is asked per message) + ⌈matches ÷ 20⌉
 * `$batch`es (Graph's most per batch). That is the least: fewer delta pages would need bigger pages than
 * Graph serves, skipping a folder or the listing would miss mail filed there, and the bodies of matches
 * are the one thing only `$value` gives.
 *
 * Quick: 100 messages.
 */
import type { Provider } from '../../src/providers/types.ts';
import { startBench } from '../harness.ts';
import { type Spent, spent, zero } from '../peer-baseline.ts';
import type { Figure, Stage } from '../stage.ts';

const CANDIDATE = 'quota@candidates.example';
const CANDIDATE_EVERY = 10;
const DELTA_PAGE = 200;
const BATCH = 20;
/** Tracked folders of a default mailbox besides the Inbox: Archive, Conversation History, Team Chat, Outbox, Sent Items. */
const IDLE_FOLDERS = 5;
const FOLDER_LISTINGS = 2;

export const quota: Stage = {
  id: 'quota',
  title: 'Provider quota of a sync ÷ the design minimum',
  async run({ quick, progress, database }) {
    const count = quick ? 100 : 1_000;
    const matches = Math.ceil(count / CANDIDATE_EVERY);
    const { url } = await database();
    const bench = await startBench({ live: false, databaseUrl: url });
    const used: Partial<Record<Provider, Spent>> = {};
    try {
      await bench.member(CANDIDATE);
      for (const provider of ['google', 'microsoft'] as const) {
        const box = await bench.connectedMailbox(provider, `quota-${provider}.example`);
        await box.sync();
        for (let start = 0; start < count; start += 500) {
          const messages = Array.from({ length: Math.min(500, count - start) }, (_, offset) => {
            const i = start + offset;
            return {
              from: { address: i % CANDIDATE_EVERY === 0 ? CANDIDATE : `sender-${i}@elsewhere.example` },
              to: [{ address: box.email }],
              subject: `Quota ${i}`,
              text: `Message ${i}. `.repeat(20),
            };
          });
          await bench.control.post(`/${provider}/mailboxes/${box.email}/deliver-many`, { messages });
        }
        await zero(bench.control, provider, box.email);
        await box.sync();
        used[provider] = await spent(bench.control, provider, box.email);
        progress(`${provider}: ${used[provider]?.units} spent`);
      }
    } finally {
      await bench.close();
    }
    const google = used.google as Spent;
    const graph = used.microsoft as Spent;
    const calls = (rows: Spent['rows'], method: string) =>
      rows.find((row) => row.method === method)?.calls ?? 0;
    const historyPages = calls(google.rows, 'gmail.users.history.list');
    const gmailMinimum = 2 * historyPages + 5 * count + 5 * matches;
    const deltaPages = Math.ceil(count / DELTA_PAGE) + IDLE_FOLDERS;
    const graphMinimum = deltaPages + FOLDER_LISTINGS + matches + Math.ceil(matches / BATCH);
    const figures: Figure[] = [
      {
        id: 'quota.google.ratio',
        label: `Gmail quota units ÷ the minimum (${count.toLocaleString('en')} new, ${matches} matches)`,
        value: google.units / gmailMinimum,
        unit: '×',
        goal: { op: '<=', value: 1.05 },
        note: `${google.units} units; minimum 2 × ${historyPages} history pages + 5 × ${count} metadata gets + 5 × ${matches} raw gets = ${gmailMinimum}`,
      },
      {
        id: 'quota.microsoft.ratio',
        label: `Graph requests ÷ the minimum (${count.toLocaleString('en')} new, ${matches} matches)`,
        value: graph.units / graphMinimum,
        unit: '×',
        goal: { op: '<=', value: 1.05 },
        note: `${graph.units} requests; minimum ${deltaPages} delta pages (200 a page, 1 per idle folder) + ${FOLDER_LISTINGS} folder listings + ${matches} $value + ${Math.ceil(matches / BATCH)} $batch = ${graphMinimum}`,
      },
    ];
    const table: string[][] = [['provider', 'method', 'calls', 'units', 'KiB']];
    for (const [name, side] of [
      ['Gmail', google],
      ['Graph', graph],
    ] as const)
      for (const row of side.rows)
        table.push([name, row.method, String(row.calls), String(row.units), (row.bytes / 1024).toFixed(0)]);
    return {
      figures,
      table,
      details: { count, matches, gmailMinimum, graphMinimum, google: google.rows, microsoft: graph.rows },
    };
  },
};
