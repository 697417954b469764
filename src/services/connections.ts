/** A user's view of their connection, disconnecting it (R12), and the admins' health view of everyone's. */
import { insertAuditEvent } from '../db/audit.ts';
import { type Connection, findUserConnection, latestConnectionsOf } from '../db/connections.ts';
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
}

export function viewOf(connection: Connection): ConnectionView {
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
  };
}

export async function myConnection(context: AppContext, user: UserPrincipal): Promise<ConnectionView | null> {
  const connection = await findUserConnection(context.db, user.orgId, user.userId);
  return connection ? viewOf(connection) : null;
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
  return viewOf(after);
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
  const byUser = new Map(connections.map((connection) => [connection.userId, connection]));
  return users.map((user) => {
    const connection = byUser.get(user.id);
    return {
      user: { id: user.id, email: user.email, name: user.name },
      connection: connection ? viewOf(connection) : null,
    };
  });
}
