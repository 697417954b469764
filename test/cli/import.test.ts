import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import { importMembers } from '../../src/services/directory.ts';
import { testApp } from '../support/app.ts';

const t = await testApp();

/** A Kysely over the test database that counts the transactions it begins. */
function countingDatabase() {
  const counter = { transactions: 0 };
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: t.database.pool }),
    log: (event) => {
      if (event.query.sql === 'begin') counter.transactions += 1;
    },
  });
  return { db, counter };
}

async function* linesOf(records: unknown[]): AsyncIterable<string> {
  for (const record of records) yield typeof record === 'string' ? record : JSON.stringify(record);
}

const good = (run: string, i: number): Record<string, unknown> => ({
  externalId: `${run}-${i}`,
  name: `Member ${i}`,
  emails: [`${run}.${i}@import.example`],
  discoverability: 'anyone',
});

describe('hardening: member import', () => {
  it('hardening: one bad line never loses the rest of its batch of 1,000', async () => {
    const run = 'batch';
    const records: unknown[] = Array.from({ length: 2500 }, (_, i) => good(run, i + 1));
    // Lines 7, 12 and 2,000 are refused by the name rule before the database sees them; lines 500 and
    // 1,800 carry a NUL where only the database notices it, so their batches are refused as a whole.
    records[6] = { ...good(run, 7), name: 'Nul\u0000Name' };
    records[11] = { ...good(run, 12), name: '     ' };
    records[499] = { ...good(run, 500), headline: 'Engineer\u0000' };
    records[1799] = { ...good(run, 1800), externalId: 'ext\u0000' };
    records[1999] = { ...good(run, 2000), name: '\u200B\u200B' };
    const { db, counter } = countingDatabase();
    const summary = await importMembers(db, linesOf(records));

    assert.deepEqual(
      summary.problems.map((problem) => problem.line),
      [7, 12, 500, 1800, 2000],
    );
    assert.match(summary.problems[0]?.message ?? '', /^name: /);
    assert.match(summary.problems[1]?.message ?? '', /^name: .*whitespace only/);
    assert.match(summary.problems[2]?.message ?? '', /database cannot store/);
    assert.match(summary.problems[3]?.message ?? '', /database cannot store/);
    assert.match(summary.problems[4]?.message ?? '', /^name: .*invisible/);
    assert.equal(summary.created, 2495);
    assert.equal(summary.rejected, 5);

    const stored = await t.database.db
      .selectFrom('members')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('external_id', 'like', `${run}-%`)
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.count), 2495, 'every good line of every batch is saved');

    // Halving a refused batch costs two transactions per halving, 2·⌈log2 1000⌉ for each line the
    // database refuses, on top of one per batch; going one by one would cost a thousand per batch.
    const bound = 3 + 2 * (2 * Math.ceil(Math.log2(1000)));
    assert.ok(counter.transactions <= bound, `${counter.transactions} transactions, at most ${bound}`);
  });

  it('hardening: a refused line in a batch that is also updating members keeps the updates', async () => {
    const run = 'update';
    const first = await importMembers(
      t.database.db,
      linesOf(Array.from({ length: 20 }, (_, i) => good(run, i))),
    );
    assert.equal(first.created, 20);
    const renamed: unknown[] = Array.from({ length: 20 }, (_, i) => ({
      ...good(run, i),
      name: `Renamed ${i}`,
    }));
    renamed[3] = { ...good(run, 3), headline: '\u0000' };
    const second = await importMembers(t.database.db, linesOf(renamed));
    assert.equal(second.updated, 19);
    assert.deepEqual(
      second.problems.map((problem) => problem.line),
      [4],
    );
    const names = await t.database.db
      .selectFrom('members')
      .select(['external_id', 'name'])
      .where('external_id', 'in', [`${run}-2`, `${run}-3`])
      .orderBy('external_id')
      .execute();
    assert.deepEqual(names, [
      { external_id: `${run}-2`, name: 'Renamed 2' },
      { external_id: `${run}-3`, name: 'Member 3' },
    ]);
  });
});
