/**
 * Prometheus metrics: sync latency, messages by outcome, provider calls and errors, queue depth.
 *
 * Not public: they tell an outsider how many mailboxes sync, how often providers fail and how busy the
 * queue is. A scraper presents `Authorization: Bearer <METRICS_TOKEN>`; without a configured token the
 * route does not exist (404), so a deployment that never thought about it leaks nothing. (Rejected: a
 * second listen address, which a misconfigured proxy can still expose, and which the demo does not need.)
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { queuedJobsByTask } from '../../db/jobs.ts';
import { AppError } from '../../domain/errors.ts';
import type { AppContext } from '../../services/context.ts';
import { metrics } from '../../sync/metrics.ts';

export const metricsRoutes: FastifyPluginAsync<{ context: AppContext; token: string | undefined }> = async (
  app,
  { context, token },
) => {
  if (!token) return;
  const expected = digest(token);
  app.get(
    '/metrics',
    { config: { public: true }, schema: { hide: true }, logLevel: 'warn' },
    async (request, reply) => {
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
      // Digests of equal length, so the comparison takes the same time whatever was presented.
      if (!presented || !timingSafeEqual(digest(presented), expected)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new AppError('unauthenticated', 'the metrics need the bearer token in METRICS_TOKEN');
      }
      metrics.queueDepth.reset();
      for (const { task, count } of await queuedJobsByTask(context.db))
        metrics.queueDepth.set({ task }, count);
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
};

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
