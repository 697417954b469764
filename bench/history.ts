/**
 * Benchmark: a member's history (R17) and erasure (R16) on a database of 1,000,000 synced messages over
 * 100 organizations and 2,000 mailboxes (`bench/history-data.ts`, bulk-loaded with set-based SQL), one
 * member with 5,000 messages the viewer may see. Goals (issue 9): a page of 50 through the API p99 ≤ 25 ms,
 * the history query alone p99 ≤ 5 ms (`EXPLAIN (ANALYZE, BUFFERS)` execution time), erasure of that member
 * ≤ 2 s. The API is measured over HTTP against the app listening on loopback, through the real bearer auth.
 *
 *   node bench/history.ts [--quick] [--data-dir DIR] [--out FILE]
 *
 * `--quick` loads a tiny data set (3,000 messages) and checks that every stage works in seconds (the
 * figures mean nothing).
 * `--data-dir` keeps the loaded cluster there and reuses it on the next run (migrations still run, so a
 * new index is built on the loaded data); erasures are undone after each measurement. Without it the
 * cluster lives in a temporary folder and goes at the end. Results go to `--out` (default for a full run:
 * bench/results/history.json).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { connect } from '../src/db/database.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../src/db/embedded.ts';
import { type HistoryPosition, listMemberHistory } from '../src/db/history.ts';
import { migrate } from '../src/db/migrate.ts';
import type { DB } from '../src/db/schema.ts';
import { searchMessages } from '../src/db/search.ts';
import { buildApp } from '../src/http/app.ts';
import { createLogger } from '../src/log.ts';
import { createAccessToken } from '../src/services/accounts.ts';
import { createContext } from '../src/services/context.ts';
import { percentile } from './harness.ts';
import { FULL, type Loaded, loadHistoryData, QUICK } from './history-data.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    out: { type: 'string' },
    'shared-buffers': { type: 'string' },
  },
});
const quick = values.quick === true;
const scale = quick ? QUICK : FULL;
const rounds = quick
  ? { warmup: 3, api: 15, explain: 10, erasures: 1, pages: [1, 2] }
  : { warmup: 50, api: 500, explain: 300, erasures: 3, pages: [1, 10, 50] };
// A common word (in about a third of the bodies), two words together, and a candidate's surname (rare).
const SEARCHES = ['interview', 'salary equity', 'Okafor'];
const out = values.out ?? (quick ? undefined : path.resolve(import.meta.dirname, 'results/history.json'));
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Figure {
  stage: string;
  iterations: number;
  p50: number;
  p99: number;
  max: number;
  goal?: { p99?: number; max?: number };
  /** For the query alone: the PostgreSQL backend's CPU time per run, which other work on the machine does not stretch. */
  cpuMs?: number;
  planningMs?: { p50: number; p99: number };
  note?: string;
}

const logger = createLogger('warn');
const keep = values['data-dir'] !== undefined;
const dir = values['data-dir'] ?? mkdtempSync(path.join(os.tmpdir(), 'talentsync-bench-history-'));
mkdirSync(dir, { recursive: true });
let embedded = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres(path.join(dir, 'postgres'), logger);
if (embedded) embedded = await withSharedBuffers(embedded, values['shared-buffers'] ?? '128MB');
const url = process.env.DATABASE_URL ?? embedded?.url ?? '';
const config = loadConfig({
  DATA_DIR: path.join(dir, 'data'),
  TOKEN_ENCRYPTION_KEY: `bench:${Buffer.alloc(32, 9).toString('base64')}`,
});
const migrator = connect(url, logger, { max: 2 });
// The bench's own bulk statements (counting, copying the member's rows aside and back) wait as long as they take.
const tools = connect(url, logger, { max: 1 });
// The app's pool, with the product's timeouts (a statement past 5 s is cancelled, as in production).
const database = connect(url, logger, { max: 10, timeouts: config.database });
const figures: Figure[] = [];
try {
  const migrateStarted = performance.now();
  await migrate(migrator.db, migrator.pool, logger);
  const migrationSeconds = (performance.now() - migrateStarted) / 1000;
  log(`migrations: ${migrationSeconds.toFixed(1)} s`);
  const loaded = await loadOnce(migrator.pool);
  await migrator.close();

  const context = createContext(config, database.db, logger);
  const app = await buildApp({ context, rateLimits: config.rateLimits });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    const viewerToken = await createAccessToken(
      database.db,
      { kind: 'user', orgId: loaded.viewer.orgId, userId: loaded.viewer.userId },
      'bench',
    );
    const operatorToken = await createAccessToken(database.db, { kind: 'operator' }, 'bench');
    const expected = await expectedHistory(loaded);
    log(
      `target member: ${expected.visibleMessages} messages visible to the viewer in ${expected.visibleThreads} threads ` +
        `(+ ${expected.inmail} InMail conversations), ${expected.hiddenMessages} hidden from them, ` +
        `${expected.allMessages} in all organizations`,
    );
    const history = `${base}/api/members/${loaded.targetMemberId}/history`;
    const get = async (query: string) => {
      const response = await fetch(`${history}${query}`, {
        headers: { authorization: `Bearer ${viewerToken}` },
      });
      if (response.status !== 200)
        throw new Error(`GET history${query}: ${response.status} ${await response.text()}`);
      return (await response.json()) as { entries: { id: string }[]; nextCursor: string | null };
    };

    // The whole history once through the API: every visible entry exactly once, nothing else.
    const cursors = new Map<number, string>();
    const positions = new Map<number, HistoryPosition>();
    const seen = new Set<string>();
    let next: string | null = null;
    let pageNo = 1;
    do {
      cursors.set(pageNo, next ?? '');
      const page = await get(`?limit=50${next ? `&cursor=${encodeURIComponent(next)}` : ''}`);
      for (const entry of page.entries) seen.add(entry.id);
      next = page.nextCursor;
      pageNo += 1;
    } while (next);
    const entries = expected.visibleThreads + expected.inmail;
    if (seen.size !== entries) throw new Error(`the history listed ${seen.size} entries, not ${entries}`);
    log(`history walked through the API: ${seen.size} entries in ${pageNo - 1} pages`);
    const pages = rounds.pages.filter((page) => cursors.has(page));

    // The positions the query alone starts from, page by page as the route asks (limit + 1).
    const viewer = loaded.viewer;
    let after: HistoryPosition | undefined;
    for (let page = 1; page <= Math.max(...pages); page += 1) {
      if (after) positions.set(page, after);
      const rows = await listMemberHistory(database.db, viewer, loaded.targetMemberId, { limit: 51, after });
      after = rows[49]?.position;
    }

    for (const page of pages) {
      const cursor = cursors.get(page);
      const query = `?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      figures.push({
        ...(await measure(`API page ${page} of 50 (HTTP)`, page === 1 ? rounds.api : rounds.explain, () =>
          get(query),
        )),
        goal: { p99: 25 },
      });
    }

    // The query alone: the SQL `listMemberHistory` sends, captured, under EXPLAIN (ANALYZE, BUFFERS).
    let shape: string[] = [];
    const searchShapes: Record<string, string[]> = {};
    for (const page of pages) {
      const captured = await captureQuery(database.pool, (db) =>
        listMemberHistory(db, viewer, loaded.targetMemberId, { limit: 51, after: positions.get(page) }),
      );
      const explain = async () => {
        const { rows } = await database.pool.query(
          `explain (analyze, buffers, format json) ${captured.sql}`,
          captured.parameters as unknown[],
        );
        return (rows[0] as { 'QUERY PLAN': ExplainRoot[] })['QUERY PLAN'][0] as ExplainRoot;
      };
      if (page === 1) shape = planShape((await explain()).Plan);
      const times: number[] = [];
      const planning: number[] = [];
      for (let i = 0; i < rounds.warmup; i += 1) await explain();
      for (let i = 0; i < rounds.explain; i += 1) {
        const root = await explain();
        times.push(root['Execution Time']);
        planning.push(root['Planning Time']);
      }
      const planned = summarize('planning', planning);
      const cpu = await backendCpuPerQuery(database.pool, captured, rounds.explain);
      figures.push({
        ...summarize(`query alone, page ${page} (EXPLAIN ANALYZE)`, times),
        goal: { p99: 5 },
        cpuMs: cpu,
        planningMs: { p50: planned.p50, p99: planned.p99 },
        note:
          `planning p50 ${planned.p50.toFixed(2)} ms, p99 ${planned.p99.toFixed(2)} ms (not in the execution time); ` +
          `the server process's CPU time per query (planning included), over ${rounds.explain} plain runs: ${cpu.toFixed(2)} ms`,
      });
    }
    log(`plan of page 1:\n${shape.join('\n')}`);

    // Search: within the member's history, and across the organization, newest 50 first.
    const search = async (route: string, q: string) => {
      const response = await fetch(`${base}${route}?q=${encodeURIComponent(q)}&limit=50`, {
        headers: { authorization: `Bearer ${viewerToken}` },
      });
      if (response.status !== 200)
        throw new Error(`GET ${route}: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { hits: unknown[] }).hits.length;
    };
    const searches = [
      { scope: 'member', route: `/api/members/${loaded.targetMemberId}/history/search`, goal: 50 },
      { scope: 'organization', route: '/api/search', goal: 300 },
    ];
    for (const { scope, route, goal } of searches) {
      for (const q of SEARCHES) {
        const stage = `search ${scope}: "${q}" (HTTP)`;
        try {
          const hits = await search(route, q);
          figures.push({
            ...(await measure(stage, rounds.explain, () => search(route, q))),
            goal: { p99: goal },
            note: `${hits} hits on the first page`,
          });
        } catch (error) {
          log(`${stage} failed: ${String(error)}`);
          figures.push({ ...summarize(stage, []), goal: { p99: goal }, note: `FAILED: ${String(error)}` });
          process.exitCode = 1;
        }
      }
      const captured = await captureQuery(database.pool, (db) =>
        searchMessages(db, viewer, {
          q: SEARCHES[0] as string,
          language: config.searchLanguage,
          limit: 51,
          ...(scope === 'member' ? { memberId: loaded.targetMemberId } : {}),
        }),
      );
      const { rows } = await database.pool.query(
        `explain (analyze, buffers, format json) ${captured.sql}`,
        captured.parameters as unknown[],
      );
      const root = (rows[0] as { 'QUERY PLAN': ExplainRoot[] })['QUERY PLAN'][0] as ExplainRoot;
      searchShapes[scope] = planShape(root.Plan);
      log(
        `plan of search ${scope} "${SEARCHES[0]}" (${root['Execution Time'].toFixed(1)} ms):\n${searchShapes[scope]?.join('\n')}`,
      );
    }

    // Erasure, as the operator on the member's behalf; the member's rows are put back after each run.
    await snapshotTarget(tools.pool, loaded.targetMemberId);
    const erasures: number[] = [];
    const failures: string[] = [];
    let erased = 0;
    for (let run = 0; run < rounds.erasures; run += 1) {
      const started = performance.now();
      const response = await fetch(`${base}/api/members/${loaded.targetMemberId}/erasure`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operatorToken}` },
      });
      erasures.push(performance.now() - started);
      const body = (await response.json()) as { messages?: number };
      // A failed erasure (say a statement past the timeout) is a result too: recorded, and the run goes on.
      if (response.status !== 200) {
        failures.push(`erasure run ${run + 1}: ${response.status} ${JSON.stringify(body)}`);
        process.exitCode = 1;
      } else {
        erased = body.messages ?? 0;
        if (erased !== expected.allMessages)
          throw new Error(`the erasure erased ${erased} messages, not ${expected.allMessages}`);
      }
      await restoreTarget(tools.pool);
    }
    figures.push({
      ...summarize('erasure of the member (HTTP)', erasures),
      goal: { max: 2000 },
      note:
        failures.length > 0
          ? `FAILED: ${failures.join('; ')}`
          : `${erased} messages in ${expected.organizations} organizations, each run on the full data set`,
    });

    const size = await databaseSize(tools.pool);
    const report = {
      date: new Date().toISOString().slice(0, 10),
      quick,
      sharedBuffers: values['shared-buffers'] ?? '128MB',
      machine: {
        cores: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        loadAverage: os.loadavg(),
      },
      scale,
      load: { seconds: loaded.steps.reduce((sum, step) => sum + step.seconds, 0), steps: loaded.steps },
      // Migrations this run applied: on a reused data set (`--data-dir`), those added since it was loaded.
      migrationSeconds,
      size,
      target: expected,
      planShape: shape,
      searchPlanShapes: searchShapes,
      figures,
    };
    printTable(report.load.seconds, size);
    if (out) {
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
      log(`results written to ${out}`);
    }
  } finally {
    await app.close();
    await context.reader.close();
  }
} finally {
  await migrator.close();
  await tools.close();
  await database.close();
  await embedded?.stop();
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

/**
 * The embedded server with `shared_buffers` set as asked (its default, 128MB, unless `--shared-buffers`):
 * the setting lives in the bench's cluster (ALTER SYSTEM) and takes a restart.
 */
async function withSharedBuffers(server: EmbeddedServer, size: string): Promise<EmbeddedServer> {
  const admin = connect(server.url, logger, { max: 1 });
  const { rows } = await admin.pool.query<{ shared_buffers: string }>('show shared_buffers');
  if (rows[0]?.shared_buffers === size) {
    await admin.close();
    return server;
  }
  await admin.pool.query(`alter system set shared_buffers = '${size.replace(/[^0-9A-Za-z]/g, '')}'`);
  await admin.close();
  await server.stop();
  log(`shared_buffers ${rows[0]?.shared_buffers} → ${size}: restarting the server`);
  return startEmbeddedPostgres(path.join(dir, 'postgres'), logger);
}

/** Loads the data set unless this database holds it already (`--data-dir`); answers what the load made. */
async function loadOnce(pool: import('pg').Pool): Promise<Loaded> {
  await pool.query('create table if not exists bench_meta (scale text primary key, loaded jsonb not null)');
  const name = quick ? 'quick' : 'full';
  const { rows } = await pool.query<{ loaded: Loaded }>('select loaded from bench_meta where scale = $1', [
    name,
  ]);
  if (rows[0]) {
    log(`reusing the ${name} data set loaded before`);
    // A run stopped between an erasure and putting the member's rows back: put them back now.
    const { rows: kept } = await pool.query("select to_regclass('bench_erase_search') is not null as kept");
    if (kept[0]?.kept) await restoreTarget(pool);
    // What autovacuum does between runs: earlier erasures and their undoing left dead rows behind.
    for (const table of ['threads', 'messages', 'message_members'])
      await pool.query(`vacuum (analyze) ${table}`);
    return rows[0].loaded;
  }
  log(`loading the ${name} data set (${scale.messages.toLocaleString('en')} messages)`);
  const loaded = await loadHistoryData(pool, scale, config.searchLanguage, log);
  await pool.query('insert into bench_meta (scale, loaded) values ($1, $2)', [name, JSON.stringify(loaded)]);
  return loaded;
}

/** What the viewer must see of the target member, counted straight from the tables. */
async function expectedHistory(loaded: Loaded) {
  const { rows } = await tools.pool.query(
    `with target as (
       select m.org_id, m.id, m.thread_id, t.owner_user_id, t.visibility from message_members mm
       join messages m on m.org_id = mm.org_id and m.id = mm.message_id
       join threads t on t.org_id = m.org_id and t.id = m.thread_id
       where mm.member_id = $1)
     select
       count(*) filter (where org_id = $2 and (owner_user_id = $3 or visibility <> 'private'))::int as visible_messages,
       count(distinct thread_id) filter (where org_id = $2 and (owner_user_id = $3 or visibility <> 'private'))::int as visible_threads,
       count(*) filter (where org_id = $2 and owner_user_id <> $3 and visibility = 'private')::int as hidden_messages,
       count(*)::int as all_messages, count(distinct org_id)::int as organizations,
       (select count(*)::int from inmail_conversations c where c.org_id = $2 and c.member_id = $1) as inmail
     from target`,
    [loaded.targetMemberId, loaded.viewer.orgId, loaded.viewer.userId],
  );
  const row = rows[0];
  return {
    visibleMessages: row.visible_messages as number,
    visibleThreads: row.visible_threads as number,
    hiddenMessages: row.hidden_messages as number,
    allMessages: row.all_messages as number,
    organizations: row.organizations as number,
    inmail: row.inmail as number,
  };
}

/** Runs `fn` `rounds.warmup` times, then `iterations` times timed. */
async function measure(stage: string, iterations: number, fn: () => Promise<unknown>): Promise<Figure> {
  for (let i = 0; i < rounds.warmup; i += 1) await fn();
  const times: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return summarize(stage, times);
}

function summarize(stage: string, times: number[]): Figure {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    stage,
    iterations: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** The SQL and parameters of the one query `run` sends, through a Kysely that logs instead of guessing. */
async function captureQuery(
  pool: import('pg').Pool,
  run: (db: Kysely<DB>) => Promise<unknown>,
): Promise<{ sql: string; parameters: readonly unknown[] }> {
  let captured: { sql: string; parameters: readonly unknown[] } | undefined;
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query') captured = { sql: event.query.sql, parameters: event.query.parameters };
    },
  });
  await run(db);
  if (!captured) throw new Error('no query was sent');
  return captured;
}

/**
 * The CPU time (user + system, from /proc) the backend spends per run of the query, over `runs` plain runs
 * on one connection: on a machine shared with other work, wall times stretch but this does not.
 */
async function backendCpuPerQuery(
  pool: import('pg').Pool,
  query: { sql: string; parameters: readonly unknown[] },
  runs: number,
): Promise<number> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const ticks = () => {
      const fields = readFileSync(`/proc/${rows[0]?.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return Number(fields[11]) + Number(fields[12]); // utime and stime, the 14th and 15th fields
    };
    await client.query(query.sql, query.parameters as unknown[]);
    const before = ticks();
    for (let i = 0; i < runs; i += 1) await client.query(query.sql, query.parameters as unknown[]);
    return ((ticks() - before) * 10) / runs; // 100 ticks a second (CLK_TCK)
  } finally {
    client.release();
  }
}

interface ExplainNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Subplan Name'?: string;
  'Parent Relationship'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Actual Total Time'?: number;
  Plans?: ExplainNode[];
}
interface ExplainRoot {
  Plan: ExplainNode;
  'Execution Time': number;
  'Planning Time': number;
}

/** The plan as indented node types, with the index or table each reads and its actual rows × loops. */
function planShape(node: ExplainNode, depth = 0): string[] {
  const on = node['Index Name'] ?? node['Relation Name'];
  const label = [
    node['Subplan Name'] ? `${node['Subplan Name']}: ` : '',
    node['Node Type'],
    on ? ` on ${on}` : '',
    ` (rows ${node['Actual Rows']} × loops ${node['Actual Loops']}, ${((node['Actual Total Time'] ?? 0) * (node['Actual Loops'] ?? 1)).toFixed(2)} ms)`,
  ].join('');
  return [
    `${'  '.repeat(depth)}${label}`,
    ...(node.Plans ?? []).flatMap((child) => planShape(child, depth + 1)),
  ];
}

/** Copies the target member's threads, messages, links and search rows aside, so that each erasure starts from the same data. */
async function snapshotTarget(pool: import('pg').Pool, memberId: string) {
  // A copy left by an earlier run holds the same rows: keep it (the member's mail may be erased right now).
  const { rows } = await pool.query("select to_regclass('bench_erase_search') is not null as kept");
  if (rows[0]?.kept) return;
  await pool.query(`drop table if exists bench_erase_messages, bench_erase_links, bench_erase_threads;
    create table bench_erase_messages as select m.* from messages m
      where exists (select 1 from message_members mm where mm.org_id = m.org_id and mm.message_id = m.id and mm.member_id = '${memberId}');
    create table bench_erase_links as select mm.* from message_members mm
      where (mm.org_id, mm.message_id) in (select org_id, id from bench_erase_messages);
    create table bench_erase_threads as select t.* from threads t
      where (t.org_id, t.id) in (select org_id, thread_id from bench_erase_messages);
    drop table if exists bench_erase_search;
    create table bench_erase_search as select s.* from message_search s
      where (s.org_id, s.message_id) in (select org_id, id from bench_erase_messages)`);
}

/** Puts the target member's rows back and lifts their suppression, as if the erasure had not run. */
async function restoreTarget(pool: import('pg').Pool) {
  await pool.query(`insert into threads select * from bench_erase_threads on conflict do nothing;
    insert into messages select * from bench_erase_messages on conflict do nothing;
    insert into message_members select * from bench_erase_links on conflict do nothing;
    insert into message_search overriding system value select * from bench_erase_search on conflict do nothing;
    delete from suppressions`);
}

async function databaseSize(pool: import('pg').Pool) {
  const { rows } = await pool.query(`select
      pg_database_size(current_database()) as database,
      pg_total_relation_size('messages') as messages, pg_indexes_size('messages') as messages_indexes,
      pg_total_relation_size('message_members') as message_members,
      pg_total_relation_size('threads') as threads`);
  const row = rows[0] as Record<string, string>;
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)]));
}

function printTable(loadSeconds: number, size: Record<string, number>) {
  const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
  const mib = (bytes: number | undefined) => `${Math.round((bytes ?? 0) / 2 ** 20).toLocaleString('en')} MiB`;
  const lines = [
    `load ${loadSeconds.toFixed(0)} s; database ${mib(size.database)} (messages ${mib(size.messages)}, ` +
      `of which indexes ${mib(size.messages_indexes)}; message_members ${mib(size.message_members)}; threads ${mib(size.threads)})`,
    '| stage | n | p50 | p99 | max | goal | met |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...figures.map((figure) => {
      const goal =
        figure.goal?.p99 !== undefined ? `p99 ≤ ${figure.goal.p99} ms` : `≤ ${figure.goal?.max} ms`;
      const met =
        figure.goal?.p99 !== undefined
          ? figure.p99 <= figure.goal.p99
          : figure.max <= (figure.goal?.max ?? 0);
      return `| ${figure.stage} | ${figure.iterations} | ${ms(figure.p50)} | ${ms(figure.p99)} | ${ms(figure.max)} | ${goal} | ${met ? 'yes' : 'NO'} |`;
    }),
    ...figures.filter((figure) => figure.note).map((figure) => `- ${figure.stage}: ${figure.note}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
