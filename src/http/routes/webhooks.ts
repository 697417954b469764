/**
 * Push notifications from providers. Each request is authenticated (Gmail: the Pub/Sub push's signed OIDC
 * token, before anything touches the database; Graph: every entry's clientState), turned into queued syncs
 * and answered at once: no sync work happens here, and the database work is two statements whatever the
 * body (see `services/push-notifications.ts`). Bodies are capped at what the provider sends.
 *
 * Graph notifications are answered 202 whether their entries were authentic, unknown or forged: a sender
 * learns nothing about which subscriptions exist or which clientState is right.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import { ProviderError } from '../../providers/errors.ts';
import { PROVIDERS } from '../../providers/types.ts';
import type { AppContext } from '../../services/context.ts';
import { acceptNotifications, countWebhook } from '../../services/push-notifications.ts';
import { rateLimit } from '../rate-limits.ts';

/** The body limit of a provider that declares none (its webhook answers 404 anyway). */
const DEFAULT_BODY_LIMIT = 16 * 1024;
/**
 * The longest validationToken echoed. Graph's tokens are a sentence and a request id, far shorter; the
 * format is opaque and may change ("treat the validation token value as opaque"), hence the margin.
 */
export const MAX_VALIDATION_TOKEN_LENGTH = 1024;

export const webhookRoutes: FastifyPluginAsync<{ context: AppContext }> = async (app, { context }) => {
  for (const provider of PROVIDERS) {
    const adapter = context.providers[provider];
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const query = request.query as Record<string, unknown>;
      if (adapter?.webhookHandshake && query.validationToken !== undefined) {
        return handshake(query.validationToken, reply);
      }
      if (!adapter?.readNotifications) return reply.status(404).send();
      let read: Awaited<ReturnType<NonNullable<typeof adapter.readNotifications>>>;
      try {
        read = await adapter.readNotifications({
          authorization:
            typeof request.headers.authorization === 'string' ? request.headers.authorization : undefined,
          body: request.body,
        });
      } catch (error) {
        // Our side could not check it (the signing keys were unreachable): ask the sender to retry.
        if (error instanceof ProviderError && error.kind === 'transient') return reply.status(503).send();
        if (error instanceof ProviderError && error.code === 'push_malformed') {
          countWebhook(provider, { ignored: 1 });
          throw new AppError('bad_request', 'not a push notification body');
        }
        countWebhook(provider, { rejected: 1 });
        request.log.warn({ err: error, provider }, 'refused an unauthenticated push notification');
        return reply.status(401).send();
      }
      const outcomes = await acceptNotifications(context, provider, read.notifications);
      countWebhook(provider, { ...outcomes, ignored: read.ignored });
      if (outcomes.rejected > 0) {
        request.log.warn({ provider, ...outcomes }, 'push notifications with a wrong clientState');
      }
      // Unknown mailboxes or subscriptions are acknowledged too: a retry would not make them known.
      return reply.status(202).send();
    };
    const options = {
      config: { public: true, rateLimit: rateLimit('webhooks') },
      schema: { hide: true },
      bodyLimit: adapter?.webhookBodyLimit ?? DEFAULT_BODY_LIMIT,
    };
    app.post(`/webhooks/${provider}`, options, handler);
    app.post(`/webhooks/${provider}/lifecycle`, options, handler);
  }
};

/**
 * Graph checks a new subscription's URLs by posting a validationToken that must come back, URL-decoded, as
 * plain text within 10 s ("notificationUrl validation", Receive change notifications through webhooks).
 * The echo is inert: plain text that browsers must not sniff into HTML, never cached; a repeated, empty,
 * over-long token or one with control characters is none Graph sends, and is refused.
 */
function handshake(token: unknown, reply: FastifyReply) {
  if (
    typeof token !== 'string' ||
    token.length === 0 ||
    token.length > MAX_VALIDATION_TOKEN_LENGTH ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
    /[\u0000-\u001f\u007f]/.test(token)
  ) {
    throw new AppError('bad_request', 'validationToken must be one printable token');
  }
  return reply
    .status(200)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .type('text/plain; charset=utf-8')
    .send(token);
}
