/** A user's view of their connection, disconnecting it (R12), and the admins' health view of everyone's. */
import { insertAuditEvent } from '../db/audit.ts';
import { type Connection, findUserConnection, latestConnectionsOf } from '../db/connections.ts';
import { findSyncState, type SyncState, syncStatesOf } from '../db/sync-state.ts';
import { listUsers } from '../db/users.ts';
import type { Principal } from '../domain/principal.ts';
import type { AppContext } from './context.ts';
import { endConnections, lockLiveConnectionOf } from './grants.ts';

type UserPrincipal = Extract<Principal, { kind: 'user' }>;

/** What a user and their admins see of a connection: its state and health, never tokens or mail. */
export interface ConnectionView {
  id: string;
  provider: Connection['provider'];
  address: string;
  status: Connection['status'];
  warning: string | null;
  authorizedAt: Date;
  statusChangedAt: Date;
  lastError: string | null;
  lastErrorAt: Date | null;
  /** Sync health: counts and times only, never mail. */
  sync: {
    lastSyncAt: Date | null;
    messagesSynced: number;
    error: string | null;
    backoffUntil: Date | null;
    pushActive: boolean;
  };
}

export function viewOf(connection: Connection, state?: SyncState): ConnectionView {
  return {
    id: connection.id,
    provider: connection.provider,
    address: connection.address,
    status: connection.status,
    warning: connection.warning,
    authorizedAt: connection.authorizedAt,
    statusChangedAt: connection.statusChangedAt,
    lastError: connection.lastError,
    lastErrorAt: connection.lastErrorAt,
    sync: {
      lastSyncAt: state?.lastSyncSucceededAt ?? null,
      messagesSynced: state?.messagesSynced ?? 0,
      error: state?.lastError ?? null,
      backoffUntil: state?.backoffUntil && state.backoffUntil > new Date() ? state.backoffUntil : null,
      // A lost grant stops push at the provider's end whatever the channel's expiry says: nothing arrives.
      pushActive:
        connection.status === 'connected' &&
        Boolean(state?.pushExpiresAt && state.pushExpiresAt > new Date()),
    },
  };
}

export async function myConnection(context: AppContext, user: UserPrincipal): Promise<ConnectionView | null> {
  const connection = await findUserConnection(context.db, user.orgId, user.userId);
  return connection ? viewOf(connection, await findSyncState(context.db, user.orgId, connection.id)) : null;
}

/** R12: sync stops and tokens go (revoked at the provider afterwards); what was synced stays. */
export async function disconnect(context: AppContext, user: UserPrincipal): Promise<ConnectionView> {
  await context.db.transaction().execute(async (trx) => {
    const locked = await lockLiveConnectionOf(trx, await findUserConnection(trx, user.orgId, user.userId));
    await endConnections(
      context,
      trx,
      [locked],
      'disconnected',
      'You disconnected this mailbox; sync stopped and synced mail stays.',
    );
    await insertAuditEvent(trx, user.orgId, {
      actorUserId: user.userId,
      action: 'mailbox_disconnected',
      details: { connectionId: locked.id, provider: locked.provider },
    });
  });
  const after = await findUserConnection(context.db, user.orgId, user.userId);
  if (!after) throw new Error('the connection vanished while disconnecting');
  return viewOf(after, await findSyncState(context.db, user.orgId, after.id));
}

/** Every user of the organization with their connection's health (admins), one page by email. */
export async function organizationConnections(
  context: AppContext,
  orgId: string,
  page: { limit: number; after?: string | undefined },
) {
  const users = await listUsers(context.db, orgId, page);
  const connections = await latestConnectionsOf(
    context.db,
    orgId,
    users.map((user) => user.id),
  );
  const states = await syncStatesOf(
    context.db,
    orgId,
    connections.map((connection) => connection.id),
  );
  const byUser = new Map(connections.map((connection) => [connection.userId, connection]));
  return users.map((user) => {
    const connection = byUser.get(user.id);
    return {
      user: { id: user.id, email: user.email, name: user.name },
      connection: connection ? viewOf(connection, states.get(connection.id)) : null,
    };
  });
}
