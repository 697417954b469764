/**
 * The live updates' listening connection (services/live-events.ts) after it is given back: closing the live
 * updates returns it to the pool, where it may later be lost like any pooled connection (a database
 * restarting, or shutting down before the process does). Losing it then must not crash the process.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { createLogger } from '../../src/log.ts';
import { createLiveEvents } from '../../src/services/live-events.ts';
import { testDatabase } from '../support/database.ts';
import { eventually } from '../support/live.ts';

const database = await testDatabase();

async function listeningBackend(): Promise<number | undefined> {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity
    where datname = current_database() and query like 'listen talentsync_live%'`.execute(database.db);
  return rows[0]?.pid;
}

describe('the live updates listening connection', () => {
  it('once given back to the pool, can be lost without crashing the process', async () => {
    const live = createLiveEvents(database.pool, createLogger('silent'));
    const unsubscribe = await live.subscribe({ orgId: 'o', userId: 'u' }, () => {});
    const pid = await eventually(listeningBackend);
    unsubscribe?.();
    await live.close();
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onCrash);
    try {
      // From a connection of its own: the pool may hand the given-back connection to this very query.
      const other = new pg.Client({ connectionString: database.url });
      await other.connect();
      await other.query('select pg_terminate_backend($1::int)', [pid]);
      await other.end();
      // The pool hears of the loss on its idle connection; give it the time to.
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      process.off('uncaughtException', onCrash);
    }
    assert.deepEqual(crashes.map(String), []);
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
    assert.equal(rows[0]?.one, 1, 'the pool still answers');
  });
});
