/**
 * Rate limits (`@fastify/rate-limit`), each counted over one minute and answered 429 `rate_limited`
 * with `Retry-After`. No limit applies unless a route names one in `config.rateLimit`: minting tokens,
 * starting connections and R19 lookups (which may ask the caller's mailbox) are counted per caller, webhooks per client address (generously: providers
 * push from few addresses), and failed authentication per client address (in `auth.ts`).
 *
 * Counts live in this process's memory: several API processes each count on their own.
 */
import rateLimitPlugin, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { RateLimits } from '../config.ts';
import { AppError } from '../domain/errors.ts';

export const RATE_WINDOW_MS = 60_000;

declare module 'fastify' {
  interface FastifyInstance {
    /** How many of each counted action one key may take per minute. */
    rateLimits: RateLimits;
  }
}

/** Registers the plugin with no global limit; routes opt in with `rateLimit(name)`. */
export const rateLimiting = fp(
  async (app: FastifyInstance, limits: RateLimits) => {
    app.decorate('rateLimits', limits);
    await app.register(rateLimitPlugin, {
      global: false,
      timeWindow: RATE_WINDOW_MS,
      errorResponseBuilder: (_request, context) => tooMany(context.after),
    });
  },
  { name: 'rate-limiting' },
);

/** A route's `config.rateLimit`: the named limit, counted per caller or, for webhooks, per address. */
export function rateLimit(
  name: 'tokenMints' | 'connectStarts' | 'webhooks' | 'whyLookups',
): RateLimitOptions {
  return {
    max: (request) => request.server.rateLimits[name],
    timeWindow: RATE_WINDOW_MS,
    ...(name === 'webhooks' ? {} : { keyGenerator: callerOf }),
  };
}

/** The error every limit answers with (the plugin or `auth.ts` sets `Retry-After`). */
export function tooMany(after: string): AppError {
  return new AppError('rate_limited', `too many requests; try again in ${after}`);
}

/** The authenticated caller (the route's `allow` ran first), so colleagues behind one address do not share. */
function callerOf(request: FastifyRequest): string {
  const principal = request.principal;
  if (principal?.kind === 'user') return `user:${principal.userId}`;
  if (principal?.kind === 'member') return `member:${principal.memberId}`;
  return principal?.kind ?? `address:${request.ip}`;
}
