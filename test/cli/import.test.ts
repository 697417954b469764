import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DB } from '../../src/db/schema.ts';
import { importMembers } from '../../src/services/directory.ts';
import { testApp } from '../support/app.ts';
import { onCleanup } from '../support/cleanup.ts';

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

/** Polls (a bounded number of times) until a session of the test database waits on a lock. */
async function waitUntilBlockedOnALock(): Promise<void> {
  for (let poll = 0; poll < 2000; poll += 1) {
    const { rows } = await t.database.pool.query<{ waiting: number }>(
      "select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
    );
    if ((rows[0]?.waiting ?? 0) > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('the import never waited on the concurrent writer');
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
    const bad: [number, Record<string, unknown>, RegExp][] = [
      [7, { name: 'Nul\u0000Name' }, /^name: .*U\+0000/],
      [12, { name: '     ' }, /^name: .*whitespace only/],
      [500, { headline: 'Engineer\u0000' }, /^headline: must not contain NUL/],
      [1800, { externalId: 'ext\u0000' }, /^externalId: must not contain NUL/],
      [1900, { name: 'Lone \uD800' }, /^name: .*invisible/],
      [2000, { name: '\u200B\u200B' }, /^name: .*invisible/],
    ];
    for (const [line, change] of bad) records[line - 1] = { ...good(run, line), ...change };
    const summary = await importMembers(t.database.db, linesOf(records));

    assert.deepEqual(
      summary.problems.map((problem) => problem.line),
      bad.map(([line]) => line),
    );
    for (const [index, [, , reason]] of bad.entries()) {
      assert.match(summary.problems[index]?.message ?? '', reason);
    }
    assert.equal(summary.created, 2500 - bad.length);
    const stored = await t.database.db
      .selectFrom('members')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('external_id', 'like', `${run}-%`)
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.count), 2500 - bad.length, 'every good line of every batch is saved');
  });

  it('hardening: an address a concurrent writer takes during a batch is reported on its line, never dropped, in a few transactions', async () => {
    const run = 'race';
    const records = Array.from({ length: 1000 }, (_, i) => good(run, i + 1));
    // A concurrent writer gives line 500's address to another member while the import's batch is under
    // way: the batch passed every check, then its address insert waits for the writer and, once the
    // writer commits, skips the taken address. The batch must be refused and line 500 reported, not
    // its member saved without the address.
    const writer = new pg.Client({ connectionString: t.database.url });
    await writer.connect();
    onCleanup(() => writer.end());
    await writer.query('begin');
    const { rows } = await writer.query<{ id: string }>(
      "insert into members (external_id, name, discoverability) values ('racer', 'Racer', 'anyone') returning id",
    );
    await writer.query('insert into member_emails (normalized, member_id, address) values ($1, $2, $1)', [
      `${run}.500@import.example`,
      rows[0]?.id,
    ]);
    const { db, counter } = countingDatabase();
    const importing = importMembers(db, linesOf(records));
    await waitUntilBlockedOnALock();
    await writer.query('commit');
    const summary = await importing;

    assert.deepEqual(summary.problems, [{ line: 500, message: 'emails.0: belongs to another member' }]);
    assert.equal(summary.created, 999);
    const owner = await t.database.db
      .selectFrom('member_emails as e')
      .innerJoin('members as m', 'm.id', 'e.member_id')
      .select('m.external_id')
      .where('e.normalized', '=', `${run}.500@import.example`)
      .executeTakeFirst();
    assert.equal(owner?.external_id, 'racer');
    const lost = await t.database.db
      .selectFrom('members')
      .select('id')
      .where('external_id', '=', `${run}-500`)
      .execute();
    assert.deepEqual(lost, [], 'no member saved without its address');
    // The refused batch is halved until the halves go through: here two or three more transactions,
    // never one per line as before.
    assert.ok(
      counter.transactions <= 1 + 2 * Math.ceil(Math.log2(1000)),
      `${counter.transactions} transactions`,
    );
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
