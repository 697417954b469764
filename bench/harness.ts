/**
 * What the sync benchmarks share: a fresh embedded PostgreSQL in a temporary folder (or the given database,
 * or DATABASE_URL), the provider sandbox, and the app against both (optionally listening, with the worker,
 * Gmail push and Graph change notifications pointed at it), plus a recruiter whose mailbox is connected
 * through the real consent flow.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { type Config, loadConfig } from '../src/config.ts';
import { connect } from '../src/db/database.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { buildApp } from '../src/http/app.ts';
import { startWorker } from '../src/jobs/worker.ts';
import { createLogger } from '../src/log.ts';
import type { Provider } from '../src/providers/types.ts';
import { type SandboxOptions, startSandbox } from '../src/sandbox/server.ts';
import { createOrganization, createUser } from '../src/services/accounts.ts';
import { createContext } from '../src/services/context.ts';
import { upsertMember } from '../src/services/directory.ts';
import { runSync } from '../src/services/sync.ts';
import { consent } from '../test/support/browser.ts';
import { freePort } from '../test/support/port.ts';
import { controlClient } from '../test/support/sandbox.ts';

/** The OAuth clients the sandbox knows the app by (child processes of a stage need them too). */
export const CLIENTS = {
  google: { clientId: 'bench.apps.googleusercontent.com', clientSecret: 'google-secret' },
  microsoft: { clientId: '3f0e6c1a-7a55-4b8e-9f51-8d1b2a6c0b0b', clientSecret: 'microsoft-secret' },
};
/** Gmail push: the Pub/Sub topic watched and the service account the push tokens name. */
export const PUSH = {
  topicName: 'projects/talentsync-bench/topics/gmail',
  serviceAccountEmail: 'gmail-push@talentsync-bench.iam.gserviceaccount.com',
};

/** The key the app seals tokens with (a worker in a child process must be given the same). */
export const TOKEN_KEY = `bench:${Buffer.alloc(32, 7).toString('base64')}`;

export type Bench = Awaited<ReturnType<typeof startBench>>;

export interface BenchOptions {
  /** The app listens, the worker runs, and the sandbox's pushes (Gmail and Graph) go to the app. */
  live: boolean;
  sandbox?: SandboxOptions;
  /** A migrated database to use (a stage's `context.database()`); unset: DATABASE_URL or an embedded server. */
  databaseUrl?: string;
  /** Changes to the app's configuration (rate limits, sync settings). */
  config?: (config: Config) => Config;
  /** The app's pool size (10 unless set). */
  poolSize?: number;
  /** Live only: the worker on a pool of its own of this size, as `talentsync serve` runs it; unset: the app's. */
  workerPoolSize?: number;
}

/** Starts everything; `live` makes the app listen, runs the worker and points Gmail and Graph push at it. */
export async function startBench(options: BenchOptions) {
  const logger = createLogger('warn');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'talentsync-bench-sync-'));
  let embedded: EmbeddedServer | undefined;
  let url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(path.join(dir, 'postgres'), logger);
    url = embedded.url;
  }
  const database = connect(url, logger, { max: options.poolSize ?? 10 });
  if (!options.databaseUrl) await migrate(database.db, database.pool, logger);

  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const webhook = `${publicUrl}/webhooks/google`;
  const sandbox = await startSandbox({
    port: 0,
    ...options.sandbox,
    // The app listens on plain http here; Graph would demand https for its notification URL.
    microsoft: {
      ...options.sandbox?.microsoft,
      ...(options.live ? { allowHttpNotificationUrls: true } : {}),
    },
    google: {
      ...options.sandbox?.google,
      ...(options.live
        ? { pushEndpoint: webhook, pushAudience: webhook, pushServiceAccount: PUSH.serviceAccountEmail }
        : {}),
    },
  });
  // Over HTTPS (`sandbox.https`), this process trusts the sandbox's certificate, as it would Google's.
  if (sandbox.certificate)
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), sandbox.certificate]);
  const control = controlClient(sandbox.url);
  for (const provider of ['google', 'microsoft'] as const)
    await control.post(`/${provider}/clients`, {
      ...CLIENTS[provider],
      redirectUris: [`${publicUrl}/oauth/callback`],
    });
  const base: Config = {
    ...loadConfig({
      DATA_DIR: path.join(dir, 'data'),
      TOKEN_ENCRYPTION_KEY: TOKEN_KEY,
    }),
    publicUrl,
    google: {
      ...CLIENTS.google,
      issuer: `${sandbox.url}/google`,
      apiRoot: `${sandbox.url}/google`,
      push: options.live
        ? {
            ...PUSH,
            audience: webhook,
            issuers: [`${sandbox.url}/google`],
            jwksUrl: `${sandbox.url}/google/oauth2/v3/certs`,
          }
        : undefined,
    },
    microsoft: {
      ...CLIENTS.microsoft,
      loginUrl: `${sandbox.url}/microsoft/login`,
      graphUrl: `${sandbox.url}/microsoft/graph`,
      tenant: 'common',
    },
  };
  const config = options.config ? options.config(base) : base;
  const context = createContext(config, database.db, logger);
  // Live, `GET /api/events` works (its LISTEN connection comes from the app's pool, as in `talentsync serve`).
  const app = await buildApp({
    context,
    rateLimits: config.rateLimits,
    ...(options.live ? { listenPool: database.pool } : {}),
  });
  const closers: (() => Promise<unknown>)[] = [];
  if (options.live) {
    await app.listen({ port, host: '127.0.0.1' });
    const workerDatabase =
      options.workerPoolSize === undefined ? database : connect(url, logger, { max: options.workerPoolSize });
    const runner = await startWorker(
      workerDatabase.pool,
      { ...context, db: workerDatabase.db },
      config.sync,
      4,
    );
    closers.push(() => runner.stop());
    if (workerDatabase !== database) closers.push(() => workerDatabase.close());
  }
  closers.push(
    async () => {
      // A keep-alive connection that goes idle after the close began (a live update stream's, say) would
      // hold the close for Fastify's 72 s keepAliveTimeout: past a second, the bench cuts what is left.
      const cut = setTimeout(() => app.server.closeAllConnections(), 1000);
      await app.close();
      clearTimeout(cut);
    },
    () => context.reader.close(),
    () => sandbox.close(),
    () => database.close(),
    async () => embedded?.stop(),
    async () => rmSync(dir, { recursive: true, force: true }),
  );

  const call = async (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    if (response.statusCode >= 400)
      throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };

  /** An organization on `provider` whose recruiter has connected a sandbox mailbox. */
  const connectedMailbox = async (provider: Provider, domain: string) => {
    const org = await createOrganization(database.db, { name: domain, primaryDomain: domain });
    const admin = await createUser(database.db, org.id, {
      email: `admin@${domain}`,
      name: 'A',
      role: 'admin',
    });
    const email = `rex@${domain}`;
    const recruiter = await createUser(database.db, org.id, { email, name: 'Rex', role: 'member' });
    await call(admin.token, 'PATCH', '/api/organization', { provider });
    await control.post(`/${provider}/users`, { email, name: 'Rex Recruiter' });
    const started = await call(recruiter.token, 'POST', '/api/connection');
    const outcome = await consent(app, started.url, { token: recruiter.token, email, decision: 'allow' });
    if (outcome.status !== 200) throw new Error(`consent failed: ${outcome.html}`);
    const { connection } = await call(recruiter.token, 'GET', '/api/connection');
    const connectionId = connection.id as string;
    return {
      orgId: org.id,
      email,
      token: recruiter.token,
      connectionId,
      deliver: (message: Record<string, unknown>) =>
        control.post<{ id: string }>(`/${provider}/mailboxes/${email}/deliver`, message),
      /** Runs sync (no worker) until it is caught up; answers how many runs it took. */
      sync: async () => {
        for (let runs = 1; runs <= 100; runs += 1) {
          await runSync(context, org.id, connectionId);
          const state = await database.db
            .selectFrom('mailbox_sync')
            .select(['last_sync_started_at', 'last_sync_succeeded_at', 'last_error'])
            .where('connection_id', '=', connectionId)
            .executeTakeFirstOrThrow();
          if (state.last_error) throw new Error(`sync failed: ${state.last_error}`);
          if (state.last_sync_succeeded_at?.getTime() === state.last_sync_started_at?.getTime()) return runs;
        }
        throw new Error('sync did not catch up in 100 runs');
      },
    };
  };

  return {
    database,
    context,
    app,
    sandbox,
    control,
    publicUrl,
    call,
    connectedMailbox,
    member: (email: string) =>
      upsertMember(database.db, { name: 'Candidate', emails: [email], discoverability: 'anyone' }),
    close: async () => {
      for (const close of closers) await close();
    },
  };
}

/** The p-th percentile (0..100) of sorted values, nearest rank. */
export function percentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
