/**
 * Database outages, on a PostgreSQL server of this file's own (stopping the shared one would fail every
 * other test file): the API and the worker run against it, it is stopped and frozen under a small load of
 * requests, then brought back, and both must answer and work again without a restart.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { connect, isDatabaseUnavailable } from '../../src/db/database.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { enqueue } from '../../src/db/jobs.ts';
import { migrate } from '../../src/db/migrate.ts';
import { buildApp } from '../../src/http/app.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { createLogger } from '../../src/log.ts';
import { createOrganization, createUser } from '../../src/services/accounts.ts';
import { createContext } from '../../src/services/context.ts';
import { TEST_KEY } from '../support/app.ts';
import { eventually } from '../support/live.ts';

const logger = createLogger('silent');
const dir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-outage-'));
// As root the server runs as `postgres`, which must be able to enter the folder.
chmodSync(dir, 0o755);
let server: EmbeddedServer = await startEmbeddedPostgres(dir, logger);
const { port, url } = server;

const setup = connect(url, logger, { max: 2 });
await migrate(setup.db, setup.pool, logger);
await setup.close();

// Small bounds, so that the test waits little; what matters is that every wait has one.
const timeouts = { statementTimeoutMs: 1_500, connectTimeoutMs: 1_500, idleInTransactionTimeoutMs: 5_000 };
const api = connect(url, logger, { max: 4, name: 'talentsync-api', timeouts });
const workerPool = connect(url, logger, { max: 4, name: 'talentsync-worker', timeouts });
const config = loadConfig({
  DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'talentsync-outage-data-')),
  TOKEN_ENCRYPTION_KEY: TEST_KEY,
});
const app = await buildApp({ context: createContext(config, api.db, logger) });
const runner = await startWorker(
  workerPool.pool,
  createContext(config, workerPool.db, logger),
  { pollQuietMs: 3_600_000, decisionTtlMs: 86_400_000 },
  2,
);
const org = await createOrganization(api.db, { name: 'Outage', primaryDomain: 'outage.example' });
const { token } = await createUser(api.db, org.id, {
  email: 'admin@outage.example',
  name: 'Admin',
  role: 'admin',
});

after(async () => {
  // A frozen server neither stops nor lets its clients go: thaw it first, whatever a failed test left.
  thaw();
  await runner.stop();
  await app.close();
  await workerPool.close();
  await api.close();
  await server.stop();
});

/** The postmaster and its children, the backends serving our connections among them. */
function serverProcesses(): number[] {
  try {
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(server.pid)], { encoding: 'utf8' });
    return [server.pid, ...children.split('\n').filter(Boolean).map(Number)];
  } catch {
    return []; // ps finds none: the server is not running
  }
}

/** Freezes the whole server (each backend is a process group of its own, so one by one). */
function freeze(): void {
  for (const pid of serverProcesses()) process.kill(pid, 'SIGSTOP');
}

function thaw(): void {
  for (const pid of serverProcesses().reverse()) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // Gone already: nothing to thaw.
    }
  }
}

const ROUTES = ['/api/me', '/api/users', '/api/organization', '/api/threads'];

/** A small load: `count` authenticated requests at once over a few database-backed routes. */
async function load(count: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const started = performance.now();
      const response = await app.inject({
        method: 'GET',
        url: ROUTES[i % ROUTES.length] as string,
        headers: { authorization: `Bearer ${token}` },
      });
      return { response, ms: performance.now() - started };
    }),
  );
}

/** Every answer is the 503 of an unavailable database, in the usual envelope, and came well before 15 s. */
function assertUnavailable(answers: Awaited<ReturnType<typeof load>>): void {
  for (const { response, ms } of answers) {
    assert.equal(response.statusCode, 503, `${response.statusCode} ${response.body}`);
    assert.equal(response.headers['retry-after'], '5');
    assert.equal(response.json().error.code, 'database_unavailable');
    assert.equal(typeof response.json().error.message, 'string');
    // Loosely: a few of the configured 1.5 s bounds, far from the 15 s and more of unbounded waits.
    assert.ok(ms < 8_000, `answered after ${Math.round(ms)} ms`);
  }
}

/** Queues a job that does nothing and waits until the worker has run it (Graphile deletes done jobs). */
async function workerRunsAJob(): Promise<void> {
  const key = `outage-${randomBytes(4).toString('hex')}`;
  await eventually(
    () =>
      enqueue(api.db, 'sync_mailbox', {}, { jobKey: key, queueName: key }).then(
        () => true,
        () => false,
      ),
    30_000,
  );
  await eventually(async () => {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from graphile_worker.jobs where key = ${key}`.execute(api.db);
    return rows[0]?.n === 0;
  }, 30_000);
}

async function assertServing(): Promise<void> {
  await eventually(
    async () =>
      (await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } }))
        .statusCode === 200,
    30_000,
  );
  for (const { response } of await load(8)) assert.equal(response.statusCode, 200, response.body);
  assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  await workerRunsAJob();
}

// A test that hangs (an unbounded wait, the very failure under test) fails instead of blocking the run.
const bounded = { timeout: 90_000 };

/** Runs `work`, noting every statement a client of the API's pool sends to the server meanwhile. */
async function recordingStatements(work: (sent: string[]) => Promise<void>): Promise<string[]> {
  const sent: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const pool = (this as unknown as { connectionParameters: { application_name?: string } })
      .connectionParameters.application_name;
    if (pool === 'talentsync-api' && typeof args[0] === 'string') sent.push(args[0]);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await work(sent);
  } finally {
    pg.Client.prototype.query = original;
  }
  return sent;
}

describe('database outages', () => {
  it('serves and runs jobs while the database is up', bounded, async () => {
    await assertServing();
  });

  it(
    'hardening: a stopped database answers 503 database_unavailable with Retry-After, and the API and worker recover when it is back',
    bounded,
    async () => {
      await server.stop();
      assertUnavailable(await load(12));
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(ready.json(), { status: 'unavailable', database: 'unreachable' });
      assert.equal(ready.headers['retry-after'], '5');
      const live = await app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(live.statusCode, 200, 'liveness does not depend on the database');

      server = await startEmbeddedPostgres(dir, logger, { port });
      await assertServing();
    },
  );

  it(
    'hardening: a frozen database (SIGSTOP) answers 503 within the configured timeouts, not after 15 s, and serves again once thawed',
    bounded,
    async () => {
      freeze();
      try {
        assertUnavailable(await load(12));
        // A second wave finds the pool's clients that gave up discarded, not still waiting.
        assertUnavailable(await load(12));
        assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      } finally {
        thaw();
      }
      await assertServing();
    },
  );

  it(
    'hardening: a transaction caught by a freeze sends nothing more once a statement goes unanswered',
    bounded,
    async () => {
      let afterFreeze = 0;
      const sent = await recordingStatements(async (statements) => {
        await assert.rejects(
          api.db.transaction().execute(async (trx) => {
            await sql`select 1`.execute(trx);
            freeze();
            afterFreeze = statements.length;
            await sql`select 2`.execute(trx);
          }),
          (error: unknown) => isDatabaseUnavailable(error),
        );
      });
      thaw();
      // Only `select 2` reached the frozen server: no rollback waited out a second timeout behind it.
      assert.deepEqual(sent.slice(afterFreeze), ['select 2']);
      await assertServing();
    },
  );
});
