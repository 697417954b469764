import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { testDatabase } from '../support/database.ts';
import { freePort } from '../support/port.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/talentsync.js');

/** Starts `talentsync start --demo` on an embedded database in `dataDir`; resolves once it is serving. */
async function start(
  dataDir: string,
  port: number,
  extraEnv: Record<string, string> = {},
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'start', '--demo'], {
    env: {
      PATH: process.env.PATH ?? '',
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 60_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null) throw new Error(`start exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`start timed out:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, output: () => output };
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

function postgresPids(dataDir: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(path.join(dataDir, 'postgres', 'cluster')))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

describe('npm start on the embedded database', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-start-'));
  chmodSync(dataDir, 0o755);

  it('serves /healthz, then stops on SIGINT leaving no process behind', async () => {
    const port = await freePort();
    const { child, output } = await start(dataDir, port);
    try {
      const health = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(health.status, 200);
      // The demo runs the worker in the same process, so readiness finds it alive.
      assert.deepEqual(await health.json(), {
        status: 'ok',
        database: 'ok',
        migrations: 'ok',
        worker: 'alive',
      });
      assert.equal(
        (await fetch(`http://127.0.0.1:${port}/metrics`)).status,
        404,
        'no METRICS_TOKEN: no metrics',
      );
      assert.match(output(), /creating the embedded PostgreSQL cluster/);
      assert.match(output(), /admin {5}ada@acme\.example {2}token tsu_/);
      assert.equal(postgresPids(dataDir).length > 0, true);
    } catch (error) {
      // A failed check must not leave the demo running (the file would wait on it until its timeout).
      await stop(child, 'SIGINT');
      throw error;
    }

    assert.equal(await stop(child, 'SIGINT'), 0);
    assert.deepEqual(postgresPids(dataDir), []);
    assert.equal(existsSync(path.join(dataDir, 'postgres', 'server.json')), false);
  });

  it('hardening: the demo listens on 127.0.0.1 only, unless HOST says otherwise', async () => {
    // Another loopback address of this machine stands in for its other interfaces: 127.0.0.1 alone answers.
    const port = await freePort();
    const demo = await start(dataDir, port);
    try {
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      await assert.rejects(fetch(`http://127.0.0.2:${port}/healthz`), 'not on other addresses');
    } finally {
      assert.equal(await stop(demo.child, 'SIGINT'), 0);
    }
    const everywhere = await start(dataDir, port, { HOST: '0.0.0.0' });
    try {
      assert.equal((await fetch(`http://127.0.0.2:${port}/healthz`)).status, 200, 'HOST=0.0.0.0 is obeyed');
    } finally {
      assert.equal(await stop(everywhere.child, 'SIGINT'), 0);
    }
  });

  it('reuses the cluster and its data on the next start', async () => {
    const port = await freePort();
    const { child, output } = await start(dataDir, port);
    assert.doesNotMatch(output(), /creating the embedded PostgreSQL cluster/);
    const token = /admin {5}ada@acme\.example {2}token (\S+)/.exec(output())?.[1];
    const users = await fetch(`http://127.0.0.1:${port}/api/users`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(users.status, 200);
    assert.equal(
      ((await users.json()) as { users: unknown[] }).users.length,
      3,
      'the demo users were kept, not created again',
    );
    assert.equal(await stop(child, 'SIGTERM'), 0);
    assert.deepEqual(postgresPids(dataDir), []);
  });

  it('recovers from a start killed with SIGKILL: the orphaned server is stopped and the next start works', async () => {
    const { child } = await start(dataDir, await freePort());
    const orphan = JSON.parse(readFileSync(path.join(dataDir, 'postgres', 'server.json'), 'utf8'));
    await stop(child, 'SIGKILL');
    assert.equal(postgresPids(dataDir).length > 0, true, 'the server outlives a SIGKILLed parent');
    const port = await freePort();
    const next = await start(dataDir, port);
    assert.match(next.output(), /stopping a PostgreSQL server left running by an earlier start/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    assert.notEqual(
      JSON.parse(readFileSync(path.join(dataDir, 'postgres', 'server.json'), 'utf8')).port,
      orphan.port,
    );
    assert.equal(await stop(next.child, 'SIGINT'), 0);
    assert.deepEqual(postgresPids(dataDir), []);
  });

  it('uses the server in DATABASE_URL instead, creating no embedded cluster', async () => {
    const database = await testDatabase();
    const otherDir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-start-url-'));
    const port = await freePort();
    const { child } = await start(otherDir, port, { DATABASE_URL: database.url });
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    assert.equal(existsSync(path.join(otherDir, 'postgres')), false);
    const orgs = await database.db.selectFrom('organizations').select('primary_domain').execute();
    assert.deepEqual(
      orgs.map((org) => org.primary_domain),
      ['acme.example'],
      'the demo organization went into that database',
    );
    assert.equal(await stop(child, 'SIGINT'), 0);
  });
});
