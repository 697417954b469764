/**
 * Acting on a webhook's notifications, a whole request at a time: authenticate every entry, collapse what
 * the authentic ones ask for into at most one sync and one push-channel job per mailbox, and queue them.
 *
 * The cost is two statements per request whatever the body holds (the owners of its subscriptions or
 * addresses, then the pushes noted and jobs queued), so an unauthenticated sender cannot turn one request
 * into thousands of transactions.
 *
 * A forged entry (a subscription we do not know, or a clientState that does not match) is only counted:
 * each entry is authenticated on its own, so a forged entry in a batch neither blocks its authentic
 * siblings nor is a reason to answer differently. Graph's own batches may mix subscriptions, and refusing
 * a whole batch for one bad entry would make Graph retry its good entries too. Unknown and mismatched
 * entries run the same query and the same comparison, so neither the answer nor its cost tells a forger
 * which subscription ids exist.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  type JobSpec,
  liveConnectionsByAddress,
  recordPushes,
  subscriptionOwners,
} from '../db/push-targets.ts';
import type { Provider, PushNotification } from '../providers/types.ts';
import { metrics } from '../sync/metrics.ts';
import type { AppContext } from './context.ts';
import { clientStateHash, pushJobKey, syncJob } from './sync.ts';

/** How many entries of a request ended each way. */
export interface PushOutcomes {
  accepted: number;
  rejected: number;
  unknown: number;
}

/** What authentic notifications ask of one mailbox. */
interface MailboxWork {
  orgId: string;
  connectionId: string;
  sync: boolean;
  push: 'start' | 'renew' | undefined;
}

/** Compared against when a subscription is unknown, so that both cases do the same work. */
const NO_HASH = Buffer.alloc(32);

/** Authenticates a request's notifications and queues the work the authentic ones ask for. */
export async function acceptNotifications(
  context: AppContext,
  provider: Provider,
  notifications: PushNotification[],
): Promise<PushOutcomes> {
  const outcomes: PushOutcomes = { accepted: 0, rejected: 0, unknown: 0 };
  const work = new Map<string, MailboxWork>();
  const take = (owner: { orgId: string; connectionId: string }, notification: PushNotification) => {
    outcomes.accepted += 1;
    const entry = work.get(owner.connectionId) ?? { ...owner, sync: false, push: undefined };
    work.set(owner.connectionId, plan(entry, notification));
  };

  const mailboxes = notifications.filter((item) => item.kind === 'mailbox');
  if (mailboxes.length > 0) {
    // The transport authenticated these (Gmail's Pub/Sub push token was verified before we got here).
    const owners = await liveConnectionsByAddress(
      context.db,
      provider,
      unique(mailboxes.map((item) => item.address)),
    );
    for (const item of mailboxes) {
      const owner = owners.get(item.address.toLowerCase());
      if (owner) take(owner, item);
      else outcomes.unknown += 1;
    }
  }

  const subscriptions = notifications.filter((item) => item.kind === 'subscription');
  if (subscriptions.length > 0) {
    const owners = await subscriptionOwners(
      context.db,
      unique(subscriptions.map((item) => item.subscriptionId)),
    );
    for (const item of subscriptions) {
      const owner = owners.get(item.subscriptionId);
      const known = owner?.clientStateHash?.length === NO_HASH.length ? owner.clientStateHash : undefined;
      const matches = timingSafeEqual(clientStateHash(item.clientState ?? ''), known ?? NO_HASH);
      if (owner && known && item.clientState !== undefined && matches) take(owner, item);
      else if (owner) outcomes.rejected += 1;
      else outcomes.unknown += 1;
    }
  }

  const planned = [...work.values()];
  await recordPushes(context.db, planned, planned.flatMap(jobsFor));
  return outcomes;
}

/** Counts a request's outcomes for /metrics (`ignored`: entries not read, malformed or past the cap). */
export function countWebhook(
  provider: Provider,
  outcomes: Partial<PushOutcomes> & { ignored?: number },
): void {
  for (const [outcome, count] of Object.entries(outcomes)) {
    if (count) metrics.webhooks.inc({ provider, outcome }, count);
  }
}

/**
 * Adds one notification to a mailbox's work. A change or `missed` asks for a delta sync, which picks up
 * whatever happened; `reauthorizationRequired` renews the channel; `subscriptionRemoved` recreates it (which
 * covers a renewal) and syncs what the gap missed ("Reduce missing subscriptions and change notifications").
 */
function plan(work: MailboxWork, notification: PushNotification): MailboxWork {
  const event = notification.kind === 'subscription' ? notification.lifecycleEvent : undefined;
  if (event === 'reauthorizationRequired') return { ...work, push: work.push ?? 'renew' };
  if (event === 'subscriptionRemoved') return { ...work, push: 'start', sync: true };
  return { ...work, sync: true };
}

/** The jobs for one mailbox's work, one per job key (`add_jobs` takes each key once per call). */
function jobsFor(work: MailboxWork): JobSpec[] {
  const payload = { orgId: work.orgId, connectionId: work.connectionId };
  const jobs: JobSpec[] = [];
  if (work.push === 'start') {
    jobs.push({ task: 'start_push', payload, jobKey: pushJobKey(work.connectionId), maxAttempts: 5 });
  } else if (work.push === 'renew') {
    jobs.push({ task: 'renew_push', payload, jobKey: pushJobKey(work.connectionId) });
  }
  if (work.sync) jobs.push({ task: 'sync_mailbox', payload, ...syncJob(work.connectionId) });
  return jobs;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
