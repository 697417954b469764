/**
 * Bearer-token authentication and the per-route access rule.
 *
 * Every route under /api states who may call it in `config.allow`; a route that forgets is refused at
 * start-up, so nothing is public by accident. `admin` means a user whose role is admin.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../db/database.ts';
import { AppError } from '../domain/errors.ts';
import type { Principal, PrincipalKind } from '../domain/principal.ts';
import { authenticate } from '../services/accounts.ts';

export type Access = PrincipalKind | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; `public: true` routes need no credential. */
    allow?: Access[];
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;
export type MemberPrincipal = Extract<Principal, { kind: 'member' }>;

export const auth = fp(
  async (app: FastifyInstance, options: { db: Database }) => {
    app.decorateRequest('principal', undefined);
    app.addHook('onRoute', (route) => {
      const config = route.config as { allow?: Access[]; public?: boolean } | undefined;
      if (route.url.startsWith('/api/') && !config?.public && !config?.allow?.length) {
        throw new Error(`route ${route.method} ${route.url} must declare config.allow or config.public`);
      }
    });
    app.addHook('onRequest', async (request) => {
      const config = request.routeOptions.config;
      if (config.public || !config.allow) return;
      const principal = await authenticate(options.db, bearerOf(request));
      if (!config.allow.some((access) => permits(access, principal))) {
        throw new AppError('forbidden', `this action is not open to a ${describe(principal)}`);
      }
      request.principal = principal;
    });
  },
  { name: 'auth' },
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
