/**
 * Microsoft's `PushChannel`: a Graph subscription on the mailbox's messages ("Create subscription",
 * "Receive change notifications through webhooks"), and the reading of what Graph then posts to us.
 *
 * Creating a subscription makes Graph call both endpoints with `?validationToken=…` before it answers
 * (they must echo the token within 10 seconds), so the webhook must already be serving; a failed
 * handshake comes back as Graph's 400 and is thrown as its `ProviderError`. Lifecycle notifications go to
 * their own URL ("Reduce missing subscriptions and change notifications"): `reauthorizationRequired`
 * (renew), `subscriptionRemoved` (recreate, then resync) and `missed` (run a delta sync).
 */
import type { MicrosoftConfig } from '../../config.ts';
import { ProviderError } from '../errors.ts';
import type { PushChannel, PushState } from '../types.ts';
import { mapGraphError } from './errors.ts';
import { createGraphClient } from './graph.ts';

/**
 * The longest lifetime Graph grants a subscription on Outlook messages, in minutes: 10,080, under 7 days
 * (subscription resource, "Subscription lifetime"; 4,230 was the limit before).
 */
const MAX_LIFETIME_MINUTES = 10_080;
/** Kept off the maximum, so a clock ahead of Graph's does not ask for more than it grants. */
const SAFETY_MARGIN_MINUTES = 30;

/** Where Graph posts notifications, and how long a subscription lives. */
export interface PushSettings {
  /** Our webhook for change notifications (answers the validation handshake). */
  notificationUrl: string;
  /** Our webhook for lifecycle notifications. */
  lifecycleNotificationUrl: string;
  /** Subscription lifetime (default: the maximum less a safety margin). */
  lifetimeMinutes?: number;
}

/** Lifecycle events Graph sends for Outlook messages. */
export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

/** One notification, reduced to what the webhook needs. */
export interface GraphNotification {
  subscriptionId: string;
  /** Echoed secret, for the webhook to compare with the subscription's. */
  clientState: string | undefined;
  lifecycleEvent?: LifecycleEvent;
}

const LIFECYCLE_EVENTS: ReadonlySet<string> = new Set<LifecycleEvent>([
  'reauthorizationRequired',
  'subscriptionRemoved',
  'missed',
]);

/** Creates the Graph push channel for mailboxes, notifying the given webhooks. */
export function createMicrosoftPush(config: MicrosoftConfig, settings: PushSettings): PushChannel {
  const graph = createGraphClient(config);
  const lifetimeMs = (settings.lifetimeMinutes ?? MAX_LIFETIME_MINUTES - SAFETY_MARGIN_MINUTES) * 60_000;
  const expiry = () => new Date(Date.now() + lifetimeMs);

  /** Graph may grant less than asked: its answer's expiry counts. */
  const expiresAt = (body: unknown, asked: Date): Date => {
    const granted = Date.parse(String((body as { expirationDateTime?: unknown }).expirationDateTime));
    return Number.isNaN(granted) ? asked : new Date(granted);
  };

  return {
    async start(accessToken, { clientState }) {
      const asked = expiry();
      const response = await graph.ok(
        accessToken,
        {
          method: 'POST',
          path: 'subscriptions',
          json: {
            changeType: 'created,updated,deleted',
            resource: 'me/messages',
            notificationUrl: settings.notificationUrl,
            lifecycleNotificationUrl: settings.lifecycleNotificationUrl,
            clientState,
            expirationDateTime: asked.toISOString(),
          },
        },
        'subscriptions create',
      );
      const id = (response.body as { id?: unknown }).id;
      if (typeof id !== 'string')
        throw new ProviderError('transient', 'Graph created a subscription without id');
      return { subscriptionId: id, clientState, expiresAt: expiresAt(response.body, asked) };
    },

    async renew(accessToken, state) {
      if (!state.subscriptionId) throw new ProviderError('not_found', 'no Graph subscription to renew');
      const asked = expiry();
      // A 404 means Graph removed the subscription: `not_found`, and the caller creates a new one.
      const response = await graph.ok(
        accessToken,
        {
          method: 'PATCH',
          path: `subscriptions/${encodeURIComponent(state.subscriptionId)}`,
          json: { expirationDateTime: asked.toISOString() },
        },
        'subscriptions update',
      );
      return { ...state, expiresAt: expiresAt(response.body, asked) } satisfies PushState;
    },

    async stop(accessToken, state) {
      if (!state.subscriptionId) return;
      const response = await graph.request(accessToken, {
        method: 'DELETE',
        path: `subscriptions/${encodeURIComponent(state.subscriptionId)}`,
      });
      // Already gone (expired, or removed by Graph) counts as stopped.
      if (response.status === 404 || (response.status >= 200 && response.status < 300)) return;
      throw mapGraphError(response, 'subscriptions delete');
    },
  };
}

/**
 * The most entries one POST is read for; entries past it are not read at all. Graph batches queued
 * notifications into one POST ("When many changes occur, Microsoft Graph may send multiple notifications …
 * in the same POST request", Receive change notifications through webhooks) without naming a size; 1,000 is
 * the largest batch we expect from it. Cutting rather than refusing loses nothing: a notification only asks
 * for a delta sync, and the poll catches up a mailbox whose notification was not read, where a refused
 * batch would come back whole on every retry.
 */
export const MAX_NOTIFICATIONS_PER_REQUEST = 1000;
/** Graph subscription ids are GUIDs and a clientState is at most 128 characters (subscription resource). */
const MAX_ID_LENGTH = 128;
const MAX_CLIENT_STATE_LENGTH = 128;
/** The largest notification POST read: 1,000 basic notifications fit in well under a mebibyte. */
export const GRAPH_NOTIFICATION_BODY_LIMIT = 1024 * 1024;

/** A notification POST read: its usable entries, and how many were malformed, unknown or past the cap. */
export interface GraphNotificationBatch {
  notifications: GraphNotification[];
  ignored: number;
}

/**
 * Reads a notification POST from Graph (`{"value": [...]}`, change or lifecycle notifications); throws
 * `permanent` (`push_malformed`) when the body is not one. Each entry stands on its own: a malformed entry,
 * a lifecycle event this code does not know, or an entry past the cap is ignored, and its siblings are kept.
 */
export function parseGraphNotifications(body: unknown): GraphNotificationBatch {
  const malformed = (why: string) =>
    new ProviderError('permanent', `not a Graph notification body: ${why}`, { code: 'push_malformed' });
  let parsed = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      parsed = JSON.parse(body.toString());
    } catch {
      throw malformed('not JSON');
    }
  }
  const value =
    typeof parsed === 'object' && parsed !== null ? (parsed as { value?: unknown }).value : undefined;
  if (!Array.isArray(value)) throw malformed('no value array');
  const notifications: GraphNotification[] = [];
  for (const item of value.slice(0, MAX_NOTIFICATIONS_PER_REQUEST)) {
    const notification = readEntry(item);
    if (notification) notifications.push(notification);
  }
  return { notifications, ignored: value.length - notifications.length };
}

/** One entry of the `value` array, or undefined when it is not a notification this code acts on. */
function readEntry(item: unknown): GraphNotification | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const { subscriptionId, clientState, lifecycleEvent } = item as Record<string, unknown>;
  if (typeof subscriptionId !== 'string' || subscriptionId === '' || subscriptionId.length > MAX_ID_LENGTH)
    return undefined;
  if (clientState !== undefined && clientState !== null && typeof clientState !== 'string') return undefined;
  if (typeof clientState === 'string' && clientState.length > MAX_CLIENT_STATE_LENGTH) return undefined;
  const notification: GraphNotification = {
    subscriptionId,
    clientState: typeof clientState === 'string' ? clientState : undefined,
  };
  if (lifecycleEvent !== undefined) {
    if (typeof lifecycleEvent !== 'string' || !LIFECYCLE_EVENTS.has(lifecycleEvent)) return undefined;
    notification.lifecycleEvent = lifecycleEvent as LifecycleEvent;
  }
  return notification;
}
