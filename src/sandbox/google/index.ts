/** The Google emulator: OAuth 2.0 / OIDC, Gmail v1, Calendar v3 and Pub/Sub push. */
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ProviderSandbox, SandboxCore } from '../core.ts';
import { createSigningKey } from '../keys.ts';
import { batchRoutes } from './batch.ts';
import { calendarRoutes } from './calendar.ts';
import { controlRoutes } from './control.ts';
import { faultError, notFound, sendError } from './errors.ts';
import { gmailRoutes } from './gmail.ts';
import { historyRoutes } from './history.ts';
import { oauthRoutes } from './oauth.ts';
import { onMailboxChange, pushRoutes } from './push.ts';
import { createState, type GoogleOptions, type GoogleState } from './state.ts';
import { threadRoutes } from './threads.ts';
import { tokenInfoRoutes } from './tokeninfo.ts';

export type { GoogleOptions } from './state.ts';

/** Gmail, Calendar and the batch endpoint, in Google's error shape (never a stack trace). */
function apiRoutes(state: GoogleState) {
  return async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, _request, reply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
      const base = faultError(status, undefined);
      return sendError(
        reply,
        status < 500 ? { ...base, message: error.message, reason: 'badRequest' } : base,
      );
    });
    gmailRoutes(app, state);
    threadRoutes(app, state);
    historyRoutes(app, state);
    pushRoutes(app, state);
    batchRoutes(app, state);
    calendarRoutes(app, state);
  };
}

/** Builds the Google emulator on the shared core. */
export async function createGoogleSandbox(
  core: SandboxCore,
  options: GoogleOptions,
): Promise<ProviderSandbox> {
  const state = createState(core, options, await createSigningKey(), onMailboxChange);
  // Everything lives under /google. The APIs are served at the server root as well, because the official
  // clients (googleapis-common's createAPIRequest) resolve each method's absolute path against `rootUrl`,
  // dropping any path in it: `rootUrl: {base}/google/` would reach {base}/gmail/v1/..., so clients use
  // `rootUrl: {base}/`. fastify-plugin lets this plugin register outside the `/google` prefix it is given.
  const routes = fp(async (app: FastifyInstance) => {
    await app.register(
      async (google) => {
        google.setNotFoundHandler((_request, reply) => sendError(reply, notFound()));
        oauthRoutes(google, state);
        tokenInfoRoutes(google, state);
        await google.register(apiRoutes(state));
      },
      { prefix: '/google' },
    );
    await app.register(apiRoutes(state));
    // Unknown paths under the root-served APIs answer Google's envelope too, not Fastify's body.
    for (const prefix of ['/gmail', '/calendar', '/batch']) {
      await app.register(
        async (scope) => scope.setNotFoundHandler((_request, reply) => sendError(reply, notFound())),
        { prefix },
      );
    }
  });
  return {
    routes,
    control: async (app: FastifyInstance) => controlRoutes(app, state),
    snapshot: { state, config: [state.options, state.deps, state.quota] },
    reset: () => state.reset(),
  };
}
