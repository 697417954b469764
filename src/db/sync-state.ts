/**
 * Each connection's sync state: the adapter's cursor, the push channel, and health. The cursor changes
 * only together with the writes it produced (see `db/mail.ts`), in one transaction, under a row lock.
 */
import { type Selectable, sql } from 'kysely';
import type { Database } from './database.ts';
import type { MailboxSyncTable } from './schema.ts';

export interface SyncState {
  orgId: string;
  connectionId: string;
  cursor: Record<string, unknown> | null;
  pushSubscriptionId: string | null;
  pushClientStateHash: Buffer | null;
  pushExpiresAt: Date | null;
  lastPushAt: Date | null;
  lastSyncStartedAt: Date | null;
  lastSyncSucceededAt: Date | null;
  lastSyncDurationMs: number | null;
  messagesSynced: number;
  consecutiveFailures: number;
  backoffUntil: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
}

/** Creates (or resets) a connection's state with its anchor cursor (R9). */
export async function saveAnchor(
  db: Database,
  orgId: string,
  connectionId: string,
  cursor: Record<string, unknown>,
) {
  await db
    .insertInto('mailbox_sync')
    .values({ org_id: orgId, connection_id: connectionId, cursor: JSON.stringify(cursor) })
    .onConflict((oc) =>
      oc.columns(['org_id', 'connection_id']).doUpdateSet({ cursor: JSON.stringify(cursor) }),
    )
    .execute();
}

export async function findSyncState(
  db: Database,
  orgId: string,
  connectionId: string,
): Promise<SyncState | undefined> {
  return readSyncState(db, orgId, connectionId, false);
}

/** Reads and locks the state until the transaction ends: one writer of a connection's sync at a time. */
export async function lockSyncState(
  db: Database,
  orgId: string,
  connectionId: string,
): Promise<SyncState | undefined> {
  return readSyncState(db, orgId, connectionId, true);
}

async function readSyncState(db: Database, orgId: string, connectionId: string, lock: boolean) {
  const query = db
    .selectFrom('mailbox_sync')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('connection_id', '=', connectionId);
  const row = await (lock ? query.forUpdate() : query).executeTakeFirst();
  return row && toState(row);
}

/** Moves the cursor forward and counts what was synced (call inside the transaction holding the lock). */
export async function advanceCursor(
  db: Database,
  orgId: string,
  connectionId: string,
  cursor: Record<string, unknown>,
  synced: number,
): Promise<void> {
  await db
    .updateTable('mailbox_sync')
    .set({ cursor: JSON.stringify(cursor), messages_synced: sql<string>`messages_synced + ${synced}` })
    .where('org_id', '=', orgId)
    .where('connection_id', '=', connectionId)
    .execute();
}

export async function markSyncStarted(
  db: Database,
  orgId: string,
  connectionId: string,
  at: Date,
): Promise<void> {
  await db
    .updateTable('mailbox_sync')
    .set({ last_sync_started_at: at })
    .where('org_id', '=', orgId)
    .where('connection_id', '=', connectionId)
    .execute();
}

/** A sync that saw everything up to `startedAt`: that is now the last safe time. */
export async function markSyncSucceeded(db: Database, orgId: string, connectionId: string, startedAt: Date) {
  await db
    .updateTable('mailbox_sync')
    .set({
      last_sync_succeeded_at: startedAt,
      last_sync_duration_ms: Date.now() - startedAt.getTime(),
      consecutive_failures: 0,
      backoff_until: null,
      last_error: null,
      last_error_at: null,
    })
    .where('org_id', '=', orgId)
    .where('connection_id', '=', connectionId)
    .execute();
}

export async function markSyncFailed(
  db: Database,
  orgId: string,
  connectionId: string,
  failure: { error: string; backoffUntil: Date | null },
): Promise<void> {
  await db
    .updateTable('mailbox_sync')
    .set((eb) => ({
      consecutive_failures: eb('consecutive_failures', '+', 1),
      backoff_until: failure.backoffUntil,
      last_error: failure.error,
      last_error_at: sql<Date>`now()`,
    }))
    .where('org_id', '=', orgId)
    .where('connection_id', '=', connectionId)
    .execute();
}

/** Records the push channel; the state row is created if sync has not run yet (push may start first). */
export async function savePushState(
  db: Database,
  orgId: string,
  connectionId: string,
  push: { subscriptionId: string | null; clientStateHash: Buffer | null; expiresAt: Date | null },
): Promise<void> {
  const values = {
    push_subscription_id: push.subscriptionId,
    push_client_state_hash: push.clientStateHash,
    push_expires_at: push.expiresAt,
  };
  await db
    .insertInto('mailbox_sync')
    .values({ org_id: orgId, connection_id: connectionId, ...values })
    .onConflict((oc) => oc.columns(['org_id', 'connection_id']).doUpdateSet(values))
    .execute();
}

/**
 * Connected mailboxes that neither pushed nor synced for `quietMs` (the polling fallback's list), including
 * any whose first sync never got as far as creating its state.
 */
export async function quietConnections(db: Database, quietMs: number, limit: number) {
  const since = new Date(Date.now() - quietMs);
  const rows = await db
    .selectFrom('mailbox_connections as c')
    .leftJoin('mailbox_sync as s', (join) =>
      join.onRef('s.org_id', '=', 'c.org_id').onRef('s.connection_id', '=', 'c.id'),
    )
    .select(['c.org_id', 'c.id'])
    .where('c.status', '=', 'connected')
    .where((eb) => eb.or([eb('s.last_push_at', 'is', null), eb('s.last_push_at', '<', since)]))
    .where((eb) =>
      eb.or([eb('s.last_sync_started_at', 'is', null), eb('s.last_sync_started_at', '<', since)]),
    )
    .orderBy('s.last_sync_started_at', (ob) => ob.asc().nullsFirst())
    .limit(limit)
    .execute();
  return rows.map((row) => ({ orgId: row.org_id, connectionId: row.id }));
}

/** Connected mailboxes whose push channel is missing or expires within `withinMs`. */
export async function pushesToRenew(db: Database, withinMs: number, limit: number) {
  const rows = await db
    .selectFrom('mailbox_sync as s')
    .innerJoin('mailbox_connections as c', (join) =>
      join.onRef('c.org_id', '=', 's.org_id').onRef('c.id', '=', 's.connection_id'),
    )
    .select(['s.org_id', 's.connection_id', 's.push_expires_at'])
    .where('c.status', '=', 'connected')
    .where((eb) =>
      eb.or([
        eb('s.push_expires_at', 'is', null),
        eb('s.push_expires_at', '<', new Date(Date.now() + withinMs)),
      ]),
    )
    .orderBy('s.push_expires_at', (ob) => ob.asc().nullsFirst())
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    orgId: row.org_id,
    connectionId: row.connection_id,
    expiresAt: row.push_expires_at,
  }));
}

function toState(row: Selectable<MailboxSyncTable>): SyncState {
  return {
    orgId: row.org_id,
    connectionId: row.connection_id,
    cursor: row.cursor,
    pushSubscriptionId: row.push_subscription_id,
    pushClientStateHash: row.push_client_state_hash,
    pushExpiresAt: row.push_expires_at,
    lastPushAt: row.last_push_at,
    lastSyncStartedAt: row.last_sync_started_at,
    lastSyncSucceededAt: row.last_sync_succeeded_at,
    lastSyncDurationMs: row.last_sync_duration_ms,
    messagesSynced: Number(row.messages_synced),
    consecutiveFailures: row.consecutive_failures,
    backoffUntil: row.backoff_until,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
  };
}

/** The sync states of several connections of one organization, by connection id. */
export async function syncStatesOf(
  db: Database,
  orgId: string,
  connectionIds: string[],
): Promise<Map<string, SyncState>> {
  if (connectionIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('mailbox_sync')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('connection_id', 'in', connectionIds)
    .execute();
  return new Map(rows.map((row) => [row.connection_id, toState(row)]));
}
