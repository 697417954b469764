/**
 * Upgrades start several processes at once (api and worker units, replicas), each migrating as it
 * starts: two `talentsync migrate` on one empty database must leave one correct schema.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { migrations } from '../../src/db/migrations/index.ts';
import { onCleanup } from '../support/cleanup.ts';
import { runCli } from '../support/cli.ts';
import { TEMPLATE, withDatabase } from '../support/global-setup.ts';

async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Tables, columns and indexes of the public and job schemas, in a stable order. */
async function schemaOf(url: string): Promise<string[]> {
  return onServer(url, async (client) => {
    const { rows } = await client.query<{ line: string }>(`
      select table_schema || '.' || table_name || '.' || column_name || ' ' || data_type as line
        from information_schema.columns where table_schema in ('public', 'graphile_worker')
      union all
      select schemaname || ' index ' || indexdef from pg_indexes where schemaname in ('public', 'graphile_worker')
      order by 1`);
    return rows.map((row) => row.line);
  });
}

describe('migrations started by several processes at once', () => {
  it('two concurrent `talentsync migrate` on an empty database both succeed and leave exactly the schema of one', async () => {
    const serverUrl = process.env.TALENTSYNC_TEST_SERVER_URL ?? '';
    const name = `talentsync_test_migrate_${randomBytes(4).toString('hex')}`;
    await onServer(serverUrl, (client) => client.query(`create database ${name}`));
    onCleanup(() =>
      onServer(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`)),
    );
    const url = withDatabase(serverUrl, name);
    const env = { DATABASE_URL: url, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'talentsync-migrate-')) };

    const [first, second] = await Promise.all([runCli(['migrate'], env), runCli(['migrate'], env)]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(first.stdout, 'database is up to date\n');
    assert.equal(second.stdout, 'database is up to date\n');

    const applied = await onServer(url, async (client) => {
      const { rows } = await client.query<{ name: string }>(
        'select name from schema_migrations order by name',
      );
      return rows.map((row) => row.name);
    });
    assert.deepEqual(applied, Object.keys(migrations).sort(), 'each migration recorded once');
    assert.deepEqual(
      await schemaOf(url),
      await schemaOf(withDatabase(serverUrl, TEMPLATE)),
      'the same schema as one migrate run alone (the test template)',
    );
    const again = await runCli(['migrate'], env);
    assert.equal(again.code, 0, 'and a third run later finds nothing to do');
  });
});
