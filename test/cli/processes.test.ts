/**
 * The deployment's shape, as the systemd units and the compose file run it: `talentsync api` and
 * `talentsync worker` as two processes against one PostgreSQL given by DATABASE_URL (not embedded by the
 * app), Google played by the sandbox. A recruiter connects, a candidate writes, the push reaches the API,
 * the worker syncs, and the candidate's history shows the mail.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createOrganization, createUser } from '../../src/services/accounts.ts';
import { upsertMember } from '../../src/services/directory.ts';
import { consent } from '../support/browser.ts';
import { onCleanup } from '../support/cleanup.ts';
import { testDatabase } from '../support/database.ts';
import { eventually, PUSH } from '../support/live.ts';
import { freePort } from '../support/port.ts';
import { sandboxProviders } from '../support/providers.ts';
import { testSandbox } from '../support/sandbox.ts';
import { workerEnv } from '../support/worker-process.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/talentsync.js');

/** Starts `talentsync <role>`; resolves once it says it is running, and stops it when the file's tests end. */
async function start(role: 'api' | 'worker', env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, role], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  onCleanup(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => output.includes('is running') && resolve());
    child.once('exit', (code) => reject(new Error(`${role} exited (${code}) before it ran:\n${output}`)));
  });
  return child;
}

/** The browser side of the consent helpers, over real HTTP to the API process instead of `inject`. */
function overHttp(base: string): FastifyInstance {
  return {
    inject: async (request: {
      method: string;
      url: string;
      headers?: Record<string, string>;
      payload?: string;
    }) => {
      const response = await fetch(`${base}${request.url}`, {
        method: request.method,
        headers: request.headers ?? {},
        ...(request.payload === undefined ? {} : { body: request.payload }),
        redirect: 'manual',
      });
      return {
        statusCode: response.status,
        body: await response.text(),
        headers: {
          'set-cookie': response.headers.getSetCookie(),
          location: response.headers.get('location') ?? undefined,
        },
      };
    },
  } as unknown as FastifyInstance;
}

describe('api and worker as separate processes on one PostgreSQL', () => {
  it('connect → sync → history through `talentsync api` and `talentsync worker`', async () => {
    const database = await testDatabase();
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const sandbox = await testSandbox({
      google: {
        pushEndpoint: `${publicUrl}/webhooks/google`,
        pushAudience: `${publicUrl}/webhooks/google`,
        pushServiceAccount: PUSH.serviceAccountEmail,
      },
    });
    // The OAuth apps registered with the sandbox, as an IT admin registers them with Google and Microsoft.
    await sandboxProviders(sandbox, publicUrl);
    const env = {
      ...workerEnv(database.url, sandbox.url),
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: publicUrl,
      GOOGLE_PUBSUB_TOPIC: PUSH.topicName,
      GOOGLE_PUSH_SERVICE_ACCOUNT: PUSH.serviceAccountEmail,
      GOOGLE_PUSH_ISSUERS: `${sandbox.url}/google`,
      GOOGLE_JWKS_URL: `${sandbox.url}/google/oauth2/v3/certs`,
    };
    await Promise.all([start('api', env), start('worker', env)]);

    const org = await createOrganization(database.db, {
      name: 'Processes',
      primaryDomain: 'processes.example',
    });
    const admin = await createUser(database.db, org.id, {
      email: 'ada@processes.example',
      name: 'Ada',
      role: 'admin',
    });
    const rex = await createUser(database.db, org.id, {
      email: 'rex@processes.example',
      name: 'Rex',
      role: 'member',
    });
    const { member } = await upsertMember(database.db, {
      name: 'Grace Candidate',
      emails: ['grace@candidates.example'],
      discoverability: 'anyone',
    });
    const call = async (token: string, method: string, url: string, body?: unknown) => {
      const response = await fetch(`${publicUrl}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      // biome-ignore lint/suspicious/noExplicitAny: an API answer read field by field, as in the other HTTP tests
      return { status: response.status, json: (await response.json()) as Record<string, any> };
    };

    const chosen = await call(admin.token, 'PATCH', '/api/organization', { provider: 'google' });
    assert.equal(chosen.status, 200, JSON.stringify(chosen.json));
    await sandbox.control.post('/google/users', { email: 'rex@processes.example', name: 'Rex' });
    const started = await call(rex.token, 'POST', '/api/connection');
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const outcome = await consent(overHttp(publicUrl), started.json.url, {
      token: rex.token,
      email: 'rex@processes.example',
      decision: 'allow',
    });
    assert.equal(outcome.status, 200, outcome.html);
    await eventually(
      async () => (await call(rex.token, 'GET', '/api/connection')).json.connection?.sync.pushActive,
      60_000,
    );

    await sandbox.control.post('/google/mailboxes/rex@processes.example/deliver', {
      from: { name: 'Grace', address: 'grace@candidates.example' },
      to: [{ address: 'rex@processes.example' }],
      subject: 'Across processes',
      text: 'My CV',
    });
    const history = await eventually(async () => {
      const page = await call(rex.token, 'GET', `/api/members/${member.id}/history`);
      return page.status === 200 && page.json.entries?.length > 0 && page.json.entries;
    }, 60_000);
    assert.equal(history[0].subject, 'Across processes');
    assert.equal(history[0].kind, 'email');
  });
});
