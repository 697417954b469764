/** A fresh database per test file, cloned from the migrated template (see global-setup.ts). */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Connection, connect } from '../../src/db/database.ts';
import { createLogger } from '../../src/log.ts';
import { onCleanup } from './cleanup.ts';
import { TEMPLATE, withDatabase } from './global-setup.ts';

export interface TestDatabase extends Connection {
  url: string;
}

/** Creates a database for this test file and drops it when the file's tests are done. */
export async function testDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TALENTSYNC_TEST_SERVER_URL;
  if (!serverUrl) throw new Error('run tests with `npm test` (its global setup starts the database server)');
  const name = `talentsync_test_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `create database ${name} template ${TEMPLATE}`);
  const url = withDatabase(serverUrl, name);
  const connection = connect(url, createLogger('silent'), { max: 5 });
  onCleanup(async () => {
    await connection.close();
    await onServer(serverUrl, `drop database if exists ${name} with (force)`);
  });
  return { ...connection, url };
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
