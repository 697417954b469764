/**
 * Authentication (a bearer token, or the web app's session cookie) and the per-route access rule.
 *
 * Every route under /api states who may call it in `config.allow`; a route that forgets is refused at
 * start-up, so nothing is public by accident. `admin` means a user whose role is admin.
 *
 * Failed authentications are counted per client address; an address past its limit is answered 429 on
 * every authenticated route until its minute is over, before any credential is looked up, so guessing
 * costs neither a database query nor an answer about the guess. The same count covers access tokens
 * posted to a connect link's sign-in form (`app.authFailures`), so the form is no way around it.
 *
 * A session cookie stands for its user or member exactly as their token would (the same `allow` rules);
 * an `Authorization` header wins over it. A state-changing request authenticated by the cookie must also
 * pass the CSRF checks of session-cookie.ts. An ended or unknown session counts as a failure too.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../db/database.ts';
import type { LiveSession } from '../db/sessions.ts';
import { AppError } from '../domain/errors.ts';
import type { Principal, PrincipalKind } from '../domain/principal.ts';
import { authenticate } from '../services/accounts.ts';
import type { Sessions } from '../services/sessions.ts';
import { RATE_WINDOW_MS, tooMany } from './rate-limits.ts';
import { refuseCrossSite, type SessionCookies } from './session-cookie.ts';

export type Access = PrincipalKind | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; `public: true` routes need no credential. */
    allow?: Access[];
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
    /** Set when the principal came from the web app's session cookie rather than a bearer token. */
    browserSession: (LiveSession & { secret: string }) | undefined;
  }
  interface FastifyInstance {
    /** Failed authentications per client address, for credentials checked outside the bearer header. */
    authFailures: AuthFailures;
    /** The web app's sessions and their cookie, for browser pages outside /api (browser-user.ts). */
    webSessions: { sessions: Sessions; cookies: SessionCookies };
  }
}

export interface AuthFailures {
  /** Throws 429 (and sets `Retry-After`) when the request's address is past its failures this minute. */
  refuseIfBlocked(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Counts one failed authentication for the request's address. */
  count(request: FastifyRequest): Promise<void>;
}

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;
export type MemberPrincipal = Extract<Principal, { kind: 'member' }>;

export const auth = fp(
  async (
    app: FastifyInstance,
    options: {
      db: Database;
      failuresPerMinute: number;
      sessions: Sessions;
      cookies: SessionCookies;
      publicUrl: string;
    },
  ) => {
    const failures = app.createRateLimit({ max: options.failuresPerMinute, timeWindow: RATE_WINDOW_MS });
    const authFailures: AuthFailures = {
      async refuseIfBlocked(request, reply) {
        const seen = await failures(request, { increment: false });
        if (!seen.isAllowed && seen.remaining === 0) {
          reply.header('retry-after', Math.max(1, seen.ttlInSeconds));
          throw tooMany(`${Math.max(1, seen.ttlInSeconds)} s`);
        }
      },
      async count(request) {
        await failures(request);
      },
    };
    app.decorate('authFailures', authFailures);
    app.decorate('webSessions', { sessions: options.sessions, cookies: options.cookies });
    app.decorateRequest('principal', undefined);
    app.decorateRequest('browserSession', undefined);
    app.addHook('onRoute', (route) => {
      const config = route.config as { allow?: Access[]; public?: boolean } | undefined;
      if (route.url.startsWith('/api/') && !config?.public && !config?.allow?.length) {
        throw new Error(`route ${route.method} ${route.url} must declare config.allow or config.public`);
      }
    });
    app.addHook('onRequest', async (request, reply) => {
      const config = request.routeOptions.config;
      if (config.public || !config.allow) return;
      await authFailures.refuseIfBlocked(request, reply);
      const principal = await identify(request).catch(async (error: unknown) => {
        if (error instanceof AppError && error.code === 'unauthenticated') await authFailures.count(request);
        throw error;
      });
      if (!config.allow.some((access) => permits(access, principal))) {
        throw new AppError('forbidden', `this action is not open to a ${describe(principal)}`);
      }
      request.principal = principal;
    });

    /** The bearer token's principal, or else the session cookie's (after its CSRF checks). */
    async function identify(request: FastifyRequest): Promise<Principal> {
      const bearer = bearerOf(request);
      const secret = options.cookies.read(request);
      if (bearer !== undefined || secret === undefined) return authenticate(options.db, bearer);
      const session = await options.sessions.find(secret);
      if (!session) throw new AppError('unauthenticated', 'your session has ended: sign in again');
      refuseCrossSite(request, session.csrfToken, options.publicUrl);
      request.browserSession = { ...session, secret };
      return session.principal;
    }
  },
  { name: 'auth', dependencies: ['rate-limiting'] },
);

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function permits(access: Access, principal: Principal): boolean {
  if (access === 'admin') return principal.kind === 'user' && principal.role === 'admin';
  return access === principal.kind;
}

function describe(principal: Principal): string {
  if (principal.kind === 'user') return principal.role === 'admin' ? 'recruiter admin' : 'recruiter';
  return principal.kind;
}

/** The calling user; the route's `allow` already guarantees one. */
export function userOf(request: FastifyRequest): UserPrincipal {
  const principal = request.principal;
  if (principal?.kind !== 'user') throw new AppError('forbidden', 'this action is open to recruiters only');
  return principal;
}

export function memberOf(request: FastifyRequest): MemberPrincipal {
  const principal = request.principal;
  if (principal?.kind !== 'member') throw new AppError('forbidden', 'this action is open to members only');
  return principal;
}

/** A user or a member, for routes both may call. */
export function personOf(request: FastifyRequest): UserPrincipal | MemberPrincipal {
  const principal = request.principal;
  if (principal?.kind !== 'user' && principal?.kind !== 'member') {
    throw new AppError('forbidden', 'this action is open to recruiters and members only');
  }
  return principal;
}
