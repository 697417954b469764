/** Liveness and readiness: the process answers and its database does. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../../db/database.ts';

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  const Health = Type.Object({
    status: Type.Enum(['ok', 'unavailable']),
    database: Type.Enum(['ok', 'unreachable']),
  });
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Is the service up, and its database?',
        response: { 200: Health, 503: Health },
      },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(db);
        return { status: 'ok' as const, database: 'ok' as const };
      } catch {
        return reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
      }
    },
  );
};
