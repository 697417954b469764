/**
 * Liveness and readiness, kept apart on purpose. `/healthz` says the process answers and touches nothing
 * else: an orchestrator that restarts a process whose database is down would restart it for nothing (the
 * pools reconnect by themselves) and, under load, a liveness check waiting for a pooled connection would
 * fail for want of one. `/readyz` says whether the database answers too, for a load balancer to route by.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../../db/database.ts';
import { RETRY_AFTER_SECONDS } from '../errors.ts';

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Is the process up? (Does not ask the database.)',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' as const }),
  );

  const Readiness = Type.Object({
    status: Type.Enum(['ok', 'unavailable']),
    database: Type.Enum(['ok', 'unreachable']),
  });
  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Can the service serve requests: does its database answer?',
        response: { 200: Readiness, 503: Readiness },
      },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(db);
        return { status: 'ok' as const, database: 'ok' as const };
      } catch {
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
      }
    },
  );
};
