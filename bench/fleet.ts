/**
 * Many connected Google mailboxes, made fast but every one of them real: the stage's database, the
 * sandbox in this process, `talentsync api` (the webhooks) and `talentsync worker`s in child processes.
 *
 * How a mailbox of the fleet is connected — nothing skipped that makes a connection what it is:
 *   - organizations of 100 recruiters (created with the product's services), each organization on Google
 *     through the admin API; the sandbox's users are added in bulk (its control API, in process);
 *   - each recruiter goes through the whole consent flow (`test/support/browser.ts`: start link, sign-in,
 *     the sandbox's consent page, the callback, the app's code exchange with PKCE and id_token, the
 *     tokens sealed by the vault), many recruiters at once (bounded concurrency);
 *   - the connection's first sync (the anchor, R9) and its Gmail watch are the worker's own `sync_mailbox`
 *     and `start_push` jobs, queued by the callback: the fleet is ready when every mailbox has a cursor, a
 *     live watch and a successful sync, and no such job is left.
 *
 * Every job's start and end is recorded by triggers on Graphile Worker's job table (lock taken, lock
 * released or row deleted), and every sync run's start and end by a trigger on `mailbox_sync`
 * (`last_sync_started_at`, `last_sync_succeeded_at`): `runs()` reads them back to prove that no mailbox
 * was ever synced twice at once. The triggers exist only in the bench's database.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';
import { createOrganization, createUser } from '../src/services/accounts.ts';
import { placeMailbox } from '../src/services/connect-mailbox.ts';
import { oauthRedirectUri } from '../src/services/context.ts';
import { consent } from '../test/support/browser.ts';
import { freePort } from '../test/support/port.ts';
import { PUSH, startBench } from './harness.ts';
import { type Child, productEnv, startChild } from './processes.ts';

const ORG_SIZE = 100;
const CANDIDATES = 50;

export type Fleet = Awaited<ReturnType<typeof openFleet>>;

export interface Mailbox {
  email: string;
  connectionId: string;
}

/** A job's or a sync run's interval, in ms since the epoch (database clock). */
export interface Run {
  connectionId: string;
  start: number;
  end: number | undefined;
  /** The Graphile worker (pool) that held the job; for sync runs, the database backend. */
  by: string;
  task: string;
}

export async function openFleet(input: { databaseUrl: string; progress: (line: string) => void }) {
  const apiPort = await freePort();
  const webhook = `http://127.0.0.1:${apiPort}/webhooks/google`;
  const bench = await startBench({
    live: false,
    databaseUrl: input.databaseUrl,
    sandbox: {
      google: { pushEndpoint: webhook, pushAudience: webhook, pushServiceAccount: PUSH.serviceAccountEmail },
    },
  });
  const { db } = bench.database;
  await installRecorders(bench.database.db);
  const sandbox = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const response = await bench.sandbox.app.inject({
      method,
      url: `/_sandbox${url}`,
      ...(payload ? { payload } : {}),
    });
    if (response.statusCode >= 300)
      throw new Error(`sandbox ${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.body ? response.json() : undefined;
  };
  const children: Child[] = [];
  const env = (port: number) =>
    productEnv({
      databaseUrl: input.databaseUrl,
      sandboxUrl: bench.sandbox.url,
      port,
      // The sandbox pushes from one address where Pub/Sub pushes from many: the per-address limit
      // (6,000 a minute by default) would cut the storm short here and not in production.
      extra: { RATE_LIMIT_WEBHOOKS_PER_MINUTE: '100000000' },
    });
  const api = await startChild('api', env(apiPort));
  children.push(api);
  const startWorker = async (options: { inspect?: boolean; nodeArgs?: string[] } = {}) => {
    const worker = await startChild('worker', env(await freePort()), options);
    children.push(worker);
    return worker;
  };

  const candidates: string[] = [];
  for (let i = 0; i < CANDIDATES; i += 1) {
    const email = `candidate${i}@candidates.example`;
    await bench.member(email);
    candidates.push(email);
  }

  const mailboxes: Mailbox[] = [];
  const orgs: { id: string }[] = [];
  const google = bench.context.providers.google;
  if (!google) throw new Error('the bench app has no Google adapter');

  /**
   * The consent flow without the browser's part: the product's adapter builds the authorization URL
   * (state, nonce, PKCE), the sandbox's consent page is read and its form submitted (in process), the
   * adapter exchanges the code (the sandbox's token endpoint over HTTP: PKCE, id_token, the Gmail profile),
   * and the product's `placeMailbox` stores the connection (fit check, sealed tokens, first sync and watch
   * queued, audit) as the callback does. Skipped: the start link, the sign-in form and the flow's row.
   */
  const grantDirectly = async (orgId: string, userId: string, email: string) => {
    const flow = {
      redirectUri: oauthRedirectUri(bench.context),
      state: randomBytes(16).toString('base64url'),
      nonce: randomBytes(16).toString('base64url'),
      codeVerifier: randomBytes(32).toString('base64url'),
      loginHint: email,
    };
    const authorize = await google.oauth.authorizationUrl(flow);
    const page = await bench.sandbox.app.inject({
      method: 'GET',
      url: `${authorize.pathname}${authorize.search}`,
    });
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(page.body);
    if (page.statusCode !== 200 || !form?.[1] || !form[2])
      throw new Error(`no consent page for ${email}: ${page.statusCode} ${page.body.slice(0, 200)}`);
    const fields = new URLSearchParams();
    for (const field of form[2].matchAll(/<input[^>]*>/g)) {
      const name = /name="([^"]+)"/.exec(field[0])?.[1];
      const value = /value="([^"]*)"/.exec(field[0])?.[1] ?? '';
      if (name) fields.set(name, name === 'email' ? email : value.replaceAll('&amp;', '&'));
    }
    fields.set('decision', 'allow');
    const action = new URL(form[1].replaceAll('&amp;', '&'), authorize);
    const submitted = await bench.sandbox.app.inject({
      method: 'POST',
      url: `${action.pathname}${action.search}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: fields.toString(),
    });
    const location = submitted.headers.location;
    if (typeof location !== 'string')
      throw new Error(`consent of ${email} did not redirect: ${submitted.body}`);
    const consented = await google.oauth.exchange(flow, new URL(location));
    const outcome = await placeMailbox(
      bench.context,
      {
        orgId,
        id: randomUUID(),
        userId,
        purpose: 'connect',
        provider: 'google',
        codeVerifier: null,
        nonce: null,
        browserHash: null,
      },
      consented,
    );
    if (outcome.kind !== 'connected') throw new Error(`${email} was not connected: ${outcome.kind}`);
  };

  /**
   * Connects mailboxes until there are `target`, `concurrency` recruiters at a time: the first
   * `browserFlows` of the fleet through the whole browser flow, the others by `grantDirectly`.
   */
  const grow = async (target: number, options: { concurrency?: number; browserFlows?: number } = {}) => {
    const concurrency = options.concurrency ?? 12;
    const browserFlows = options.browserFlows ?? Number.POSITIVE_INFINITY;
    const from = mailboxes.length;
    const wanted: { email: string; orgId: string; n: number }[] = [];
    for (let n = from; n < target; n += 1) {
      const orgIndex = Math.floor(n / ORG_SIZE);
      const domain = `fleet${orgIndex}.example.com`;
      let org = orgs[orgIndex];
      if (!org) {
        const created = await createOrganization(db, { name: `Fleet ${orgIndex}`, primaryDomain: domain });
        const admin = await createUser(db, created.id, {
          email: `admin@${domain}`,
          name: 'Admin',
          role: 'admin',
        });
        await bench.call(admin.token, 'PATCH', '/api/organization', { provider: 'google' });
        org = { id: created.id };
        orgs[orgIndex] = org;
      }
      wanted.push({ email: `r${n}@${domain}`, orgId: org.id, n });
    }
    let done = 0;
    await eachLimited(wanted, concurrency, async ({ email, orgId, n }) => {
      await sandbox('POST', '/google/users', { email, name: `Recruiter ${n}` });
      const { user, token } = await createUser(db, orgId, {
        email,
        name: `Recruiter ${n}`,
        role: 'member',
      });
      if (n < browserFlows) {
        const started = await bench.call(token, 'POST', '/api/connection');
        const outcome = await consent(bench.app, started.url, { token, email, decision: 'allow' });
        if (outcome.status !== 200)
          throw new Error(`consent of ${email} failed: ${outcome.html.slice(0, 300)}`);
      } else {
        await grantDirectly(orgId, user.id, email);
      }
      done += 1;
      if (done % 1000 === 0) input.progress(`  ${from + done} mailboxes connected`);
    });
    const rows = await db
      .selectFrom('mailbox_connections')
      .select(['id', 'address'])
      .where('status', '=', 'connected')
      .execute();
    const known = new Set(mailboxes.map((mailbox) => mailbox.email));
    for (const row of rows)
      if (!known.has(row.address)) mailboxes.push({ email: row.address, connectionId: row.id });
  };

  /** Resolves when every connection is anchored, watched and synced and no sync or push job is left. */
  const settled = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await sql<{ total: string; ready: string; jobs: string }>`
        select
          (select count(*) from mailbox_connections where status = 'connected') as total,
          (select count(*) from mailbox_sync
            where cursor is not null and push_expires_at is not null and last_sync_succeeded_at is not null) as ready,
          (select count(*) from graphile_worker.jobs
            where task_identifier in ('sync_mailbox', 'start_push')) as jobs`.execute(db);
      const row = rows[0];
      if (row && row.total === row.ready && row.jobs === '0') return;
      if (Date.now() > deadline)
        throw new Error(
          `the fleet did not settle: ${JSON.stringify(row)}\n${children.map((c) => c.output()).join('\n')}`,
        );
      await sleep(250);
    }
  };

  return {
    bench,
    api,
    mailboxes,
    candidates,
    grow,
    settled,
    startWorker,
    sandbox,
    /** Every recorded job and sync run (database clock). */
    runs: () => readRuns(db),
    close: async () => {
      for (const child of children.reverse()) await child.stop();
      await bench.close();
    },
  };
}

/** Runs `work` on every item, at most `limit` at a time; the first failure fails the whole. */
export async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function installRecorders(db: Database) {
  await sql`
    create table bench_job_events (
      id bigserial primary key, job_id bigint not null, task_id int not null, connection_id text,
      worker text not null, event text not null, at timestamptz not null default clock_timestamp())`.execute(
    db,
  );
  await sql`
    create function bench_job_event() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        if old.locked_by is null and new.locked_by is not null then
          insert into bench_job_events (job_id, task_id, connection_id, worker, event)
          values (new.id, new.task_id, new.payload->>'connectionId', new.locked_by, 'start');
        elsif old.locked_by is not null and new.locked_by is null then
          insert into bench_job_events (job_id, task_id, connection_id, worker, event)
          values (old.id, old.task_id, old.payload->>'connectionId', old.locked_by, 'end');
        end if;
        return new;
      end if;
      if old.locked_by is not null then
        insert into bench_job_events (job_id, task_id, connection_id, worker, event)
        values (old.id, old.task_id, old.payload->>'connectionId', old.locked_by, 'end');
      end if;
      return old;
    end $$`.execute(db);
  await sql`
    create trigger bench_job_event after update of locked_by or delete on graphile_worker._private_jobs
    for each row execute function bench_job_event()`.execute(db);
  await sql`
    create table bench_sync_events (
      id bigserial primary key, connection_id uuid not null, started timestamptz not null,
      event text not null, backend int not null default pg_backend_pid(),
      at timestamptz not null default clock_timestamp())`.execute(db);
  await sql`
    create function bench_sync_event() returns trigger language plpgsql as $$
    begin
      if new.last_sync_started_at is distinct from old.last_sync_started_at then
        insert into bench_sync_events (connection_id, started, event) values (new.connection_id, new.last_sync_started_at, 'start');
      end if;
      if new.last_sync_succeeded_at is distinct from old.last_sync_succeeded_at then
        insert into bench_sync_events (connection_id, started, event) values (new.connection_id, new.last_sync_succeeded_at, 'end');
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger bench_sync_event after update on mailbox_sync
    for each row execute function bench_sync_event()`.execute(db);
}

/** The recorded jobs (each lock to its release) and sync runs (start to success), per connection. */
async function readRuns(db: Database): Promise<{ jobs: Run[]; syncs: Run[] }> {
  const jobEvents = await sql<{
    job_id: string;
    task: string;
    connection_id: string | null;
    worker: string;
    event: string;
    at: Date;
  }>`
    select e.job_id, t.identifier as task, e.connection_id, e.worker, e.event, e.at
    from bench_job_events e join graphile_worker._private_tasks t on t.id = e.task_id
    order by e.id`.execute(db);
  const open = new Map<string, Run>();
  const jobs: Run[] = [];
  for (const row of jobEvents.rows) {
    if (row.event === 'start') {
      const run: Run = {
        connectionId: row.connection_id ?? '',
        start: row.at.getTime(),
        end: undefined,
        by: row.worker,
        task: row.task,
      };
      open.set(row.job_id, run);
      jobs.push(run);
    } else {
      const run = open.get(row.job_id);
      if (run) run.end = row.at.getTime();
      open.delete(row.job_id);
    }
  }
  const syncEvents = await sql<{
    connection_id: string;
    started: Date;
    event: string;
    backend: number;
    at: Date;
  }>`
    select connection_id, started, event, backend, at from bench_sync_events order by id`.execute(db);
  const byStart = new Map<string, Run>();
  const syncs: Run[] = [];
  for (const row of syncEvents.rows) {
    const key = `${row.connection_id} ${row.started.getTime()}`;
    if (row.event === 'start') {
      const run: Run = {
        connectionId: row.connection_id,
        start: row.at.getTime(),
        end: undefined,
        by: String(row.backend),
        task: 'sync',
      };
      byStart.set(key, run);
      syncs.push(run);
    } else {
      const run = byStart.get(key);
      if (run) run.end = row.at.getTime();
    }
  }
  return { jobs, syncs };
}

/**
 * Runs of one connection that start before an earlier run of it ended. A run without an end (its job
 * failed, or the engine's run stopped before success) is counted by `unended`, not here.
 */
export function overlaps(runs: Run[]): number {
  const byConnection = new Map<string, Run[]>();
  for (const run of runs) {
    const list = byConnection.get(run.connectionId) ?? [];
    list.push(run);
    byConnection.set(run.connectionId, list);
  }
  let count = 0;
  for (const list of byConnection.values()) {
    list.sort((a, b) => a.start - b.start);
    let reach = Number.NEGATIVE_INFINITY;
    for (const run of list) {
      if (run.start < reach) count += 1;
      reach = Math.max(reach, run.end ?? run.start);
    }
  }
  return count;
}

/** Runs that never recorded an end. */
export function unended(runs: Run[]): number {
  return runs.filter((run) => run.end === undefined).length;
}
