import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import * as setAside from '../../src/db/migrations/0004_set_aside.ts';
import { testDatabase } from '../support/database.ts';

const database = await testDatabase();
const { db } = database;

describe('migration 0004', () => {
  it('hardening: R19 rows that told a hidden or erased member apart are rewritten to no_member', async () => {
    // This file's own database is put back to 0003's rule list, with rows the old rules wrote.
    await sql`
      alter table sync_decisions drop constraint sync_decisions_org_id_connection_id_fkey;
      alter table sync_decisions drop constraint sync_decisions_rule_check;
      alter table sync_decisions add constraint sync_decisions_rule_check
        check (rule in ('before_authorization', 'no_member', 'not_discoverable', 'internal_only', 'erased', 'draft_or_spam'));
      alter table messages drop column truncated;
    `.execute(db);
    const [org, connection] = [randomUUID(), randomUUID()];
    const rules = ['erased', 'not_discoverable', 'no_member', 'internal_only'];
    for (const [index, rule] of rules.entries()) {
      await sql`insert into sync_decisions (org_id, connection_id, provider_message_id, rule)
        values (${org}, ${connection}, ${`m${index}`}, ${rule})`.execute(db);
    }
    await setAside.up(db as unknown as Kysely<unknown>);
    const rows = await db
      .selectFrom('sync_decisions')
      .select(['provider_message_id', 'rule'])
      .orderBy('provider_message_id')
      .execute();
    assert.deepEqual(
      rows.map((row) => row.rule),
      ['no_member', 'no_member', 'no_member', 'internal_only'],
    );
    await assert.rejects(
      sql`insert into sync_decisions (org_id, connection_id, provider_message_id, rule)
        values (${org}, ${connection}, 'again', 'not_discoverable')`.execute(db),
      /sync_decisions_rule_check/,
    );
    await sql`insert into sync_decisions (org_id, connection_id, provider_message_id, rule)
      values (${org}, ${connection}, 'set-aside', 'unreadable')`.execute(db);
  });
});
