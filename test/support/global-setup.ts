/**
 * Runs once before all test files: one PostgreSQL server for the whole run (embedded, or the one in
 * TEST_DATABASE_URL), with a template database migrated once. Each test file then clones the template
 * (`create database … template …`), which takes milliseconds and isolates files from each other.
 * The web app (`web/dist`) is built here too when it is missing or stale.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureWebBuilt } from '../../src/cli/web-build.ts';
import { connect } from '../../src/db/database.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/log.ts';

export const TEMPLATE = 'talentsync_test_template';
let embedded: EmbeddedServer | undefined;

export async function globalSetup(): Promise<void> {
  const logger = createLogger('warn');
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    // Outside the project folder: as root, the server runs as `postgres`, which may not enter a home folder.
    const key = createHash('sha256').update(process.cwd()).digest('hex').slice(0, 12);
    embedded = await startEmbeddedPostgres(path.join(os.tmpdir(), `talentsync-test-${key}`), logger);
    serverUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE} with (force)`);
  await admin.query(`create database ${TEMPLATE}`);
  await admin.end();
  const template = connect(withDatabase(serverUrl, TEMPLATE), logger, { max: 2 });
  await migrate(template.db, template.pool, logger);
  await template.close();
  process.env.TALENTSYNC_TEST_SERVER_URL = serverUrl;
  // Once for the run, and only when missing or stale: the web tests serve the built app.
  await ensureWebBuilt();
}

export async function globalTeardown(): Promise<void> {
  await embedded?.stop();
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.href;
}
