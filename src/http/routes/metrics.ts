/** Prometheus metrics: sync latency, messages by outcome, provider calls and errors, queue depth. */
import type { FastifyPluginAsync } from 'fastify';
import { queuedJobsByTask } from '../../db/jobs.ts';
import type { AppContext } from '../../services/context.ts';
import { metrics } from '../../sync/metrics.ts';

export const metricsRoutes: FastifyPluginAsync<{ context: AppContext }> = async (app, { context }) => {
  app.get(
    '/metrics',
    { config: { public: true }, schema: { hide: true }, logLevel: 'warn' },
    async (_request, reply) => {
      metrics.queueDepth.reset();
      for (const { task, count } of await queuedJobsByTask(context.db))
        metrics.queueDepth.set({ task }, count);
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
};
