/**
 * Secrets come from the environment or from files (`*_FILE`, for container and systemd credentials),
 * and none of them reaches a log line, even at `trace`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, SECRET_VARIABLES } from '../../src/config.ts';
import { testDatabase } from '../support/database.ts';
import { freePort } from '../support/port.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-secrets-'));
const KEY = `prod:${Buffer.alloc(32, 7).toString('base64')}`;
const GOOGLE_SECRET = 'GOCSPX-google-secret-from-a-file';
const MICROSOFT_SECRET = 'microsoft~secret~from~the~environment';
const METRICS = 'metrics-token-0123456789abcdef';

function secretFile(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${content}\n`, { mode: 0o600 });
  return file;
}

describe('secrets from files', () => {
  it('reads <NAME>_FILE for every secret setting, dropping the trailing newline', () => {
    const config = loadConfig({
      DATA_DIR: dir,
      TOKEN_ENCRYPTION_KEY_FILE: secretFile('key', KEY),
      GOOGLE_CLIENT_ID: 'google-client',
      GOOGLE_CLIENT_SECRET_FILE: secretFile('google', GOOGLE_SECRET),
      METRICS_TOKEN_FILE: secretFile('metrics', METRICS),
      DATABASE_URL_FILE: secretFile('database', 'postgres://u:p@db.internal:5432/talentsync'),
    });
    assert.equal(config.encryptionKeys[0]?.id, 'prod');
    assert.equal(config.google?.clientSecret, GOOGLE_SECRET);
    assert.equal(config.metricsToken, METRICS);
    assert.equal(config.databaseUrl, 'postgres://u:p@db.internal:5432/talentsync');
    assert.ok(SECRET_VARIABLES.includes('MICROSOFT_CLIENT_SECRET'));
  });

  it('refuses a file it cannot read and a secret set both ways, naming the variable and not the value', () => {
    assert.throws(
      () => loadConfig({ DATA_DIR: dir, GOOGLE_CLIENT_SECRET_FILE: path.join(dir, 'absent') }),
      (error: Error) =>
        error instanceof ConfigError &&
        error.message === `GOOGLE_CLIENT_SECRET_FILE: cannot read ${path.join(dir, 'absent')}: no such file`,
    );
    assert.throws(
      () =>
        loadConfig({
          DATA_DIR: dir,
          METRICS_TOKEN: METRICS,
          METRICS_TOKEN_FILE: secretFile('metrics2', METRICS),
        }),
      (error: Error) =>
        error.message === 'METRICS_TOKEN and METRICS_TOKEN_FILE are both set: keep one' &&
        !error.message.includes(METRICS),
    );
  });
});

describe('nothing secret in logs', () => {
  it('talentsync api at LOG_LEVEL=trace logs neither its secrets nor the tokens callers send', async () => {
    const database = await testDatabase();
    const port = await freePort();
    const password = new URL(database.url).password;
    const child = spawn(
      process.execPath,
      [path.resolve(import.meta.dirname, '../../bin/talentsync.js'), 'api'],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          NODE_ENV: 'production',
          LOG_LEVEL: 'trace',
          PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: dir,
          DATABASE_URL: database.url,
          TOKEN_ENCRYPTION_KEY_FILE: secretFile('api-key', KEY),
          GOOGLE_CLIENT_ID: 'google-client',
          GOOGLE_CLIENT_SECRET_FILE: secretFile('api-google', GOOGLE_SECRET),
          MICROSOFT_CLIENT_ID: 'microsoft-client',
          MICROSOFT_CLIENT_SECRET: MICROSOFT_SECRET,
          METRICS_TOKEN: METRICS,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('is running')) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `the API did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const base = `http://127.0.0.1:${port}`;
      const sent = 'tsu_0123456789abcdef_a-token-a-caller-sent-that-must-not-be-logged';
      await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${sent}` } });
      await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } });
      await fetch(`${base}/api/me?access_token=${sent}`);
      await fetch(`${base}/healthz`, { headers: { cookie: `session=${sent}` } });
      child.kill('SIGTERM');
      await exited;
      assert.match(output, /request completed|incoming request/, 'requests were logged at trace');
      // The test database's password, when it has one worth the name, is a secret like the others.
      const dbSecrets = password.length >= 8 ? [password] : [];
      for (const secret of [
        KEY.split(':')[1] ?? KEY,
        GOOGLE_SECRET,
        MICROSOFT_SECRET,
        METRICS,
        sent,
        ...dbSecrets,
      ]) {
        assert.ok(!output.includes(secret), `a log line holds a secret (${secret.slice(0, 6)}…)`);
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
