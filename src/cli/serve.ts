/** The long-running commands: `start` (API + worker), `api`, `worker`; `start --demo` adds the sandbox. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Config, loadConfig } from '../config.ts';
import { buildApp } from '../http/app.ts';
import { startWorker } from '../jobs/worker.ts';
import { createLogger } from '../log.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { type SandboxOptions, startSandbox } from '../sandbox/server.ts';
import { createContext } from '../services/context.ts';
import {
  DEMO_CANDIDATES,
  DEMO_CLIENTS,
  DEMO_DOMAIN,
  DEMO_MEMBER_SIGN_INS,
  DEMO_PUSH,
  DEMO_SSO,
  prepareSandbox,
  seedDemo,
} from './demo.ts';
import { listening } from './output.ts';
import { ensureWebBuilt, WEB_DIST } from './web-build.ts';

export interface ServeOptions {
  api: boolean;
  worker: boolean;
  demo?: boolean;
}

export async function serve(options: ServeOptions): Promise<void> {
  const loaded = loadConfig(process.env, { demo: options.demo ?? false });
  const logger = createLogger(loaded.logLevel, undefined, {
    pretty: process.stdout.isTTY && !loaded.production,
  });
  // The API and the worker get pools of their own, so a storm of jobs never starves requests of connections.
  const { database } = loaded;
  const runtime = await openRuntime(loaded, logger, {
    migrate: true,
    name: options.api ? 'talentsync-api' : 'talentsync-worker',
    poolSize: options.api ? database.apiPoolSize : database.workerPoolSize,
  });
  stopOnSignals(runtime);
  const apiConnection = runtime.connection;
  const workerConnection =
    options.api && options.worker
      ? runtime.connect('talentsync-worker', database.workerPoolSize)
      : runtime.connection;

  let config = loaded;
  let sandboxUrl = '';
  if (options.demo) {
    // The demo talks to the provider sandbox instead of Google and Microsoft, whatever the environment says.
    const webhook = `${loaded.publicUrl}/webhooks/google`;
    const sandbox = await startDemoSandbox(loaded.dataDir, loaded.sandboxPort, {
      logger: logger.child({ component: 'sandbox' }, { level: 'warn' }),
      // The demo's webhooks are on plain http locally; Graph would demand https.
      microsoft: { allowHttpNotificationUrls: true },
      google: {
        pushEndpoint: webhook,
        pushAudience: webhook,
        pushServiceAccount: DEMO_PUSH.serviceAccountEmail,
      },
    });
    if (sandbox.restored.restored) logger.info('the provider sandbox picked up where it left off');
    runtime.onClose(() => sandbox.close());
    config = withSandbox(loaded, sandbox.url);
    sandboxUrl = sandbox.url;
    await prepareSandbox(sandbox.url, config.publicUrl);
  }
  const context = createContext(config, apiConnection.db, logger);
  // Registered before the worker and the API, so it closes after them: no read is cut off mid-page.
  runtime.onClose(() => context.reader.close());

  if (options.worker) {
    // The worker's own pool (a job storm cannot starve requests), the same reader threads.
    const workerContext = { ...context, db: workerConnection.db };
    const runner = await startWorker(workerConnection.pool, workerContext, config.sync);
    runtime.onClose(() => runner.stop());
  }
  if (options.api) {
    // The demo builds the web app when it is missing or stale; production serves the build it ships.
    if (options.demo && (await ensureWebBuilt())) logger.info('built the web app');
    const app = await buildApp({
      context,
      metricsToken: config.metricsToken,
      demo: options.demo
        ? { domain: DEMO_DOMAIN, members: DEMO_MEMBER_SIGN_INS, sandboxUrl, candidates: DEMO_CANDIDATES }
        : undefined,
      rateLimits: config.rateLimits,
      trustProxy: config.trustProxy,
      webDist: WEB_DIST,
      sso: config.sso,
      sessionLifetimes: config.sessions,
      listenPool: apiConnection.pool,
    });
    runtime.onClose(() => app.close());
    await listening('PORT', config.port, app.listen({ port: config.port, host: config.host }));
  }
  const lines = [`talentsync ${describe(options)} is running.`];
  if (options.api) {
    lines.push(
      `  Open the app: ${config.publicUrl}/${options.demo ? '  (sign in as any demo person)' : ''}`,
      `  API:          ${config.publicUrl}/api`,
      `  API docs:     ${config.publicUrl}/api/docs`,
    );
  }
  if (options.demo) lines.push(...(await seedDemo(context, sandboxUrl)));
  lines.push('Press Ctrl-C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * The demo's sandbox keeps its state in `DATA_DIR` (connections, mail, calendars and sign-ins survive a
 * restart) and its port too: the app keeps URLs of it (Graph's delta links are whole URLs). A port taken
 * since is given up for a free one, with a word in the log. `SANDBOX_PORT` wins.
 */
async function startDemoSandbox(dataDir: string, sandboxPort: number | undefined, options: SandboxOptions) {
  const stateFile = path.join(dataDir, 'sandbox-state.json');
  const portFile = path.join(dataDir, 'sandbox-port');
  // SANDBOX_PORT (validated with the configuration) wins, and a port in use then is a ConfigError.
  if (sandboxPort !== undefined) {
    const sandbox = await listening(
      'SANDBOX_PORT',
      sandboxPort,
      startSandbox({ ...options, port: sandboxPort, stateFile }),
    );
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(portFile, `${new URL(sandbox.url).port}\n`);
    return sandbox;
  }
  const saved = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) : 0;
  const wanted = Number.isInteger(saved) && saved > 0 && saved < 65536 ? saved : 0;
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({ ...options, port: wanted, stateFile });
  } catch (error) {
    if (!wanted || (error as { code?: string }).code !== 'EADDRINUSE') throw error;
    options.logger?.warn(
      `the sandbox's port ${wanted} is taken now; it moves, and links it gave out may break`,
    );
    sandbox = await startSandbox({ ...options, port: 0, stateFile });
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(portFile, `${new URL(sandbox.url).port}\n`);
  return sandbox;
}

function withSandbox(config: Config, sandboxUrl: string): Config {
  return {
    ...config,
    // The sandbox's Google issuer plays the company's identity provider.
    sso: { ...DEMO_SSO, issuer: `${sandboxUrl}/google` },
    google: {
      ...DEMO_CLIENTS.google,
      issuer: `${sandboxUrl}/google`,
      apiRoot: `${sandboxUrl}/google`,
      push: {
        topicName: DEMO_PUSH.topicName,
        serviceAccountEmail: DEMO_PUSH.serviceAccountEmail,
        audience: `${config.publicUrl}/webhooks/google`,
        issuers: [`${sandboxUrl}/google`],
        jwksUrl: `${sandboxUrl}/google/oauth2/v3/certs`,
      },
    },
    microsoft: {
      ...DEMO_CLIENTS.microsoft,
      loginUrl: `${sandboxUrl}/microsoft/login`,
      graphUrl: `${sandboxUrl}/microsoft/graph`,
      tenant: 'common',
    },
  };
}

function describe(options: ServeOptions): string {
  if (options.api && options.worker)
    return options.demo ? '(demo: API + worker + provider sandbox)' : '(API + worker)';
  return options.api ? 'API' : 'worker';
}

/**
 * First SIGINT/SIGTERM: orderly shutdown, then exit. Another one a second later or more: exit at once.
 * (One Ctrl-C under `npm start` arrives twice, from the terminal and forwarded by npm; that is not two.)
 */
function stopOnSignals(runtime: Runtime): void {
  let stoppingSince: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < 1000) return;
      runtime.logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(130);
    }
    stoppingSince = Date.now();
    runtime.logger.info({ signal }, 'shutting down');
    runtime.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
