/**
 * Every job the worker runs, with its typed payload. Jobs are thin: they check their input and make one
 * service call; the work and its rules live in the services.
 */
import { parseCronItems, type Task, type TaskList } from 'graphile-worker';
import { expireDecisions } from '../db/mail.ts';
import { deleteExpiredFlows } from '../db/oauth-flows.ts';
import { checkBookings } from '../services/booking-checks.ts';
import { discardAbandonedGrants } from '../services/connect-mailbox.ts';
import type { AppContext } from '../services/context.ts';
import { refreshExpiringTokens, revokePendingGrant } from '../services/grants.ts';
import { pollQuietMailboxes, renewPush, renewPushes, runSync, startPush } from '../services/sync.ts';

declare global {
  namespace GraphileWorker {
    interface Tasks {
      sync_mailbox: { orgId: string; connectionId: string };
      start_push: { orgId: string; connectionId: string };
      /** For one mailbox (forced, e.g. Graph's reauthorizationRequired), or every push channel due. */
      renew_push: { orgId?: string; connectionId?: string };
      poll_quiet: Record<string, never>;
      revoke_grant: { orgId: string; revocationId: string };
      refresh_tokens: Record<string, never>;
      purge_expired: Record<string, never>;
      /** R18: held bookings completed, deleted or declined events cancelled, late links and reminders posted. */
      check_bookings: Record<string, never>;
    }
  }
}

/**
 * Recurring jobs: quiet mailboxes polled and tokens refreshed ahead of expiry every minute; push channels
 * renewed hourly (each within its provider's margin); expired OAuth flows and old R19 decisions purged;
 * booked interviews checked against the calendar every five minutes (R18).
 */
export const cronItems = parseCronItems([
  { task: 'poll_quiet', match: '* * * * *', identifier: 'poll_quiet' },
  { task: 'refresh_tokens', match: '* * * * *', identifier: 'refresh_tokens' },
  { task: 'renew_push', match: '7 * * * *', identifier: 'renew_push' },
  { task: 'purge_expired', match: '17 * * * *', identifier: 'purge_expired' },
  { task: 'check_bookings', match: '*/5 * * * *', identifier: 'check_bookings' },
]);

export interface TaskSettings {
  /** A mailbox without push or sync for this long is polled. */
  pollQuietMs: number;
  /** R19 decisions older than this are deleted. */
  decisionTtlMs: number;
}

export function createTaskList(context: AppContext, settings: TaskSettings): TaskList {
  const mailbox = (payload: unknown) => {
    const { orgId, connectionId } = (payload ?? {}) as { orgId?: unknown; connectionId?: unknown };
    return typeof orgId === 'string' && typeof connectionId === 'string'
      ? { orgId, connectionId }
      : undefined;
  };
  const syncMailbox: Task<'sync_mailbox'> = async (payload) => {
    const target = mailbox(payload);
    if (target) await runSync(context, target.orgId, target.connectionId);
  };
  const startPushTask: Task<'start_push'> = async (payload) => {
    const target = mailbox(payload);
    if (target) await startPush(context, target.orgId, target.connectionId);
  };
  const renewPushTask: Task<'renew_push'> = async (payload) => {
    const target = mailbox(payload);
    if (target) await renewPush(context, target.orgId, target.connectionId, true);
    else await renewPushes(context);
  };
  const pollQuiet: Task<'poll_quiet'> = async () => {
    await pollQuietMailboxes(context, settings.pollQuietMs);
  };
  const revokeGrant: Task<'revoke_grant'> = async (payload, helpers) => {
    if (typeof payload?.orgId !== 'string' || typeof payload.revocationId !== 'string') return;
    const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
    await revokePendingGrant(context, payload.orgId, payload.revocationId, lastAttempt);
  };
  const refreshTokens: Task<'refresh_tokens'> = async () => {
    await refreshExpiringTokens(context);
  };
  const purgeExpired: Task<'purge_expired'> = async () => {
    await discardAbandonedGrants(context);
    await deleteExpiredFlows(context.db);
    await expireDecisions(context.db, settings.decisionTtlMs);
  };
  const checkBookingsTask: Task<'check_bookings'> = async () => {
    await checkBookings(context);
  };
  return {
    sync_mailbox: syncMailbox as Task,
    start_push: startPushTask as Task,
    renew_push: renewPushTask as Task,
    poll_quiet: pollQuiet as Task,
    revoke_grant: revokeGrant as Task,
    refresh_tokens: refreshTokens as Task,
    purge_expired: purgeExpired as Task,
    check_bookings: checkBookingsTask as Task,
  };
}
