import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { testDatabase } from '../support/database.ts';
import { eventually } from '../support/live.ts';
import { freePort } from '../support/port.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/talentsync.js');

interface Demo {
  child: ChildProcess;
  app: string;
  sandbox: string;
  rexToken: string;
  output: () => string;
}

/** `talentsync start --demo` on `dataDir` and the test database; resolves once it serves, with what it printed. */
async function start(dataDir: string, port: number, databaseUrl: string): Promise<Demo> {
  const child = spawn(process.execPath, [BIN, 'start', '--demo'], {
    env: {
      PATH: process.env.PATH ?? '',
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      // A loaded test machine is slow, not broken.
      DATABASE_CONNECT_TIMEOUT_MS: '30000',
      DATABASE_STATEMENT_TIMEOUT_MS: '30000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 90_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null) throw new Error(`start exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`start timed out:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const rexToken = /recruiter rex@acme\.example {2}token (\S+)/.exec(output)?.[1] ?? '';
  const sandbox = /provider sandbox: (http:\/\/\S+) /.exec(output)?.[1] ?? '';
  return { child, app: `http://127.0.0.1:${port}`, sandbox, rexToken, output: () => output };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

/** Rex connects his mailbox as a browser would: the demo's connect link, the sandbox's consent, the callback. */
async function connectRex(demo: Demo): Promise<void> {
  const started = await fetch(`${demo.app}/demo/connect?email=rex@acme.example`, { redirect: 'manual' });
  assert.equal(started.status, 302);
  const cookie = (started.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const consentPage = await (await fetch(started.headers.get('location') ?? '')).text();
  const pending = /name="pending" value="([^"]+)"/.exec(consentPage)?.[1] ?? '';
  const decided = await fetch(`${demo.sandbox}/google/o/oauth2/v2/auth/consent`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ pending, email: 'rex@acme.example', decision: 'allow' }),
  });
  const back = await fetch(decided.headers.get('location') ?? '', {
    headers: { cookie },
    redirect: 'manual',
  });
  assert.equal(back.status, 200, await back.text());
}

const api = async (demo: Demo, url: string) =>
  (
    await fetch(`${demo.app}${url}`, { headers: { authorization: `Bearer ${demo.rexToken}` } })
  ).json() as Promise<Record<string, unknown> & { threads?: unknown[]; connection?: { status: string } }>;

const deliver = (demo: Demo, subject: string) =>
  fetch(`${demo.sandbox}/_sandbox/google/mailboxes/rex@acme.example/deliver`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      from: { name: 'Grace', address: 'grace.candidate@gmail.com' },
      to: [{ address: 'rex@acme.example' }],
      subject,
      text: 'My CV',
    }),
  });

/** Waits for `count` threads; a failure says where sync stands and what the demo printed. */
async function synced(demo: Demo, count: number): Promise<void> {
  try {
    await eventually(async () => (await api(demo, '/api/threads')).threads?.length === count, 60_000);
  } catch (error) {
    const connection = JSON.stringify(await api(demo, '/api/connection'));
    throw new Error(`${(error as Error).message}: ${connection}\n${demo.output()}`);
  }
}

describe('the demo survives a restart', () => {
  it('keeps the connection, the mail and the sandbox, and a new delivery after the restart still syncs', {
    timeout: 300_000,
  }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-demo-restart-'));
    const database = await testDatabase();
    const port = await freePort();
    const first = await start(dataDir, port, database.url);
    try {
      await connectRex(first);
      assert.equal((await api(first, '/api/connection')).connection?.status, 'connected');
      assert.equal((await deliver(first, 'Before the restart')).status, 201);
      await synced(first, 1);
    } finally {
      assert.equal(await stop(first.child), 0);
    }
    assert.ok(existsSync(path.join(dataDir, 'sandbox-state.json')));

    const second = await start(dataDir, port, database.url);
    try {
      assert.equal(second.sandbox, first.sandbox, 'the sandbox comes back at its address');
      const mailbox = (await (
        await fetch(`${second.sandbox}/_sandbox/google/mailboxes/rex@acme.example/messages`)
      ).json()) as { messages: { subject: string }[] };
      assert.deepEqual(
        mailbox.messages.map((message) => message.subject),
        ['Before the restart'],
      );
      assert.equal((await api(second, '/api/connection')).connection?.status, 'connected');
      assert.equal((await api(second, '/api/threads')).threads?.length, 1, 'the synced mail stays');
      assert.equal((await deliver(second, 'After the restart')).status, 201);
      await synced(second, 2);
      assert.equal((await api(second, '/api/connection')).connection?.status, 'connected');
    } finally {
      assert.equal(await stop(second.child), 0);
    }
  });
});
