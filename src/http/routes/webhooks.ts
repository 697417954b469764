/**
 * Push notifications from providers. Each is authenticated (Gmail: the Pub/Sub push's signed OIDC token;
 * Graph: the subscription's clientState), turned into a queued sync, and answered at once: no sync work
 * happens here. Forged or unknown notifications are refused and counted.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ProviderError } from '../../providers/errors.ts';
import { PROVIDERS } from '../../providers/types.ts';
import type { AppContext } from '../../services/context.ts';
import { acceptNotification, countWebhook } from '../../services/sync.ts';
import { rateLimit } from '../rate-limits.ts';

export const webhookRoutes: FastifyPluginAsync<{ context: AppContext }> = async (app, { context }) => {
  for (const provider of PROVIDERS) {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const adapter = context.providers[provider];
      const validationToken = (request.query as { validationToken?: unknown }).validationToken;
      // Graph checks a new subscription's URLs by posting a validationToken that must come back as
      // plain text within 10 s (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks).
      if (adapter?.webhookHandshake && typeof validationToken === 'string') {
        return reply.status(200).type('text/plain').send(validationToken);
      }
      if (!adapter?.readNotifications) return reply.status(404).send();
      let notifications: Awaited<ReturnType<NonNullable<typeof adapter.readNotifications>>>;
      try {
        notifications = await adapter.readNotifications({
          authorization:
            typeof request.headers.authorization === 'string' ? request.headers.authorization : undefined,
          body: request.body,
        });
      } catch (error) {
        // Our side could not check it (the signing keys were unreachable): ask the sender to retry.
        if (error instanceof ProviderError && error.kind === 'transient') return reply.status(503).send();
        countWebhook(provider, 'rejected');
        request.log.warn({ err: error, provider }, 'refused an unauthenticated push notification');
        return reply.status(401).send();
      }
      const outcomes = await Promise.all(
        notifications.map((item) => acceptNotification(context, provider, item)),
      );
      for (const outcome of outcomes) countWebhook(provider, outcome);
      if (outcomes.includes('rejected')) return reply.status(401).send();
      // Unknown mailboxes or subscriptions are acknowledged: a retry would not make them known.
      return reply.status(202).send();
    };
    const config = { public: true, rateLimit: rateLimit('webhooks') };
    app.post(`/webhooks/${provider}`, { config, schema: { hide: true } }, handler);
    app.post(`/webhooks/${provider}/lifecycle`, { config, schema: { hide: true } }, handler);
  }
};
