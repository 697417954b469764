/**
 * Mailbox connections. Tokens are stored sealed by the vault (the callers seal and open them); this module
 * never sees them in clear. A user has at most one live connection ('connected' or 'reauthorization_required')
 * and a mailbox belongs to at most one live connection across all organizations.
 */
import { type Selectable, sql } from 'kysely';
import type { Database } from './database.ts';
import type { ConnectionStatus, MailboxConnectionsTable, ProviderName } from './schema.ts';

export const LIVE_STATUSES = ['connected', 'reauthorization_required'] as const satisfies ConnectionStatus[];

export interface Connection {
  orgId: string;
  id: string;
  userId: string;
  provider: ProviderName;
  address: string;
  status: ConnectionStatus;
  providerSubject: string;
  tenantId: string | null;
  scopes: string[];
  warning: string | null;
  authorizedAt: Date;
  accessTokenExpiresAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  statusChangedAt: Date;
}

/** A connection with its sealed tokens, for the code that refreshes or revokes them. */
export interface ConnectionSecrets extends Connection {
  refreshToken: string | null;
  accessToken: string | null;
}

const COLUMNS = [
  'org_id',
  'id',
  'user_id',
  'provider',
  'address',
  'status',
  'provider_subject',
  'tenant_id',
  'scopes',
  'warning',
  'authorized_at',
  'access_token_expires_at',
  'last_error',
  'last_error_at',
  'status_changed_at',
] as const;

export async function findConnection(
  db: Database,
  orgId: string,
  connectionId: string,
): Promise<Connection | undefined> {
  const row = await db
    .selectFrom('mailbox_connections')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('id', '=', connectionId)
    .executeTakeFirst();
  return row && toConnection(row);
}

/** The user's live connection, or else their latest one. */
export async function findUserConnection(
  db: Database,
  orgId: string,
  userId: string,
): Promise<Connection | undefined> {
  const row = await db
    .selectFrom('mailbox_connections')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .orderBy(sql`status in ('connected', 'reauthorization_required')`, 'desc')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toConnection(row);
}

/** Locks a connection row and reads its sealed tokens (one refresh or revocation at a time, across processes). */
export async function lockConnection(
  db: Database,
  orgId: string,
  connectionId: string,
): Promise<ConnectionSecrets | undefined> {
  const row = await db
    .selectFrom('mailbox_connections')
    .select([...COLUMNS, 'refresh_token', 'access_token'])
    .where('org_id', '=', orgId)
    .where('id', '=', connectionId)
    .forUpdate()
    .executeTakeFirst();
  return row && { ...toConnection(row), refreshToken: row.refresh_token, accessToken: row.access_token };
}

/** Locks every live connection of an organization (the provider setting is changing). */
export async function lockLiveConnections(db: Database, orgId: string): Promise<ConnectionSecrets[]> {
  const rows = await db
    .selectFrom('mailbox_connections')
    .select([...COLUMNS, 'refresh_token', 'access_token'])
    .where('org_id', '=', orgId)
    .where('status', 'in', LIVE_STATUSES)
    .forUpdate()
    .execute();
  return rows.map((row) => ({
    ...toConnection(row),
    refreshToken: row.refresh_token,
    accessToken: row.access_token,
  }));
}

/** How many users of an organization have a live connection: those a provider change un-authorizes (R4, R5). */
export async function countUsersWithLiveConnection(db: Database, orgId: string): Promise<number> {
  const { count } = await db
    .selectFrom('mailbox_connections')
    .select((eb) => eb.fn.count<string>('user_id').distinct().as('count'))
    .where('org_id', '=', orgId)
    .where('status', 'in', LIVE_STATUSES)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** The live connection of a mailbox anywhere (a mailbox is connected once). */
export async function findLiveConnectionByAddress(
  db: Database,
  provider: ProviderName,
  address: string,
): Promise<{ orgId: string; id: string; userId: string } | undefined> {
  const row = await db
    .selectFrom('mailbox_connections')
    .select(['org_id', 'id', 'user_id'])
    .where('provider', '=', provider)
    .where('address', '=', address.toLowerCase())
    .where('status', 'in', LIVE_STATUSES)
    .executeTakeFirst();
  return row && { orgId: row.org_id, id: row.id, userId: row.user_id };
}

export interface NewConnection {
  userId: string;
  provider: ProviderName;
  address: string;
  providerSubject: string;
  tenantId: string | null;
  scopes: string[];
  warning: string | null;
  authorizedAt: Date;
  accessTokenExpiresAt: Date;
}

/** Creates a connection; its sealed tokens are set right after (they are bound to its id). */
export async function insertConnection(db: Database, orgId: string, input: NewConnection): Promise<string> {
  const { id } = await db
    .insertInto('mailbox_connections')
    .values({
      org_id: orgId,
      user_id: input.userId,
      provider: input.provider,
      address: input.address.toLowerCase(),
      status: 'connected',
      provider_subject: input.providerSubject,
      tenant_id: input.tenantId,
      scopes: input.scopes,
      warning: input.warning,
      authorized_at: input.authorizedAt,
      access_token_expires_at: input.accessTokenExpiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** A reconnect after a lost grant (R7): connected again, same row, same cursor and `authorized_at`. */
export async function reactivateConnection(
  db: Database,
  orgId: string,
  connectionId: string,
  input: { warning: string | null; providerSubject: string },
): Promise<void> {
  await db
    .updateTable('mailbox_connections')
    .set({
      status: 'connected',
      status_changed_at: sql<Date>`now()`,
      warning: input.warning,
      provider_subject: input.providerSubject,
      last_error: null,
      last_error_at: null,
    })
    .where('org_id', '=', orgId)
    .where('id', '=', connectionId)
    .execute();
}

/** Stores new sealed tokens (after a consent or a refresh) and clears any error. */
export async function storeTokens(
  db: Database,
  orgId: string,
  connectionId: string,
  tokens: {
    refreshToken: string | null;
    accessToken: string;
    expiresAt: Date;
    scopes?: string[] | undefined;
  },
): Promise<void> {
  await db
    .updateTable('mailbox_connections')
    .set({
      refresh_token: tokens.refreshToken,
      access_token: tokens.accessToken,
      access_token_expires_at: tokens.expiresAt,
      ...(tokens.scopes?.length ? { scopes: tokens.scopes } : {}),
      last_error: null,
      last_error_at: null,
    })
    .where('org_id', '=', orgId)
    .where('id', '=', connectionId)
    .execute();
}

/** Moves a connection to a new status; leaving the live statuses erases its tokens. */
export async function setConnectionStatus(
  db: Database,
  orgId: string,
  connectionIds: string[],
  status: ConnectionStatus,
  lastError: string | null = null,
): Promise<void> {
  if (connectionIds.length === 0) return;
  const erase = status !== 'connected';
  await db
    .updateTable('mailbox_connections')
    .set({
      status,
      status_changed_at: sql<Date>`now()`,
      ...(erase && { refresh_token: null, access_token: null, access_token_expires_at: null }),
      ...(lastError !== null && { last_error: lastError, last_error_at: sql<Date>`now()` }),
    })
    .where('org_id', '=', orgId)
    .where('id', 'in', connectionIds)
    .execute();
}

/** Records an error in words on the connection, leaving its status alone. */
export async function recordConnectionError(
  db: Database,
  orgId: string,
  connectionId: string,
  error: string,
) {
  await db
    .updateTable('mailbox_connections')
    .set({ last_error: error, last_error_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', connectionId)
    .execute();
}

/** Connections whose access token expires within `withinMs` (the refresh job's work list, all organizations). */
export async function connectionsExpiringWithin(
  db: Database,
  withinMs: number,
  limit: number,
): Promise<{ orgId: string; id: string }[]> {
  const rows = await db
    .selectFrom('mailbox_connections')
    .select(['org_id', 'id'])
    .where('status', '=', 'connected')
    .where('access_token_expires_at', '<', new Date(Date.now() + withinMs))
    .orderBy('access_token_expires_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ orgId: row.org_id, id: row.id }));
}

/** Each listed user's live connection, or else their latest one (the admin's health view). */
export async function latestConnectionsOf(
  db: Database,
  orgId: string,
  userIds: string[],
): Promise<Connection[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('mailbox_connections')
    .distinctOn('user_id')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('user_id', 'in', userIds)
    .orderBy('user_id')
    .orderBy(sql`status in ('connected', 'reauthorization_required')`, 'desc')
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(toConnection);
}

type ConnectionRow = Pick<Selectable<MailboxConnectionsTable>, (typeof COLUMNS)[number]>;

function toConnection(row: ConnectionRow): Connection {
  return {
    orgId: row.org_id,
    id: row.id,
    userId: row.user_id,
    provider: row.provider,
    address: row.address,
    status: row.status,
    providerSubject: row.provider_subject,
    tenantId: row.tenant_id,
    scopes: row.scopes,
    warning: row.warning,
    authorizedAt: row.authorized_at,
    accessTokenExpiresAt: row.access_token_expires_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    statusChangedAt: row.status_changed_at,
  };
}

/** Ids of every connection a user ever had (R19 answers about mail of earlier connections too). */
export async function connectionIdsOfUser(db: Database, orgId: string, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('mailbox_connections')
    .select('id')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .execute();
  return rows.map((row) => row.id);
}
