/**
 * Liveness and readiness, kept apart on purpose. `/healthz` says the process answers and touches nothing
 * else: an orchestrator that restarts a process whose database is down would restart it for nothing (the
 * pools reconnect by themselves) and, under load, a liveness check waiting for a pooled connection would
 * fail for want of one. `/readyz` says whether the database answers and holds every migration this code
 * knows, for a load balancer to route by (503 otherwise). It also says whether a job worker is alive in that
 * database, without failing on it: the API serves requests without one (mail waits), and taking every API
 * process out of rotation because the workers are down would turn a sync delay into an outage.
 *
 * The applied migrations are read until the schema is found complete, then remembered: a schema does not
 * lose migrations while the process runs, and a probe every few seconds need not read them again. Whether
 * the database answers is asked on every probe.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Database } from '../../db/database.ts';
import { appliedMigrations, workerSigns } from '../../db/health.ts';
import { migrations } from '../../db/migrations/index.ts';
import { RETRY_AFTER_SECONDS } from '../errors.ts';
import { withExamples } from '../examples/world.ts';

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Is the process up? (Does not ask the database.)',
        response: { 200: withExamples(Type.Object({ status: Type.Literal('ok') }), { status: 'ok' }) },
      },
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' as const }),
  );

  const Readiness = Type.Object({
    status: Type.Enum(['ok', 'unavailable']),
    database: Type.Enum(['ok', 'unreachable']),
    migrations: Type.Optional(
      Type.Enum(['ok', 'pending'], { description: 'Does the schema hold every migration?' }),
    ),
    worker: Type.Optional(
      Type.Enum(['alive', 'none'], {
        description: 'Does a job worker run against this database (not part of status)?',
      }),
    ),
  });
  const known = Object.keys(migrations);
  let schemaComplete = false;
  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Can the service serve requests: does its database answer, with the schema this code needs?',
        response: {
          200: withExamples(Readiness, { status: 'ok', database: 'ok', migrations: 'ok', worker: 'alive' }),
          503: withExamples(Readiness, { status: 'unavailable', database: 'unreachable' }),
        },
      },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      try {
        if (!schemaComplete) {
          const applied = new Set(await appliedMigrations(db));
          schemaComplete = known.every((name) => applied.has(name));
        }
        const migrationsState = schemaComplete ? ('ok' as const) : ('pending' as const);
        // The database's answer here is also the probe's "does it answer?".
        const { livePools } = await workerSigns(db);
        const answer = {
          status: migrationsState === 'ok' ? ('ok' as const) : ('unavailable' as const),
          database: 'ok' as const,
          migrations: migrationsState,
          worker: livePools > 0 ? ('alive' as const) : ('none' as const),
        };
        if (answer.status === 'ok') return answer;
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return reply.status(503).send(answer);
      } catch {
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
      }
    },
  );
};
