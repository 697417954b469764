/**
 * The provider-independent part of the control API (`/_sandbox/...`): reset, time, faults, counters and
 * push behaviour. Each provider adds its own part (users, mail, grants) under `/_sandbox/{provider}`.
 */
import type { FastifyInstance } from 'fastify';
import type { SandboxCore } from './core.ts';
import type { FaultInput, Provider } from './faults.ts';
import type { PushControls } from './push.ts';

const PROVIDERS = ['google', 'microsoft'] as const;

export function controlRoutes(app: FastifyInstance, core: SandboxCore, resetProviders: () => void): void {
  const provider = { type: 'string', enum: [...PROVIDERS] } as const;

  app.post('/_sandbox/reset', async () => {
    resetProviders();
    core.faults.clear();
    core.counters.reset();
    core.push.reset();
    core.clock.reset();
    return { reset: true };
  });

  app.get('/_sandbox/clock', async () => ({ now: new Date(core.clock.now()).toISOString() }));
  app.post<{ Body: { advanceMs: number } }>(
    '/_sandbox/clock',
    {
      schema: {
        body: {
          type: 'object',
          required: ['advanceMs'],
          additionalProperties: false,
          properties: { advanceMs: { type: 'integer', minimum: 0 } },
        },
      },
    },
    async (request) => {
      core.clock.advance(request.body.advanceMs);
      return { now: new Date(core.clock.now()).toISOString() };
    },
  );

  app.post<{ Body: { seed: number } }>(
    '/_sandbox/seed',
    {
      schema: {
        body: { type: 'object', required: ['seed'], properties: { seed: { type: 'integer' } } },
      },
    },
    async (request) => {
      core.random.seed(request.body.seed);
      return { seed: request.body.seed };
    },
  );

  app.get('/_sandbox/faults', async () => ({ faults: core.faults.list() }));
  app.post<{ Body: FaultInput }>(
    '/_sandbox/faults',
    {
      schema: {
        body: {
          type: 'object',
          required: ['provider', 'endpoint'],
          additionalProperties: false,
          properties: {
            provider,
            endpoint: { type: 'string', minLength: 1 },
            user: { type: 'string' },
            messageId: { type: 'string', minLength: 1 },
            status: { type: 'integer', minimum: 400, maximum: 599 },
            reason: { type: 'string', minLength: 1, maxLength: 100 },
            share: { type: 'number', minimum: 0, maximum: 1 },
            retryAfterSeconds: { type: 'integer', minimum: 0 },
            latencyMs: { type: 'integer', minimum: 0, maximum: 120000 },
            count: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    async (request, reply) => {
      try {
        return reply.status(201).send(core.faults.add(request.body));
      } catch (error) {
        return reply.status(400).send({ error: (error as Error).message });
      }
    },
  );
  app.delete('/_sandbox/faults', async () => {
    core.faults.clear();
    return { cleared: true };
  });
  app.delete<{ Params: { id: string } }>('/_sandbox/faults/:id', async (request, reply) =>
    core.faults.remove(request.params.id)
      ? { removed: true }
      : reply.status(404).send({ error: 'no such fault' }),
  );

  app.get<{ Querystring: { provider?: Provider; user?: string } }>(
    '/_sandbox/counters',
    {
      schema: {
        querystring: { type: 'object', properties: { provider, user: { type: 'string' } } },
      },
    },
    async (request) => {
      const rows = core.counters.rows(request.query);
      const total = rows.reduce(
        (sum, row) => ({
          calls: sum.calls + row.calls,
          units: sum.units + row.units,
          bytes: sum.bytes + row.bytes,
        }),
        { calls: 0, units: 0, bytes: 0 },
      );
      return { rows, total };
    },
  );
  app.delete('/_sandbox/counters', async () => {
    core.counters.reset();
    return { reset: true };
  });

  app.get('/_sandbox/push', async () => ({
    stats: core.push.stats(),
    controls: Object.fromEntries(PROVIDERS.map((name) => [name, core.push.controls(name)])),
  }));
  app.get('/_sandbox/push/log', async () => ({ deliveries: core.push.log() }));
  app.post<{ Params: { provider: Provider }; Body: Partial<PushControls> }>(
    '/_sandbox/push/:provider',
    {
      schema: {
        params: { type: 'object', properties: { provider } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            dropShare: { type: 'number', minimum: 0, maximum: 1 },
            duplicateShare: { type: 'number', minimum: 0, maximum: 1 },
            delayMs: { type: 'integer', minimum: 0, maximum: 600000 },
            jitterMs: { type: 'integer', minimum: 0, maximum: 600000 },
            paused: { type: 'boolean' },
          },
        },
      },
    },
    async (request) => core.push.configure(request.params.provider, request.body),
  );
}
