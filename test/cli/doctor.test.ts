/**
 * `talentsync doctor` run as an operator would, against the whole product running on loopback (API,
 * worker, sandbox): healthy (exit 0), broken settings (each problem named, exit 1), no database (exit 2).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runSync } from '../../src/services/sync.ts';
import { TEST_KEY } from '../support/app.ts';
import { runCli } from '../support/cli.ts';
import { testDatabase } from '../support/database.ts';
import { eventually, liveTest, PUSH } from '../support/live.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await liveTest();
const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
const healthy = {
  NODE_ENV: 'production',
  DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'talentsync-doctor-')),
  DATABASE_URL: t.database.url,
  TOKEN_ENCRYPTION_KEY: TEST_KEY,
  PUBLIC_URL: 'https://talentsync.example',
  GOOGLE_CLIENT_ID: 'google-client',
  GOOGLE_CLIENT_SECRET: 'google-secret-not-for-logs',
  GOOGLE_ISSUER: `${t.sandbox.url}/google`,
  GOOGLE_API_ROOT: `${t.sandbox.url}/google`,
  GOOGLE_PUBSUB_TOPIC: PUSH.topicName,
  GOOGLE_PUSH_SERVICE_ACCOUNT: PUSH.serviceAccountEmail,
  MICROSOFT_CLIENT_ID: 'microsoft-client',
  MICROSOFT_CLIENT_SECRET: 'microsoft-secret-not-for-logs',
  MICROSOFT_LOGIN_URL: `${t.sandbox.url}/microsoft/login`,
  MICROSOFT_GRAPH_URL: `${t.sandbox.url}/microsoft/graph`,
  MICROSOFT_CLIENT_SECRET_EXPIRES_AT: inAYear,
};

interface Check {
  name: string;
  status: string;
  message: string;
  action?: string;
}

async function doctor(env: Record<string, string>, args: string[] = []) {
  const result = await runCli(['doctor', '--json', ...args], env);
  const report = JSON.parse(result.stdout) as { exitCode: number; checks: Check[] };
  assert.equal(report.exitCode, result.code, 'the JSON states the exit code');
  return { ...result, checks: report.checks };
}

/** A port nothing listens on (fetch refuses some low ports outright, so not port 1). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const named = (checks: Check[], name: string) => checks.find((check) => check.name === name);

describe('talentsync doctor', () => {
  it('passes a healthy deployment (exit 0): database migrated, providers reachable, worker alive', async () => {
    const result = await doctor(healthy);
    assert.equal(result.code, 0, JSON.stringify(result.checks, null, 2));
    const names = result.checks.map((check) => check.name);
    for (const name of [
      'encryption key',
      'public URL',
      'google client',
      'microsoft client',
      'gmail push',
      'microsoft client secret',
      'google discovery',
      'microsoft discovery',
      'database',
      'migrations',
      'clock',
      'worker',
      'push channels',
      'connections',
    ]) {
      assert.equal(
        named(result.checks, name)?.status,
        'ok',
        `${name}: ${JSON.stringify(named(result.checks, name))}`,
      );
    }
    assert.equal(new Set(names).size, names.length, 'one line per check');
    const text = await runCli(['doctor'], healthy);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^\[ok {2}\] database: reachable$/m);
    assert.match(text.stdout, /all good\n$/);
    assert.ok(!text.stdout.includes('secret-not-for-logs'), 'no secret is printed');
  });

  it('passes the same deployment with its secrets in files (*_FILE), as containers and systemd hand them in', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-doctor-secrets-'));
    const { DATABASE_URL, TOKEN_ENCRYPTION_KEY, GOOGLE_CLIENT_SECRET, ...rest } = healthy;
    const file = (name: string, value: string) => {
      writeFileSync(path.join(dir, name), `${value}\n`);
      return path.join(dir, name);
    };
    const result = await doctor({
      ...rest,
      DATABASE_URL_FILE: file('database-url', DATABASE_URL),
      TOKEN_ENCRYPTION_KEY_FILE: file('token-encryption-key', TOKEN_ENCRYPTION_KEY),
      GOOGLE_CLIENT_SECRET_FILE: file('google-client-secret', GOOGLE_CLIENT_SECRET),
    });
    assert.equal(result.code, 0, JSON.stringify(result.checks, null, 2));
    assert.equal(named(result.checks, 'google discovery')?.status, 'ok', 'the settings loaded');
  });

  it('names every broken setting with what to do (exit 1)', async () => {
    const result = await doctor({
      ...healthy,
      TOKEN_ENCRYPTION_KEY: 'too-short',
      PUBLIC_URL: 'http://talentsync.example',
      GOOGLE_CLIENT_SECRET: '',
      GOOGLE_PUBSUB_TOPIC: 'gmail-topic',
      MICROSOFT_CLIENT_SECRET_EXPIRES_AT: '2020-01-31',
    });
    assert.equal(result.code, 1);
    const problems = Object.fromEntries(
      result.checks.filter((check) => check.status === 'problem').map((check) => [check.name, check]),
    );
    assert.deepEqual(Object.keys(problems).sort(), [
      'configuration',
      'encryption key',
      'gmail push',
      'google client',
      'microsoft client secret',
      'public URL',
    ]);
    assert.match(problems['encryption key']?.message ?? '', /must be 32 bytes in base64/);
    assert.match(problems['public URL']?.message ?? '', /HTTPS only/);
    assert.equal(problems['google client']?.message, 'GOOGLE_CLIENT_SECRET missing');
    assert.match(problems['gmail push']?.message ?? '', /not projects\/<project>\/topics\/<topic>/);
    assert.match(problems['microsoft client secret']?.message ?? '', /expired on 2020-01-31/);
    for (const check of Object.values(problems)) assert.ok(check.action, `${check.name} says what to do`);
    assert.equal(named(result.checks, 'database')?.status, 'ok', 'the database is checked all the same');
  });

  it('says when no worker runs and when a discovery document cannot be fetched (exit 1)', async () => {
    const idle = await testDatabase();
    const closed = await closedPort();
    const result = await doctor({
      ...healthy,
      DATABASE_URL: idle.url,
      MICROSOFT_LOGIN_URL: `http://127.0.0.1:${closed}`,
    });
    assert.equal(result.code, 1);
    assert.deepEqual(named(result.checks, 'worker'), {
      name: 'worker',
      status: 'problem',
      message: 'no worker process is running',
      action: 'start `talentsync worker` (deploy/)',
    });
    assert.match(named(result.checks, 'microsoft discovery')?.message ?? '', /connection refused/);
  });

  it('exits 2 when it cannot reach the database', async () => {
    const result = await doctor({ ...healthy, DATABASE_URL: 'postgres://doctor@127.0.0.1:1/none' });
    assert.equal(result.code, 2);
    assert.equal(named(result.checks, 'database')?.status, 'unchecked');
    assert.match(named(result.checks, 'database')?.message ?? '', /cannot reach it: connection refused/);
  });

  it('after a lost grant: the connection reports no push beside reauthorization_required, and doctor warns of it', async () => {
    const box = await connectedMailbox(t, 'google', 'doctor-revoked.example');
    const connection = async () =>
      (await t.call(box.recruiter.token, 'GET', '/api/connection')).json().connection;
    await eventually(async () => (await connection()).sync.pushActive);
    await t.sandbox.control.post(`/google/users/${box.recruiter.email}/revoke`);
    await runSync(t.context, box.orgId, box.connectionId);
    const after = await connection();
    assert.equal(after.status, 'reauthorization_required');
    assert.equal(after.sync.pushActive, false, 'push cannot be active without a grant');

    const result = await doctor(healthy);
    assert.equal(result.code, 0, 'a user to reconnect is a warning, not a broken deployment');
    assert.deepEqual(named(result.checks, 'connections'), {
      name: 'connections',
      status: 'warning',
      message: '1 in reauthorization_required (doctor-revoked.example: 1)',
      action: 'those users connect their mailbox again (admins see who under Settings)',
    });
  });

  it('--probe calls the webhooks at PUBLIC_URL as Graph would; --print-config prints what the IT admin enters', async () => {
    const probed = await doctor({ ...healthy, PUBLIC_URL: t.publicUrl }, ['--probe']);
    for (const name of [
      'probe /healthz',
      'probe /webhooks/microsoft',
      'probe /webhooks/microsoft/lifecycle',
    ]) {
      assert.equal(named(probed.checks, name)?.status, 'ok', JSON.stringify(named(probed.checks, name)));
    }
    const printed = await runCli(['doctor', '--print-config', '--json'], healthy);
    assert.equal(printed.code, 0);
    const values = JSON.parse(printed.stdout);
    assert.equal(values.oauthRedirectUri, 'https://talentsync.example/oauth/callback');
    assert.equal(values.google.topicPublisher, 'gmail-api-push@system.gserviceaccount.com');
    assert.equal(values.google.pushEndpoint, 'https://talentsync.example/webhooks/google');
    assert.ok(values.google.scopes.includes('https://www.googleapis.com/auth/gmail.readonly'));
    assert.equal(values.microsoft.notificationUrl, 'https://talentsync.example/webhooks/microsoft');
    assert.equal(
      values.microsoft.lifecycleNotificationUrl,
      'https://talentsync.example/webhooks/microsoft/lifecycle',
    );
    assert.ok(values.microsoft.delegatedPermissions.includes('Mail.Read'));
  });
});
