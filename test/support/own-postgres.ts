/**
 * A PostgreSQL server of the chaos run's own (not the test run's shared one), on a fixed port so that the
 * app's and the worker's pools find it again after it is killed and started anew. Test databases of the
 * file are made on it: `ownPostgres()` points `testDatabase()` here, so call it before `providerTest()`.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { connect } from '../../src/db/database.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/log.ts';
import { onCleanup } from './cleanup.ts';
import { TEMPLATE, withDatabase } from './global-setup.ts';

export interface OwnPostgres {
  url: string;
  port: number;
  /** The postmaster's process id right now (it changes with each start). */
  pid(): number;
  /** SIGKILL of the server process (no shutdown, no checkpoint: a crash), waiting until it is gone. */
  kill(): Promise<void>;
  /** Starts the server again on the same cluster and port (crash recovery replays the WAL). */
  start(): Promise<number>;
  /** Whether the server answers a query. */
  answers(): Promise<boolean>;
}

export async function ownPostgres(): Promise<OwnPostgres> {
  const logger = createLogger('warn');
  const key = createHash('sha256').update(`${process.cwd()}:chaos`).digest('hex').slice(0, 12);
  const dir = path.join(os.tmpdir(), `talentsync-chaos-${key}`);
  const port = await freePort();
  let server: EmbeddedServer = await startEmbeddedPostgres(dir, logger, { port });
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`drop database if exists ${TEMPLATE} with (force)`);
  await admin(`create database ${TEMPLATE}`);
  const template = connect(withDatabase(server.url, TEMPLATE), logger, { max: 2 });
  await migrate(template.db, template.pool, logger);
  await template.close();
  process.env.TALENTSYNC_TEST_SERVER_URL = server.url;
  // Registered first, so run last: after the databases on it are dropped.
  onCleanup(() => server.stop());

  const answers = async () => {
    const client = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  return {
    url: server.url,
    port,
    pid: () => server.pid,
    answers,
    kill: async () => {
      const pid = server.pid;
      process.kill(pid, 'SIGKILL');
      while (alive(pid)) await sleep(20);
    },
    start: async () => {
      const started = Date.now();
      // Backends of the killed server leave on their own; until then its shared memory is in use.
      for (let tries = 1; ; tries += 1) {
        try {
          server = await startEmbeddedPostgres(dir, logger, { port });
          break;
        } catch (error) {
          if (Date.now() - started > 60_000) throw error;
          await sleep(200 * Math.min(tries, 10));
        }
      }
      while (!(await answers())) await sleep(100);
      return Date.now() - started;
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
