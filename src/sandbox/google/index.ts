/** The Google emulator: OAuth 2.0 / OIDC, Gmail v1, Calendar v3 and Pub/Sub push. */
import type { FastifyError, FastifyInstance } from 'fastify';
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
import { createState, type GoogleOptions } from './state.ts';

export type { GoogleOptions } from './state.ts';

/** Builds the Google emulator on the shared core. */
export async function createGoogleSandbox(
  core: SandboxCore,
  options: GoogleOptions,
): Promise<ProviderSandbox> {
  const state = createState(core, options, await createSigningKey(), onMailboxChange);
  return {
    routes: async (app: FastifyInstance) => {
      // Google answers malformed requests in its own error shape, never with a stack trace.
      app.setErrorHandler((error: FastifyError, _request, reply) => {
        const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
        const base = faultError(status, undefined);
        return sendError(
          reply,
          status < 500 ? { ...base, message: error.message, reason: 'badRequest' } : base,
        );
      });
      app.setNotFoundHandler((_request, reply) => sendError(reply, notFound()));
      oauthRoutes(app, state);
      gmailRoutes(app, state);
      historyRoutes(app, state);
      pushRoutes(app, state);
      batchRoutes(app, state);
      calendarRoutes(app, state);
    },
    control: async (app: FastifyInstance) => controlRoutes(app, state),
    reset: () => state.reset(),
  };
}
