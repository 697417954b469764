/**
 * The real `talentsync worker` in a child process, against a test database and the sandbox (reached over
 * loopback), so that a test can kill it with SIGKILL at any moment and start it again, as a crash would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_KEY } from './app.ts';
import { GOOGLE_CLIENT, MICROSOFT_CLIENT } from './providers.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/talentsync.js');

export interface WorkerProcess {
  pid: number;
  /** Resolves once the worker says it is running. */
  ready: Promise<void>;
  /** Sends `signal` and resolves when the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** The last lines the process wrote (for a failure's message). */
  output(): string;
  /** Whether the process is still running. */
  alive(): boolean;
}

/** The environment of a worker that syncs from the sandbox at `sandboxUrl` into the database at `databaseUrl`. */
export function workerEnv(databaseUrl: string, sandboxUrl: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_URL: databaseUrl,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'talentsync-worker-')),
    TOKEN_ENCRYPTION_KEY: TEST_KEY,
    LOG_LEVEL: 'warn',
    GOOGLE_CLIENT_ID: GOOGLE_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: GOOGLE_CLIENT.clientSecret,
    GOOGLE_ISSUER: `${sandboxUrl}/google`,
    GOOGLE_API_ROOT: `${sandboxUrl}/google`,
    MICROSOFT_CLIENT_ID: MICROSOFT_CLIENT.clientId,
    MICROSOFT_CLIENT_SECRET: MICROSOFT_CLIENT.clientSecret,
    MICROSOFT_LOGIN_URL: `${sandboxUrl}/microsoft/login`,
    MICROSOFT_GRAPH_URL: `${sandboxUrl}/microsoft/graph`,
    MICROSOFT_TENANT: 'common',
  };
}

/** Starts `talentsync worker` with `env`. */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'worker'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (chunk.toString('utf8').includes('is running')) resolve();
    });
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) =>
      reject(new Error(`worker exited before it was ready (${signal ?? code}):\n${lines.join('\n')}`)),
    );
  });
  ready.catch(() => undefined);
  return {
    pid: child.pid ?? -1,
    ready,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    output: () => lines.join('\n'),
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}
