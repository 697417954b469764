/**
 * Change and lifecycle notifications ("Receive change notifications through webhooks", "Reduce missing
 * subscriptions and change notifications"). Every mailbox change is matched against the live subscriptions
 * of that mailbox: a folder-scoped subscription (`me/mailFolders('inbox')/messages`) hears messages entering
 * (`created`) and leaving (`deleted`) the folder; a mailbox-wide one (`me/messages`) hears messages entering
 * and leaving the folder tree, and a move within it as `deleted` + `created` (the regular id changes) or,
 * when the subscription was created with immutable ids, as `updated`. Notifications go out through the
 * sandbox's push dispatcher (drops, duplicates, delays, retries). Expired subscriptions are removed.
 */
import type { SandboxCore } from '../core.ts';
import type { Mailbox, MailChange, StoredMessage } from './mailbox.ts';

export interface Subscription {
  id: string;
  resource: string;
  changeTypes: Set<string>;
  notificationUrl: string;
  lifecycleNotificationUrl: string | undefined;
  clientState: string | undefined;
  expiresAt: number;
  clientId: string;
  userEmail: string;
  userId: string;
  tenantId: string;
  /** Folder id for folder-scoped subscriptions; undefined for the whole mailbox. */
  folderId: string | undefined;
  immutableIds: boolean;
}

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

/** Graph's timestamp format for subscription expiry: seven fractional digits. */
export function expiryText(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export interface Notifier {
  subscriptions: Map<string, Subscription>;
  /** The subscription if it is still alive; expired ones are removed. */
  live(id: string): Subscription | undefined;
  onChange(mailbox: Mailbox, change: MailChange): void;
  lifecycle(subscription: Subscription, event: LifecycleEvent): void;
}

export function createNotifier(core: SandboxCore): Notifier {
  const subscriptions = new Map<string, Subscription>();

  const live = (id: string) => {
    const subscription = subscriptions.get(id);
    if (subscription && subscription.expiresAt <= core.clock.now()) {
      subscriptions.delete(id);
      return undefined;
    }
    return subscription;
  };

  const events = (subscription: Subscription, mailbox: Mailbox, change: MailChange) => {
    const { message } = change;
    const current = subscription.immutableIds ? message.immutableId : message.regularId;
    const old = subscription.immutableIds
      ? message.immutableId
      : change.type === 'moved'
        ? change.oldRegularId
        : change.type === 'deleted'
          ? change.regularId
          : current;
    const within = (folderId: string) => {
      if (subscription.folderId !== undefined) return folderId === subscription.folderId;
      const folder = mailbox.folders.get(folderId);
      return folder !== undefined && mailbox.inTree(folder);
    };
    const out: { changeType: string; id: string }[] = [];
    if (change.type === 'created' && within(message.folderId))
      out.push({ changeType: 'created', id: current });
    if (change.type === 'deleted' && within(change.folderId)) out.push({ changeType: 'deleted', id: old });
    if (change.type === 'moved') {
      const from = within(change.from);
      const to = within(message.folderId);
      if (from && to && subscription.immutableIds) out.push({ changeType: 'updated', id: current });
      else {
        if (from) out.push({ changeType: 'deleted', id: old });
        if (to) out.push({ changeType: 'created', id: current });
      }
    }
    return out;
  };

  const send = (subscription: Subscription, message: StoredMessage, changeType: string, id: string) => {
    const resource = `Users/${subscription.userId}/Messages/${id}`;
    const body = {
      value: [
        {
          subscriptionId: subscription.id,
          subscriptionExpirationDateTime: expiryText(subscription.expiresAt),
          changeType,
          resource,
          resourceData: {
            '@odata.type': '#Microsoft.Graph.Message',
            '@odata.id': resource,
            '@odata.etag': `W/"${message.changeKey}"`,
            id,
          },
          clientState: subscription.clientState ?? null,
          tenantId: subscription.tenantId,
        },
      ],
    };
    core.push.send('microsoft', {
      url: subscription.notificationUrl,
      body: JSON.stringify(body),
      headers: {},
      user: subscription.userEmail,
    });
  };

  return {
    subscriptions,
    live,
    onChange(mailbox, change) {
      for (const subscription of [...subscriptions.values()]) {
        if (subscription.userEmail !== mailbox.user.email || !live(subscription.id)) continue;
        for (const event of events(subscription, mailbox, change)) {
          if (subscription.changeTypes.has(event.changeType))
            send(subscription, change.message, event.changeType, event.id);
        }
      }
    },
    lifecycle(subscription, event) {
      if (subscription.lifecycleNotificationUrl) {
        const body = {
          value: [
            {
              subscriptionId: subscription.id,
              subscriptionExpirationDateTime: expiryText(subscription.expiresAt),
              tenantId: subscription.tenantId,
              clientState: subscription.clientState ?? null,
              lifecycleEvent: event,
            },
          ],
        };
        core.push.send('microsoft', {
          url: subscription.lifecycleNotificationUrl,
          body: JSON.stringify(body),
          headers: {},
          user: subscription.userEmail,
        });
      }
      if (event === 'subscriptionRemoved') subscriptions.delete(subscription.id);
    },
  };
}
