/**
 * Connections' tokens: where each is sealed (its vault context), getting a fresh access token (refreshing
 * under a row lock so that one connection refreshes once even with several workers, R7), and ending
 * connections (tokens erased now, revoked at the provider later by a job, best effort: R4, R5, R12).
 */
import { randomUUID } from 'node:crypto';
import {
  type Connection,
  type ConnectionSecrets,
  connectionsExpiringWithin,
  lockConnection,
  recordConnectionError,
  setConnectionStatus,
  storeTokens,
} from '../db/connections.ts';
import type { Database } from '../db/database.ts';
import { enqueue } from '../db/jobs.ts';
import { deleteRevocation, findRevocation, insertRevocation } from '../db/revocations.ts';
import type { ConnectionStatus } from '../db/schema.ts';
import { findSyncState, savePushState } from '../db/sync-state.ts';
import { AppError } from '../domain/errors.ts';
import type { Vault } from '../domain/vault.ts';
import { ProviderError } from '../providers/errors.ts';
import type { ProviderAdapter, TokenSet } from '../providers/types.ts';
import type { AppContext } from './context.ts';

/** Where each sealed secret lives: a ciphertext only opens in its own place. */
export const sealedAt = {
  refreshToken: (connectionId: string) => `connection:${connectionId}:refresh_token`,
  accessToken: (connectionId: string) => `connection:${connectionId}:access_token`,
  codeVerifier: (flowId: string) => `oauth_flow:${flowId}:code_verifier`,
  heldGrant: (flowId: string) => `oauth_flow:${flowId}:held_grant`,
  revocation: (revocationId: string) => `revocation:${revocationId}`,
};

/** An access token this far from expiry is refreshed before use. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** Seals and stores a connection's tokens; a refresh without a new refresh token keeps the stored one. */
export async function saveTokens(
  db: Database,
  vault: Vault,
  orgId: string,
  connectionId: string,
  tokens: TokenSet,
) {
  await storeTokens(db, orgId, connectionId, {
    refreshToken: tokens.refreshToken
      ? vault.seal(tokens.refreshToken, sealedAt.refreshToken(connectionId))
      : null,
    accessToken: vault.seal(tokens.accessToken, sealedAt.accessToken(connectionId)),
    expiresAt: tokens.expiresAt,
    scopes: tokens.scopes,
  });
}

/**
 * A usable access token for a connected mailbox, refreshed first when it is near expiry (or `force`d,
 * after the provider refused it). A dead grant moves the connection to `reauthorization_required`.
 */
export async function accessToken(
  context: AppContext,
  orgId: string,
  connectionId: string,
  options: { force?: boolean } = {},
): Promise<string> {
  const { db, vault } = context;
  const outcome = await db.transaction().execute(async (trx) => {
    const connection = await lockConnection(trx, orgId, connectionId);
    if (connection?.status !== 'connected') {
      throw new ProviderError('auth_revoked', 'the mailbox is not connected');
    }
    const fresh =
      connection.accessToken &&
      connection.accessTokenExpiresAt &&
      connection.accessTokenExpiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS;
    // Another process may have refreshed while we waited for the lock: then its token is ours too.
    if (fresh && !options.force && connection.accessToken) {
      return { token: vault.open(connection.accessToken, sealedAt.accessToken(connectionId)) };
    }
    return refreshLocked(context, trx, connection);
  });
  if ('error' in outcome) throw outcome.error;
  return outcome.token;
}

/** Refreshes a locked connection; errors are returned (not thrown) so the transaction commits what they changed. */
async function refreshLocked(
  context: AppContext,
  trx: Database,
  connection: ConnectionSecrets,
): Promise<{ token: string } | { error: ProviderError }> {
  const adapter = context.providers[connection.provider];
  if (!adapter)
    return { error: new ProviderError('permanent', `${connection.provider} is not configured here`) };
  if (!connection.refreshToken) {
    return { error: await markReauthorizationRequired(trx, connection, 'no refresh token is stored') };
  }
  const refreshToken = context.vault.open(connection.refreshToken, sealedAt.refreshToken(connection.id));
  try {
    const tokens = await adapter.oauth.refresh(refreshToken);
    await saveTokens(trx, context.vault, connection.orgId, connection.id, tokens);
    return { token: tokens.accessToken };
  } catch (error) {
    const failure =
      error instanceof ProviderError
        ? error
        : new ProviderError('transient', String(error), { cause: error });
    if (failure.kind === 'auth_revoked')
      return { error: await markReauthorizationRequired(trx, connection, failure.message) };
    await recordConnectionError(
      trx,
      connection.orgId,
      connection.id,
      `Refreshing access failed: ${failure.message}`,
    );
    return { error: failure };
  }
}

/** R7: the grant is dead; keep cursor and data, erase the tokens, and tell the user in words. */
async function markReauthorizationRequired(
  trx: Database,
  connection: Connection,
  why: string,
): Promise<ProviderError> {
  const words = `${connection.provider === 'google' ? 'Google' : 'Microsoft'} no longer accepts talentsync's access to ${connection.address} (${why}). Connect your mailbox again to resume; nothing synced so far is lost.`;
  await setConnectionStatus(trx, connection.orgId, [connection.id], 'reauthorization_required', words);
  return new ProviderError('auth_revoked', words);
}

/**
 * Ends connections in the caller's transaction: their tokens move, sealed, to revocation rows that a job
 * revokes at the provider after commit (best effort, never blocking), and the connections lose them.
 */
export async function endConnections(
  context: Pick<AppContext, 'vault'>,
  trx: Database,
  connections: ConnectionSecrets[],
  status: Extract<ConnectionStatus, 'disconnected' | 'deauthorized'>,
  reason: string,
): Promise<void> {
  const [first] = connections;
  if (!first) return;
  for (const connection of connections) {
    const sealed = connection.refreshToken ?? connection.accessToken;
    if (!sealed) continue;
    const field = connection.refreshToken ? sealedAt.refreshToken : sealedAt.accessToken;
    const token = context.vault.open(sealed, field(connection.id));
    const id = randomUUID();
    const sync = await findSyncState(trx, connection.orgId, connection.id);
    await insertRevocation(trx, connection.orgId, {
      id,
      connectionId: connection.id,
      provider: connection.provider,
      token: context.vault.seal(token, sealedAt.revocation(id)),
      push: {
        active: Boolean(sync?.pushExpiresAt && sync.pushExpiresAt.getTime() > Date.now()),
        subscriptionId: sync?.pushSubscriptionId ?? null,
      },
    });
    await savePushState(trx, connection.orgId, connection.id, {
      subscriptionId: null,
      clientStateHash: null,
      expiresAt: null,
    });
    await enqueue(trx, 'revoke_grant', { orgId: connection.orgId, revocationId: id }, { maxAttempts: 5 });
  }
  await setConnectionStatus(
    trx,
    first.orgId,
    connections.map((c) => c.id),
    status,
    reason,
  );
}

/** The live connection of a user, locked, or a clear error. */
export async function lockLiveConnectionOf(trx: Database, connection: Connection | undefined) {
  if (
    !connection ||
    (connection.status !== 'connected' && connection.status !== 'reauthorization_required')
  ) {
    throw new AppError('not_found', 'you have no connected mailbox');
  }
  const locked = await lockConnection(trx, connection.orgId, connection.id);
  if (!locked) throw new AppError('not_found', 'you have no connected mailbox');
  return locked;
}

/**
 * Revokes one ended grant at its provider (best effort). The row, and with it the token, goes after the
 * attempt: at once when it worked or can never work, after the last try when the provider kept failing.
 */
export async function revokePendingGrant(
  context: AppContext,
  orgId: string,
  revocationId: string,
  lastAttempt: boolean,
): Promise<void> {
  const pending = await findRevocation(context.db, orgId, revocationId);
  if (!pending) return;
  const adapter = context.providers[pending.provider];
  try {
    if (adapter) {
      const token = context.vault.open(pending.token, sealedAt.revocation(revocationId));
      if (pending.push.active && adapter.push) {
        await stopPush(adapter, token, pending.push.subscriptionId).catch((error: unknown) =>
          context.logger.warn(
            { err: error, orgId, connectionId: pending.connectionId },
            'stopping push failed',
          ),
        );
      }
      const revoked = await adapter.oauth.revoke(token);
      context.logger.info(
        { orgId, connectionId: pending.connectionId, revoked },
        'ended grant handled at the provider',
      );
    }
  } catch (error) {
    const retry =
      error instanceof ProviderError && (error.kind === 'transient' || error.kind === 'rate_limited');
    if (retry && !lastAttempt) throw error;
    context.logger.warn(
      { err: error, orgId, connectionId: pending.connectionId },
      'revoking an ended grant failed; token erased anyway',
    );
  }
  await deleteRevocation(context.db, orgId, revocationId);
}

/**
 * Stops an ended connection's push channel (R4: subscriptions and watches removed). Stopping needs an
 * access token, so the refresh token kept for the revocation buys one last.
 */
async function stopPush(adapter: ProviderAdapter, refreshToken: string, subscriptionId: string | null) {
  const { accessToken: token } = await adapter.oauth.refresh(refreshToken);
  await adapter.push?.stop(token, { subscriptionId: subscriptionId ?? undefined, expiresAt: new Date() });
}

/** Refreshes access tokens that expire soon, so that sync never waits on a refresh (R7). */
export async function refreshExpiringTokens(context: AppContext, withinMs = 10 * 60_000): Promise<number> {
  const due = await connectionsExpiringWithin(context.db, withinMs, 200);
  let refreshed = 0;
  for (const { orgId, id } of due) {
    try {
      await accessToken(context, orgId, id);
      refreshed += 1;
    } catch (error) {
      context.logger.warn(
        { err: error, orgId, connectionId: id },
        'refreshing an access token ahead of expiry failed',
      );
    }
  }
  return refreshed;
}
