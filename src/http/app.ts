/**
 * The HTTP API. Order of registration: external plugins first (OpenAPI and the rate limiter must see
 * every route as it is added), then our cross-cutting plugins (errors, auth, text checks, cursors), then
 * the routes that rely on them.
 */

import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type pg from 'pg';
import {
  type Config,
  DEFAULT_RATE_LIMITS,
  DEFAULT_SESSIONS,
  type RateLimits,
  type SessionConfig,
  type SsoConfig,
} from '../config.ts';
import type { AppContext } from '../services/context.ts';
import { createLiveEvents } from '../services/live-events.ts';
import { createSessions } from '../services/sessions.ts';

import { auth } from './auth.ts';
import { cursors } from './cursor.ts';
import { answerFrameworkError, installErrorHandling } from './errors.ts';
import { limitJsonDepth } from './json-depth.ts';
import { rateLimiting } from './rate-limits.ts';
import { connectionRoutes } from './routes/connection.ts';
import { demoRoutes } from './routes/demo.ts';
import { demoMailRoutes } from './routes/demo-mail.ts';
import { demoSignInRoutes } from './routes/demo-sign-in.ts';
import { erasureRoutes } from './routes/erasure.ts';
import { eventRoutes } from './routes/events.ts';
import { exportRoutes } from './routes/export.ts';
import { healthRoutes } from './routes/health.ts';
import { historyRoutes } from './routes/history.ts';
import { inmailRoutes } from './routes/inmail.ts';
import { mailRoutes } from './routes/mail.ts';
import { meRoutes } from './routes/me.ts';
import { memberRoutes } from './routes/members.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { oauthRoutes } from './routes/oauth.ts';
import { operatorRoutes } from './routes/operator.ts';
import { organizationRoutes } from './routes/organization.ts';
import { schedulingRoutes } from './routes/scheduling.ts';
import { searchRoutes } from './routes/search.ts';
import { sessionRoutes } from './routes/session.ts';
import { userRoutes } from './routes/users.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { ErrorBody } from './schemas.ts';
import { securityHeaders } from './security-headers.ts';
import { sessionCookies } from './session-cookie.ts';
import { refuseUnstorableText } from './storable-text.ts';
import { refuseUndeclaredBodies, refuseUnknownQueryParameters, validatorFactory } from './validation.ts';
import { webApp } from './web-app.ts';

export interface AppOptions {
  context: AppContext;
  /** Unset: `/metrics` is not served (see routes/metrics.ts). */
  metricsToken?: string | undefined;
  /** Demo mode (`npm start`) adds the demo's shortcut routes for its organization, and its sign-in picker. */
  demo?:
    | {
        domain: string;
        members?: readonly string[];
        /** The provider sandbox, for the demo mail panel (`/api/demo/mailboxes`); unset: no panel. */
        sandboxUrl?: string;
        candidates?: readonly { name: string; address: string }[];
      }
    | undefined;
  /** Unset: the defaults (`DEFAULT_RATE_LIMITS`). */
  rateLimits?: RateLimits | undefined;
  /** Which proxies to believe about the client's address (`TRUST_PROXY`); per-address limits depend on it. */
  trustProxy?: Config['trustProxy'] | undefined;
  /** The web app's build folder (`web/dist`); unset or not built: the API alone. */
  webDist?: string | undefined;
  /** The identity provider the web app signs in with (`SSO_ISSUER`); unset: no single sign-on. */
  sso?: SsoConfig | undefined;
  /** Unset: the defaults (`DEFAULT_SESSIONS`). */
  sessionLifetimes?: SessionConfig | undefined;
  /** The pool live updates (`GET /api/events`) take their `LISTEN` connection from; unset: that route answers 503. */
  listenPool?: pg.Pool | undefined;
}

export async function buildApp({
  context,
  demo,
  metricsToken,
  rateLimits = DEFAULT_RATE_LIMITS,
  trustProxy,
  webDist,
  sso,
  sessionLifetimes = DEFAULT_SESSIONS,
  listenPool,
}: AppOptions): Promise<FastifyInstance> {
  const { db, logger, publicUrl } = context;
  const app = Fastify({
    loggerInstance: logger.child({}, { serializers: { req: requestForLog } }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    schemaController: { compilersFactory: { buildValidator: validatorFactory() } },
    frameworkErrors: answerFrameworkError,
    trustProxy: trustProxy ?? false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // First of all, so that every answer (the docs', 404s and errors too) carries the security headers.
  await app.register(securityHeaders, { docsPrefix: '/api/docs' });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'talentsync',
        version: '0.1.0',
        description:
          'Email and calendar sync for recruiting teams. Authenticate with `Authorization: Bearer <token>`.',
      },
      servers: [{ url: publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Shared schemas are named by their `$id` (`Error`), not numbered (`def-0`) as the plugin does by default.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) =>
        typeof json.$id === 'string' ? json.$id : `def-${index}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  await app.register(cookie);
  await app.register(rateLimiting, rateLimits);
  app.addSchema(ErrorBody);

  installErrorHandling(app);
  limitJsonDepth(app);
  const sessions = createSessions({ db, vault: context.vault, publicUrl, sso, lifetimes: sessionLifetimes });
  const cookies = sessionCookies(publicUrl);
  await app.register(auth, { db, failuresPerMinute: rateLimits.authFailures, sessions, cookies, publicUrl });
  refuseUnstorableText(app);
  refuseUndeclaredBodies(app);
  refuseUnknownQueryParameters(app);
  await app.register(cursors, { vault: context.vault });

  await app.register(healthRoutes, { db });
  await app.register(sessionRoutes, { db, sessions, cookies, publicUrl });
  await app.register(meRoutes, { db });
  await app.register(userRoutes, { db });
  await app.register(memberRoutes, { db });
  await app.register(inmailRoutes, { db });
  await app.register(organizationRoutes, { context });
  await app.register(connectionRoutes, { context });
  await app.register(oauthRoutes, { context, webApp: Boolean(webDist) });
  await app.register(mailRoutes, { context });
  await app.register(historyRoutes, { context });
  await app.register(searchRoutes, { context });
  await app.register(erasureRoutes, { context });
  await app.register(exportRoutes, { context });
  await app.register(operatorRoutes, { context });
  await app.register(schedulingRoutes, { context });
  await app.register(webhookRoutes, { context });
  const live = listenPool ? createLiveEvents(listenPool, logger) : undefined;
  await app.register(eventRoutes, { live });
  await app.register(metricsRoutes, { context, token: metricsToken });
  if (demo) {
    await app.register(demoRoutes, { context, domain: demo.domain });
    const members = demo.members ?? [];
    await app.register(demoSignInRoutes, { db, sessions, cookies, publicUrl, domain: demo.domain, members });
    if (demo.sandboxUrl) {
      const { sandboxUrl, candidates = [] } = demo;
      await app.register(demoMailRoutes, { db, domain: demo.domain, sandboxUrl, candidates });
    }
  }
  if (webDist) await app.register(webApp, { dist: webDist });
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  return app;
}

/**
 * What a request looks like in the logs. OAuth URLs carry single-use secrets (the start link's code, the
 * provider's authorization code and state), so for them only the path's fixed part is kept.
 */
function requestForLog(request: FastifyRequest) {
  // Query strings carry candidates' addresses (lookups), Message-IDs (R19), cursors and OAuth codes, and
  // request lines are logged at info: the path only, and no start-link secret.
  const path = request.url.split('?')[0] ?? '';
  const url = path.startsWith('/oauth/start/') ? '/oauth/start/[redacted]' : path;
  return { method: request.method, url, remoteAddress: request.ip };
}
