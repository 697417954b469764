/**
 * The provider sandbox: emulators of Google (OAuth/OIDC, Gmail, Calendar, Pub/Sub push) and Microsoft
 * (identity platform v2.0, Graph mail, calendar, subscriptions) on one HTTP server, plus a control API.
 * It imports nothing of the app: it stands in for the outside world, and the app talks to it over HTTP
 * exactly as it would to Google and Microsoft. All state is in memory, and with `stateFile` also on disk
 * (persistence.ts), restored at start.
 *
 * URL layout (base = the sandbox URL):
 *   {base}/google/...     Google: issuer {base}/google, Gmail and Calendar under the root {base}/google/
 *   {base}/microsoft/...  Microsoft: login {base}/microsoft/login/{tenant}/..., Graph {base}/microsoft/graph/v1.0
 *   {base}/_sandbox/...   the control API (users, mail, faults, time, counters, push)
 */

import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { controlRoutes } from './control.ts';
import { createCore, type SandboxCore } from './core.ts';
import { createGoogleSandbox, type GoogleOptions } from './google/index.ts';
import { createMicrosoftSandbox, type MicrosoftOptions } from './microsoft/index.ts';
import { stateFile } from './persistence.ts';
import { selfSignedCertificate } from './tls.ts';

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** The base URL clients use, when it differs from http://{host}:{port} (a proxy, a container). */
  publicUrl?: string;
  seed?: number;
  /** Serve HTTPS with a fresh self-signed certificate (answered as `certificate`, for clients to trust). */
  https?: boolean;
  /** With `https`: this key and certificate instead of a fresh one (one a process already trusts). */
  tlsCertificate?: { key: string; cert: string };
  logger?: Logger;
  google?: GoogleOptions;
  microsoft?: MicrosoftOptions;
  /**
   * Keep the state in this file: restored at start, saved shortly after each change and on close (the
   * demo's `DATA_DIR/sandbox-state.json`). Unset: memory only.
   */
  stateFile?: string;
}

export interface Sandbox {
  url: string;
  /** The PEM certificate when serving HTTPS. */
  certificate: string | undefined;
  app: FastifyInstance;
  core: SandboxCore;
  /** With `stateFile`: whether a saved state was restored, or what was wrong with the file. */
  restored: { restored: boolean; problem?: string };
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const core = createCore(options.publicUrl ?? '', logger, options.seed);
  const tls = options.https ? (options.tlsCertificate ?? selfSignedCertificate()) : undefined;
  const app = Fastify({
    ...(tls ? { https: tls } : {}),
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: 50 * 1024 * 1024,
    routerOptions: { maxParamLength: 2048 },
  }) as unknown as FastifyInstance;
  await app.register(formbody);
  // Response body bytes, counted against the mailbox and method the provider code named (counters.ts).
  app.addHook('onSend', async (request, _reply, payload) => {
    core.counters.sent(request, bodyBytes(payload));
    return payload;
  });
  const google = await createGoogleSandbox(core, options.google ?? {});
  const microsoft = await createMicrosoftSandbox(core, options.microsoft ?? {});
  await app.register(google.routes, { prefix: '/google' });
  await app.register(microsoft.routes, { prefix: '/microsoft' });
  await app.register(google.control, { prefix: '/_sandbox/google' });
  await app.register(microsoft.control, { prefix: '/_sandbox/microsoft' });
  const reset = () => {
    google.reset();
    microsoft.reset();
  };
  controlRoutes(app, core, reset);
  const saved = options.stateFile
    ? stateFile(
        options.stateFile,
        () => ({ google: google.snapshot.state, microsoft: microsoft.snapshot.state }),
        () =>
          new Set<object>([
            core,
            ...Object.values(core).filter((value) => typeof value === 'object' && value !== null),
            ...google.snapshot.config,
            ...microsoft.snapshot.config,
          ]),
        { logger, onBadFile: reset },
      )
    : undefined;
  const restored = saved?.load() ?? { restored: false };
  // Whatever changes state is a request that is not a read (a token, a consent, a delivery, a move).
  if (saved) {
    app.addHook('onResponse', async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') saved.changed();
    });
  }
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  // Routes read core.baseUrl per request, so it can be set once the port is known.
  const own = `${tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  core.baseUrl = (options.publicUrl ?? own).replace(/\/+$/, '');
  return {
    url: core.baseUrl,
    certificate: tls?.cert,
    app,
    core,
    restored,
    close: async () => {
      core.push.reset();
      await app.close();
      saved?.flush();
    },
  };
}

/** The length of an answer's body as Fastify sends it (a stream, which no route answers, counts 0). */
function bodyBytes(payload: unknown): number {
  if (typeof payload === 'string') return Buffer.byteLength(payload);
  if (payload instanceof Uint8Array) return payload.byteLength;
  return 0;
}
