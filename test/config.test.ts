import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';
import { runCli } from './support/cli.ts';
import { testDatabase } from './support/database.ts';

const key = Buffer.alloc(32, 7).toString('base64');
const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'talentsync-config-'));

describe('configuration', () => {
  it('has working defaults outside production', () => {
    const dataDir = tempDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    assert.equal(config.port, 3000);
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.encryptionKeys.length, 1);
  });

  it('generates the demo encryption key once, readable only by its owner, and reuses it', () => {
    const dataDir = tempDir();
    const first = loadConfig({ DATA_DIR: dataDir }).encryptionKeys[0];
    const second = loadConfig({ DATA_DIR: dataDir }).encryptionKeys[0];
    assert.ok(first && second);
    assert.deepEqual(first.key, second.key);
    const file = path.join(dataDir, 'token-encryption-key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(file, 'utf8'), /^demo:/);
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['PORT', { PORT: 'eighty' }, /^PORT must be an integer/],
    ['PORT', { PORT: '70000' }, /^PORT must be an integer from 0 to 65535/],
    ['PUBLIC_URL', { PUBLIC_URL: 'not a url' }, /^PUBLIC_URL must be an absolute/],
    ['PUBLIC_URL', { PUBLIC_URL: 'ftp://x.example' }, /^PUBLIC_URL must use http or https/],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/x' }, /^DATABASE_URL must start with postgres:\/\//],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    ['TOKEN_ENCRYPTION_KEY', { NODE_ENV: 'production' }, /^TOKEN_ENCRYPTION_KEY is missing/],
    ['TOKEN_ENCRYPTION_KEY', { TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' }, /must be 32 bytes in base64/],
    ['TOKEN_ENCRYPTION_KEY', { TOKEN_ENCRYPTION_KEY: `a:${key},a:${key}` }, /key ids must be distinct/],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'short' }, /^METRICS_TOKEN must be at least 16 characters/],
    ['DATABASE_STATEMENT_TIMEOUT_MS', { DATABASE_STATEMENT_TIMEOUT_MS: '0' }, /must be a positive whole/],
    ['DATABASE_CONNECT_TIMEOUT_MS', { DATABASE_CONNECT_TIMEOUT_MS: '1.5' }, /must be a positive whole/],
    ['DATABASE_API_POOL_SIZE', { DATABASE_API_POOL_SIZE: 'ten' }, /must be a positive whole/],
  ];
  for (const [name, env, message] of bad) {
    it(`refuses a bad ${name} (${JSON.stringify(env)}) with a message naming it`, () => {
      assert.throws(
        () => loadConfig({ DATA_DIR: tempDir(), ...env }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it('accepts several named keys for rotation; the first one encrypts', () => {
    const other = Buffer.alloc(32, 9).toString('base64');
    const config = loadConfig({
      DATA_DIR: tempDir(),
      NODE_ENV: 'production',
      TOKEN_ENCRYPTION_KEY: `new:${key}, old:${other}`,
    });
    assert.deepEqual(
      config.encryptionKeys.map((k) => k.id),
      ['new', 'old'],
    );
    assert.equal(config.production, true);
  });

  it('hardening: the demo listens on 127.0.0.1 unless HOST says otherwise; production on every address', () => {
    const dataDir = tempDir();
    assert.equal(loadConfig({ DATA_DIR: dataDir }, { demo: true }).host, '127.0.0.1');
    assert.equal(loadConfig({ DATA_DIR: dataDir, HOST: '0.0.0.0' }, { demo: true }).host, '0.0.0.0');
    assert.equal(loadConfig({ DATA_DIR: dataDir }).host, '0.0.0.0');
    assert.equal(loadConfig({ DATA_DIR: dataDir, HOST: '127.0.0.1' }).host, '127.0.0.1');
  });

  it('hardening: MICROSOFT_TENANT defaults to common, so personal Microsoft accounts can connect (R8)', () => {
    const env = { DATA_DIR: tempDir(), MICROSOFT_CLIENT_ID: 'id', MICROSOFT_CLIENT_SECRET: 'secret' };
    assert.equal(loadConfig(env).microsoft?.tenant, 'common');
    assert.equal(
      loadConfig({ ...env, MICROSOFT_TENANT: 'organizations' }).microsoft?.tenant,
      'organizations',
    );
  });

  it('bounds every wait on the database by default, and sizes the API and worker pools apart', () => {
    assert.deepEqual(loadConfig({ DATA_DIR: tempDir() }).database, {
      statementTimeoutMs: 5_000,
      connectTimeoutMs: 3_000,
      idleInTransactionTimeoutMs: 60_000,
      apiPoolSize: 10,
      workerPoolSize: 10,
    });
    const tuned = loadConfig({
      DATA_DIR: tempDir(),
      DATABASE_STATEMENT_TIMEOUT_MS: '2000',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '30000',
      DATABASE_API_POOL_SIZE: '20',
      DATABASE_WORKER_POOL_SIZE: '4',
    });
    assert.deepEqual(tuned.database, {
      statementTimeoutMs: 2_000,
      connectTimeoutMs: 1_000,
      idleInTransactionTimeoutMs: 30_000,
      apiPoolSize: 20,
      workerPoolSize: 4,
    });
  });

  it('stops the CLI with one line and exit code 2, never a stack trace', async () => {
    const result = await runCli(['migrate'], { PORT: 'eighty' });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'talentsync: PORT must be an integer from 0 to 65535, got "eighty"\n');
    assert.equal(result.stdout, '');
  });

  it('search: SEARCH_LANGUAGE defaults to simple and must name a text search configuration', () => {
    assert.equal(loadConfig({ DATA_DIR: tempDir() }).searchLanguage, 'simple');
    assert.equal(loadConfig({ DATA_DIR: tempDir(), SEARCH_LANGUAGE: 'english' }).searchLanguage, 'english');
    for (const bad of ['English', 'simple; drop table messages', 'pg_catalog.english', 'x'.repeat(64)]) {
      assert.throws(() => loadConfig({ DATA_DIR: tempDir(), SEARCH_LANGUAGE: bad }), ConfigError, bad);
    }
  });

  it('search: a SEARCH_LANGUAGE that PostgreSQL does not know stops the CLI with one line and exit code 2', async () => {
    const database = await testDatabase();
    const result = await runCli(['migrate'], {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      SEARCH_LANGUAGE: 'klingon',
    });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr,
      'talentsync: SEARCH_LANGUAGE: PostgreSQL has no text search configuration "klingon" (see pg_ts_config)\n',
    );
    const known = await runCli(['migrate'], {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      SEARCH_LANGUAGE: 'english',
    });
    assert.equal(known.code, 0, known.stderr);
  });
});
