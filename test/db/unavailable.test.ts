import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import pg from 'pg';
import { isDatabaseUnavailable } from '../../src/db/database.ts';
import { testDatabase } from '../support/database.ts';

const database = await testDatabase();

/** The error PostgreSQL itself answers `statement` with. */
async function errorOf(statement: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(statement);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await client.end();
  }
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('telling an unavailable database from a bug', () => {
  it('hardening: a write refused by a server that is read-only for now (a failover) reads as unavailable', async () => {
    const error = await errorOf('begin read only; create table failover_probe (id int); commit');
    assert.equal((error as { code?: string }).code, '25006');
    assert.equal(isDatabaseUnavailable(error), true);
  });

  it('reads a refused connection and a statement timeout as unavailable', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: await closedPort() });
    const refused = await client.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.equal(isDatabaseUnavailable(refused), true);
    const slow = await errorOf("set statement_timeout = '50ms'; select pg_sleep(1)");
    assert.equal((slow as { code?: string }).code, '57014');
    assert.equal(isDatabaseUnavailable(slow), true);
  });

  it('reads mistakes as mistakes: a bad statement stays a 500', async () => {
    for (const statement of ['select * from no_such_table', 'select 1/0', 'selec 1']) {
      const error = await errorOf(statement);
      assert.ok(error, statement);
      assert.equal(isDatabaseUnavailable(error), false, statement);
    }
    assert.equal(isDatabaseUnavailable(new Error('something else')), false);
    assert.equal(isDatabaseUnavailable('Query read timeout'), false, 'only errors, not strings');
  });
});
