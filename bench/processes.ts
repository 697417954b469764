/**
 * The product's own processes for a stage: `talentsync api` and `talentsync worker` as child processes
 * (as production runs them, each with its own pool), against a stage's database and the sandbox, and a
 * memory probe that asks a child for its memory after a full garbage collection through the inspector
 * protocol (`--inspect`), without changing the product's code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLIENTS, PUSH, TOKEN_KEY } from './harness.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/talentsync.js');

export interface Child {
  pid: number;
  role: 'api' | 'worker';
  /** Sends SIGTERM (a graceful stop: jobs in flight finish) and waits for the exit. */
  stop(): Promise<void>;
  /** RSS of the whole process (from /proc) and V8's heap of the main thread, after a full GC. */
  memory(): Promise<{ rssBytes: number; heapUsedBytes: number; externalBytes: number }>;
  output(): string;
}

/** The environment of the product's processes against `databaseUrl` and the sandbox at `sandboxUrl`. */
export function productEnv(input: {
  databaseUrl: string;
  sandboxUrl: string;
  port: number;
  extra?: Record<string, string>;
}): Record<string, string> {
  const publicUrl = `http://127.0.0.1:${input.port}`;
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_URL: input.databaseUrl,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'talentsync-bench-child-')),
    TOKEN_ENCRYPTION_KEY: TOKEN_KEY,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(input.port),
    PUBLIC_URL: publicUrl,
    GOOGLE_CLIENT_ID: CLIENTS.google.clientId,
    GOOGLE_CLIENT_SECRET: CLIENTS.google.clientSecret,
    GOOGLE_ISSUER: `${input.sandboxUrl}/google`,
    GOOGLE_API_ROOT: `${input.sandboxUrl}/google`,
    GOOGLE_PUBSUB_TOPIC: PUSH.topicName,
    GOOGLE_PUSH_SERVICE_ACCOUNT: PUSH.serviceAccountEmail,
    GOOGLE_PUSH_AUDIENCE: `${publicUrl}/webhooks/google`,
    GOOGLE_PUSH_ISSUERS: `${input.sandboxUrl}/google`,
    GOOGLE_JWKS_URL: `${input.sandboxUrl}/google/oauth2/v3/certs`,
    MICROSOFT_CLIENT_ID: CLIENTS.microsoft.clientId,
    MICROSOFT_CLIENT_SECRET: CLIENTS.microsoft.clientSecret,
    MICROSOFT_LOGIN_URL: `${input.sandboxUrl}/microsoft/login`,
    MICROSOFT_GRAPH_URL: `${input.sandboxUrl}/microsoft/graph`,
    MICROSOFT_TENANT: 'common',
    ...input.extra,
  };
}

/** Starts `talentsync <role>` and resolves once it says it is running; `inspect` enables the memory probe. */
export async function startChild(
  role: 'api' | 'worker',
  env: Record<string, string>,
  options: { inspect?: boolean; nodeArgs?: string[] } = {},
): Promise<Child> {
  const args = [
    ...(options.inspect ? ['--inspect=127.0.0.1:0'] : []),
    ...(options.nodeArgs ?? []),
    BIN,
    role,
  ];
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let inspector: string | undefined;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    inspector ??= /ws:\/\/[^\s]+/.exec(text)?.[0];
    lines.push(...text.split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (chunk.toString('utf8').includes('is running')) resolve();
    });
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) =>
      reject(
        new Error(`talentsync ${role} exited before it was ready (${signal ?? code}):\n${lines.join('\n')}`),
      ),
    );
  });
  const pid = child.pid ?? -1;
  return {
    pid,
    role,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    memory: async () => {
      if (!inspector) throw new Error(`talentsync ${role} was not started with the inspector`);
      const reply = await inspect(inspector, [
        { method: 'HeapProfiler.collectGarbage' },
        {
          method: 'Runtime.evaluate',
          params: { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true },
        },
      ]);
      const usage = JSON.parse(String(reply.at(-1)?.result?.value)) as NodeJS.MemoryUsage;
      return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external };
    },
    output: () => lines.join('\n'),
  };
}

/** Sends inspector commands in order over one WebSocket session; answers their results. */
async function inspect(
  url: string,
  commands: { method: string; params?: unknown }[],
): Promise<{ result?: { value?: unknown } }[]> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  const results: { result?: { value?: unknown } }[] = [];
  try {
    for (const [id, command] of commands.entries()) {
      const answer = new Promise<{ result?: { result?: { value?: unknown } }; error?: unknown }>(
        (resolve) => {
          const listen = (event: MessageEvent) => {
            const message = JSON.parse(String(event.data));
            if (message.id !== id) return;
            socket.removeEventListener('message', listen);
            resolve(message);
          };
          socket.addEventListener('message', listen);
        },
      );
      socket.send(JSON.stringify({ id, ...command }));
      const message = await answer;
      if (message.error) throw new Error(`inspector ${command.method}: ${JSON.stringify(message.error)}`);
      results.push(message.result?.result ? { result: message.result.result } : {});
    }
  } finally {
    socket.close();
  }
  return results;
}
