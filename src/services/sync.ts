/**
 * Running sync: the per-mailbox job (serial per mailbox, a burst of pushes collapsing into one pending run),
 * its error policy, the push channels that trigger it, and the poll that catches what push missed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { findConnection } from '../db/connections.ts';
import type { Database } from '../db/database.ts';
import { enqueue } from '../db/jobs.ts';
import {
  findSyncState,
  markSyncFailed,
  pushesToRenew,
  quietConnections,
  savePushState,
} from '../db/sync-state.ts';
import { ProviderError } from '../providers/errors.ts';
import type { SyncContext } from '../sync/context.ts';
import { syncMailbox } from '../sync/engine.ts';
import type { AppContext } from './context.ts';
import { accessToken } from './grants.ts';

/** The sync engine's view of the application: the context, with the token lookup bound to it. */
export function syncContextOf(context: AppContext): SyncContext {
  return {
    ...context,
    accessToken: (orgId, connectionId, options) => accessToken(context, orgId, connectionId, options),
  };
}

/** The job key and queue of a mailbox's sync: one pending run at most, and runs one after another. */
export function syncJob(connectionId: string) {
  return { jobKey: `sync:${connectionId}`, queueName: `mailbox:${connectionId}`, maxAttempts: 8 };
}

/** The job key of a mailbox's push channel work (start or renew): one pending at most. */
export function pushJobKey(connectionId: string): string {
  return `push:${connectionId}`;
}

export async function enqueueSync(
  db: Database,
  orgId: string,
  connectionId: string,
  runAt?: Date,
): Promise<void> {
  await enqueue(db, 'sync_mailbox', { orgId, connectionId }, { ...syncJob(connectionId), runAt });
}

export async function enqueuePushStart(db: Database, orgId: string, connectionId: string): Promise<void> {
  await enqueue(
    db,
    'start_push',
    { orgId, connectionId },
    { jobKey: pushJobKey(connectionId), maxAttempts: 5 },
  );
}

/**
 * One sync run with its error policy. Rate limits reschedule the run after the provider's Retry-After;
 * transient failures are recorded and rethrown (the queue retries with backoff); a dead grant already
 * moved the connection to `reauthorization_required`; permanent failures are recorded and not retried.
 */
export async function runSync(context: AppContext, orgId: string, connectionId: string): Promise<void> {
  // A push or the poll replaces the rescheduled run with one due now: it still waits for Retry-After.
  const backoffUntil = (await findSyncState(context.db, orgId, connectionId))?.backoffUntil;
  if (backoffUntil && backoffUntil.getTime() > Date.now()) {
    await enqueueSync(context.db, orgId, connectionId, backoffUntil);
    return;
  }
  try {
    const result = await syncMailbox(syncContextOf(context), orgId, connectionId);
    if (result.status === 'more') await enqueueSync(context.db, orgId, connectionId);
  } catch (error) {
    const failure =
      error instanceof ProviderError
        ? error
        : new ProviderError('transient', String(error), { cause: error });
    if (failure.kind === 'auth_revoked') return;
    const wait = failure.kind === 'rate_limited' ? (failure.retryAfterMs ?? 1000) : undefined;
    const words = describeFailure(failure);
    await markSyncFailed(context.db, orgId, connectionId, {
      error: words,
      backoffUntil: wait === undefined ? null : new Date(Date.now() + wait),
    });
    context.logger.warn({ err: failure, orgId, connectionId, kind: failure.kind }, 'mailbox sync failed');
    if (wait !== undefined) {
      await enqueueSync(context.db, orgId, connectionId, new Date(Date.now() + wait));
      return;
    }
    if (failure.kind === 'transient' || failure.kind === 'not_found') throw failure;
  }
}

function describeFailure(error: ProviderError): string {
  switch (error.kind) {
    case 'rate_limited':
      return `The provider asked us to slow down; sync resumes in ${Math.ceil((error.retryAfterMs ?? 1000) / 1000)} s.`;
    case 'transient':
      return `The provider did not answer properly (${error.message}); sync retries shortly.`;
    default:
      return `Sync stopped on an error the provider reported (${error.message}).`;
  }
}

/** Starts (or restarts) push notifications for a connected mailbox. */
export async function startPush(context: AppContext, orgId: string, connectionId: string): Promise<void> {
  const connection = await findConnection(context.db, orgId, connectionId);
  const push = connection && context.providers[connection.provider]?.push;
  if (connection?.status !== 'connected' || !push) return;
  const token = await accessToken(context, orgId, connectionId);
  const previous = await findSyncState(context.db, orgId, connectionId);
  if (previous?.pushSubscriptionId && previous.pushExpiresAt) {
    await push
      .stop(token, { subscriptionId: previous.pushSubscriptionId, expiresAt: previous.pushExpiresAt })
      .catch(() => undefined);
  }
  const clientState = randomBytes(32).toString('base64url');
  const state = await push.start(token, { clientState });
  await savePushState(context.db, orgId, connectionId, {
    subscriptionId: state.subscriptionId ?? null,
    clientStateHash: state.clientState ? clientStateHash(state.clientState) : null,
    expiresAt: state.expiresAt,
  });
}

/** Renews push channels that lapse within their provider's margin (the hourly job). */
export async function renewPushes(context: AppContext): Promise<number> {
  const widest = Math.max(
    0,
    ...Object.values(context.providers).map((adapter) => adapter?.pushRenewMarginMs ?? 0),
  );
  let renewed = 0;
  for (const due of await pushesToRenew(context.db, widest, 200)) {
    try {
      if (await renewPush(context, due.orgId, due.connectionId)) renewed += 1;
    } catch (error) {
      context.logger.warn(
        { err: error, orgId: due.orgId, connectionId: due.connectionId },
        'renewing push failed',
      );
    }
  }
  return renewed;
}

/**
 * Renews one mailbox's push channel when it lapses within its provider's margin (or when `force`d, as
 * Graph's `reauthorizationRequired` asks); a channel that is missing or gone is started again, with a sync
 * for whatever it missed. Answers whether anything was renewed or started.
 */
export async function renewPush(context: AppContext, orgId: string, connectionId: string, force = false) {
  const connection = await findConnection(context.db, orgId, connectionId);
  const adapter = connection && context.providers[connection.provider];
  if (connection?.status !== 'connected' || !adapter?.push) return false;
  const state = await findSyncState(context.db, orgId, connectionId);
  const expiresAt = state?.pushExpiresAt;
  if (!force && expiresAt && expiresAt.getTime() - Date.now() > (adapter.pushRenewMarginMs ?? 0))
    return false;
  try {
    if (!state || !expiresAt) {
      await startPush(context, orgId, connectionId);
      return true;
    }
    const token = await accessToken(context, orgId, connectionId);
    const next = await adapter.push.renew(token, {
      subscriptionId: state.pushSubscriptionId ?? undefined,
      expiresAt,
    });
    await savePushState(context.db, orgId, connectionId, {
      subscriptionId: next.subscriptionId ?? state.pushSubscriptionId,
      clientStateHash: state.pushClientStateHash,
      expiresAt: next.expiresAt,
    });
    return true;
  } catch (error) {
    if (!(error instanceof ProviderError) || error.kind !== 'not_found') throw error;
    await startPush(context, orgId, connectionId);
    await enqueueSync(context.db, orgId, connectionId);
    return true;
  }
}

/** The polling fallback: syncs every connected mailbox that has been quiet for `quietMs`. */
export async function pollQuietMailboxes(context: AppContext, quietMs: number): Promise<number> {
  const quiet = await quietConnections(context.db, quietMs, 500);
  for (const { orgId, connectionId } of quiet) await enqueueSync(context.db, orgId, connectionId);
  return quiet.length;
}

/** What is kept of a Graph subscription's clientState: its SHA-256, compared in constant time. */
export function clientStateHash(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
