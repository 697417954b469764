/**
 * Signing in to the web app and out again.
 *
 * - `GET /auth/sign-in`: off to the company's identity provider (OpenID Connect, services/sessions.ts).
 * - `GET /auth/callback`: back from it; a session for the user its verified email names, then the app.
 *   A sign-in that fails goes back to the app's sign-in page with the problem's code, which it words.
 * - `GET /api/session`: the session's CSRF token and expiry, for the app to send back.
 * - `DELETE /api/session`: sign out (the session is revoked, the cookie cleared).
 * - `DELETE /api/users/:id/sessions`: an admin ends every session of a user of their organization.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Database } from '../../db/database.ts';
import { revokeUserSessions } from '../../db/sessions.ts';
import { findUser } from '../../db/users.ts';
import { notFound } from '../../domain/errors.ts';
import { type Sessions, SignInError } from '../../services/sessions.ts';
import { userOf } from '../auth.ts';
import { withExamples } from '../examples/world.ts';
import { errors, Timestamp, Uuid } from '../schemas.ts';
import type { SessionCookies } from '../session-cookie.ts';

export const sessionRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  sessions: Sessions;
  cookies: SessionCookies;
  publicUrl: string;
}> = async (app, { db, sessions, cookies, publicUrl }) => {
  const signInPage = (problem: string) => `/sign-in?problem=${encodeURIComponent(problem)}`;

  app.get('/auth/sign-in', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    try {
      const { redirectTo, attempt } = await sessions.beginSignIn();
      return cookies.setAttempt(reply, attempt).redirect(redirectTo.href, 302);
    } catch (error) {
      if (error instanceof SignInError) return reply.redirect(signInPage(error.problem), 303);
      reply.log.warn({ err: error }, 'the identity provider could not be reached');
      return reply.redirect(signInPage('provider_unreachable'), 303);
    }
  });

  app.get('/auth/callback', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    cookies.clearAttempt(reply);
    try {
      const owner = await sessions.finishSignIn(
        new URL(request.url, publicUrl),
        cookies.readAttempt(request),
      );
      const started = await sessions.start(owner);
      return cookies.set(reply, started.secret, started.expiresAt).redirect('/', 303);
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      request.log.info({ problem: error.problem }, 'sign-in refused');
      return reply.redirect(signInPage(error.problem), 303);
    }
  });

  app.get(
    '/api/session',
    {
      config: { allow: ['user', 'member'] },
      schema: {
        tags: ['session'],
        summary: "The web app's session: its CSRF token (send it as x-csrf-token) and when it ends",
        response: {
          200: withExamples(
            Type.Object({
              kind: Type.Enum(['user', 'member']),
              csrfToken: Type.Union([Type.String(), Type.Null()], {
                description: 'Null for a bearer token.',
              }),
              expiresAt: Type.Union([Timestamp, Type.Null()]),
            }),
            {
              kind: 'user',
              csrfToken: 'EXAMPLE-csrf-token-send-as-x-csrf-token',
              expiresAt: '2026-03-16T09:00:00.000Z',
            },
          ),
          ...errors(401),
        },
      },
    },
    async (request) => ({
      kind: request.principal?.kind === 'member' ? ('member' as const) : ('user' as const),
      csrfToken: request.browserSession?.csrfToken ?? null,
      expiresAt: request.browserSession?.expiresAt ?? null,
    }),
  );

  app.delete(
    '/api/session',
    {
      config: { allow: ['user', 'member'] },
      schema: {
        tags: ['session'],
        summary: 'Sign out of the web app',
        response: { 204: Type.Null(), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      if (request.browserSession) await sessions.end(request.browserSession.secret);
      return cookies.clear(reply).status(204).send();
    },
  );

  app.delete(
    '/api/users/:id/sessions',
    {
      config: { allow: ['admin'] },
      schema: {
        tags: ['session'],
        summary: 'End every web session of a user of your organization (they must sign in again)',
        params: Type.Object({ id: Uuid }),
        response: {
          200: withExamples(Type.Object({ revoked: Type.Integer() }), { revoked: 2 }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const admin = userOf(request);
      if (!(await findUser(db, admin.orgId, request.params.id))) throw notFound('user');
      return { revoked: await revokeUserSessions(db, admin.orgId, request.params.id) };
    },
  );
};
