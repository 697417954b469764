/**
 * Gmail push (the "Push Notifications" guide): users.watch names a Pub/Sub topic and optional label filter;
 * each later mailbox change the filter lets through is published, and Pub/Sub pushes it to the endpoint as
 * `{"message":{"data": base64({"emailAddress","historyId"}), "messageId", "publishTime", ...},
 * "subscription"}` with an OIDC JWT in `Authorization` (Pub/Sub "Authentication for push subscriptions").
 * A watch lasts 7 days unless renewed; calling watch again replaces it.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError, operation } from './api.ts';
import { invalidArgument } from './errors.ts';
import { mailboxOf } from './gmail.ts';
import type { HistoryRecord, Mailbox } from './mailbox.ts';
import type { GoogleState } from './state.ts';

const WATCH_TTL_MS = 7 * 86_400_000;
const SERVICE_ACCOUNT_ID = '113062741158394682930';

/** Registers users.watch and users.stop. */
export function pushRoutes(app: FastifyInstance, state: GoogleState): void {
  app.post(
    '/gmail/v1/users/:userId/watch',
    operation(state, 'gmail.users.watch', (context, request) => {
      const body = (request.body ?? {}) as {
        topicName?: unknown;
        labelIds?: unknown;
        labelFilterBehavior?: unknown;
        labelFilterAction?: unknown;
      };
      if (typeof body.topicName !== 'string' || !/^projects\/[^/]+\/topics\/[^/]+$/.test(body.topicName)) {
        throw new ApiError(
          invalidArgument('Invalid topicName does not match projects/SOME_PROJECT/topics/SOME_TOPIC'),
        );
      }
      const labelIds = Array.isArray(body.labelIds)
        ? body.labelIds.filter((id): id is string => typeof id === 'string')
        : [];
      const behavior = String(body.labelFilterBehavior ?? body.labelFilterAction ?? 'include').toLowerCase();
      if (behavior !== 'include' && behavior !== 'exclude')
        throw new ApiError(invalidArgument(`Invalid labelFilterBehavior: ${behavior}`));
      const mailbox = mailboxOf(state, context);
      const expiration = state.core.clock.now() + WATCH_TTL_MS;
      mailbox.watch = { topicName: body.topicName, labelIds, behavior, expiration };
      return { historyId: String(mailbox.historyId), expiration: String(expiration) };
    }),
  );

  app.post(
    '/gmail/v1/users/:userId/stop',
    operation(state, 'gmail.users.stop', (context, _request, reply) => {
      mailboxOf(state, context).watch = undefined;
      return reply.status(204).send();
    }),
  );
}

/** Whether a change passes the watch's label filter. */
function passes(mailbox: Mailbox, record: HistoryRecord): boolean {
  const watch = mailbox.watch;
  if (!watch || watch.labelIds.length === 0) return true;
  const touched = new Set([
    ...record.message.labelIds,
    ...(record.labelsAdded ?? []),
    ...(record.labelsRemoved ?? []),
  ]);
  const hit = watch.labelIds.some((id) => touched.has(id));
  return watch.behavior === 'include' ? hit : !hit;
}

/** Publishes a mailbox change when the mailbox is watched and the change passes the filter. */
export function onMailboxChange(state: GoogleState, mailbox: Mailbox, record: HistoryRecord): void {
  if (passes(mailbox, record)) void publish(state, mailbox);
}

/** Pushes the mailbox's current historyId now if it has a live watch; answers whether it did. */
export async function publish(state: GoogleState, mailbox: Mailbox): Promise<boolean> {
  const watch = mailbox.watch;
  const now = state.core.clock.now();
  const subscription = state.pushSubscription;
  if (!watch || watch.expiration <= now || !subscription) return false;
  // Pub/Sub delivers a topic's messages only to that topic's subscriptions.
  if (subscription.topic !== undefined && subscription.topic !== watch.topicName) return false;
  const endpoint = subscription.pushConfig.pushEndpoint;
  const historyId = mailbox.historyId;
  const messageId = String(BigInt(`0x${randomBytes(6).toString('hex')}`));
  const publishTime = new Date(now).toISOString();
  const data = Buffer.from(JSON.stringify({ emailAddress: mailbox.email, historyId })).toString('base64');
  const project = watch.topicName.split('/')[1];
  const body = {
    message: {
      data,
      attributes: {},
      messageId,
      message_id: messageId,
      publishTime,
      publish_time: publishTime,
    },
    subscription: subscription.name ?? `projects/${project}/subscriptions/gmail-push`,
  };
  const { serviceAccountEmail, audience } = subscription.pushConfig.oidcToken;
  const email = serviceAccountEmail ?? 'gmail-push@talentsync-sandbox.iam.gserviceaccount.com';
  const jwt = await state.key.sign(
    { azp: SERVICE_ACCOUNT_ID, email, email_verified: true, sub: SERVICE_ACCOUNT_ID },
    {
      issuer: subscription.issuer ?? state.issuer(),
      audience: audience ?? endpoint,
      expiresInSeconds: 3600,
      now,
    },
  );
  state.core.push.send('google', {
    url: endpoint,
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${jwt}` },
    user: mailbox.email,
  });
  return true;
}
