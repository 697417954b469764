import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect } from '../../src/db/database.ts';
import { createLogger } from '../../src/log.ts';
import { testDatabase } from '../support/database.ts';

const database = await testDatabase();
const logger = createLogger('silent');

/** The server's sessions of this test's database with the given application name. */
async function sessions(name: string): Promise<number> {
  const probe = connect(database.url, logger, { max: 1 });
  try {
    const { rows } = await probe.pool.query<{ n: string }>(
      'select count(*) as n from pg_stat_activity where application_name = $1',
      [name],
    );
    return Number(rows[0]?.n);
  } finally {
    await probe.close();
  }
}

describe('closing a connection pool', () => {
  it('ends the sessions of a pool used only directly (Kysely never ran a query), so the process can exit', async () => {
    const pool = connect(database.url, logger, { max: 2, name: 'close-direct' });
    await pool.pool.query('select 1');
    assert.equal(await sessions('close-direct'), 1);
    await pool.close();
    assert.equal(pool.pool.ending, true);
    assert.equal(await sessions('close-direct'), 0);
  });

  it('ends the sessions of a pool used through Kysely, and a second close is harmless', async () => {
    const pool = connect(database.url, logger, { max: 2, name: 'close-kysely' });
    await pool.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
    assert.equal(await sessions('close-kysely'), 1);
    await pool.close();
    await pool.close();
    assert.equal(await sessions('close-kysely'), 0);
  });
});
