/**
 * Every job the worker runs, with its typed payload. Jobs are thin: they check their input and make one
 * service call; the work and its rules live in the services.
 */
import { parseCronItems, type Task, type TaskList } from 'graphile-worker';
import { deleteExpiredFlows } from '../db/oauth-flows.ts';
import type { AppContext } from '../services/context.ts';
import { refreshExpiringTokens, revokePendingGrant } from '../services/grants.ts';

declare global {
  namespace GraphileWorker {
    interface Tasks {
      revoke_grant: { orgId: string; revocationId: string };
      refresh_tokens: Record<string, never>;
      purge_expired: Record<string, never>;
    }
  }
}

/** Recurring jobs: tokens refreshed ahead of expiry every minute; expired OAuth flows purged hourly. */
export const cronItems = parseCronItems([
  { task: 'refresh_tokens', match: '* * * * *', identifier: 'refresh_tokens' },
  { task: 'purge_expired', match: '17 * * * *', identifier: 'purge_expired' },
]);

export function createTaskList(context: AppContext): TaskList {
  const revokeGrant: Task<'revoke_grant'> = async (payload, helpers) => {
    if (typeof payload?.orgId !== 'string' || typeof payload.revocationId !== 'string') return;
    const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
    await revokePendingGrant(context, payload.orgId, payload.revocationId, lastAttempt);
  };
  const refreshTokens: Task<'refresh_tokens'> = async () => {
    await refreshExpiringTokens(context);
  };
  const purgeExpired: Task<'purge_expired'> = async () => {
    await deleteExpiredFlows(context.db);
  };
  return {
    revoke_grant: revokeGrant as Task,
    refresh_tokens: refreshTokens as Task,
    purge_expired: purgeExpired as Task,
  };
}
