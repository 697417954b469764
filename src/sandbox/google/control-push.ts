/**
 * The push subscription in the Google control API (docs/sandbox.md "Push subscription"): Gmail's
 * `users.watch` names a Pub/Sub topic, and a push subscription on it says where Pub/Sub delivers and how
 * it signs (the OIDC token's service account and audience). `PUT /push-subscription` takes Pub/Sub's
 * `Subscription` shape, so a sandbox running on its own (`talentsync sandbox`) can be pointed at an app;
 * `GET` shows it, `DELETE` stops pushing. In-process options set the subscription a reset returns to.
 */
import type { FastifyInstance } from 'fastify';
import { ControlError } from './spec.ts';
import type { GoogleState, PushSubscription } from './state.ts';

interface SubscriptionBody {
  name?: string;
  topic?: string;
  pushConfig: { pushEndpoint: string; oidcToken?: { serviceAccountEmail?: string; audience?: string } };
  issuer?: string;
}

const bodySchema = {
  type: 'object',
  required: ['pushConfig'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^projects/[^/]+/subscriptions/[^/]+$' },
    topic: { type: 'string', pattern: '^projects/[^/]+/topics/[^/]+$' },
    pushConfig: {
      type: 'object',
      required: ['pushEndpoint'],
      additionalProperties: false,
      properties: {
        pushEndpoint: { type: 'string', pattern: '^https?://' },
        oidcToken: {
          type: 'object',
          additionalProperties: false,
          properties: {
            serviceAccountEmail: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$' },
            audience: { type: 'string', minLength: 1 },
          },
        },
      },
    },
    issuer: { type: 'string', minLength: 1 },
  },
} as const;

/** The subscription as the control API shows it (absent fields left out). */
export function subscriptionJson(subscription: PushSubscription): Record<string, unknown> {
  return JSON.parse(JSON.stringify(subscription));
}

export function pushControlRoutes(app: FastifyInstance, state: GoogleState): void {
  app.get('/push-subscription', async () => {
    if (!state.pushSubscription) throw new ControlError(404, 'no push subscription');
    return subscriptionJson(state.pushSubscription);
  });

  app.put<{ Body: SubscriptionBody }>(
    '/push-subscription',
    { schema: { body: bodySchema } },
    async (request) => {
      const body = request.body;
      try {
        new URL(body.pushConfig.pushEndpoint);
      } catch {
        throw new ControlError(400, 'pushConfig.pushEndpoint is not a URL');
      }
      state.pushSubscription = {
        name: body.name,
        topic: body.topic,
        pushConfig: {
          pushEndpoint: body.pushConfig.pushEndpoint,
          oidcToken: {
            serviceAccountEmail: body.pushConfig.oidcToken?.serviceAccountEmail,
            audience: body.pushConfig.oidcToken?.audience,
          },
        },
        issuer: body.issuer,
      };
      return subscriptionJson(state.pushSubscription);
    },
  );

  app.delete('/push-subscription', async () => {
    const had = state.pushSubscription !== undefined;
    state.pushSubscription = undefined;
    return { deleted: had };
  });
}
