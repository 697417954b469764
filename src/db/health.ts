/**
 * Read-only questions about a deployment's database, for `talentsync doctor`: is the schema current, is a
 * worker alive, how far apart are the clocks, which mailboxes need someone. Nothing here writes.
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';
import { LIVENESS_LOCKS } from './jobs.ts';

/** Our migrations the database has applied, by name. */
export async function appliedMigrations(db: Database): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select name from schema_migrations order by name`
    .execute(db)
    .catch((error: { code?: string }) => {
      // 42P01: no such table, a database never migrated.
      if (error.code === '42P01') return { rows: [] };
      throw error;
    });
  return rows.map((row) => row.name);
}

/** Whether Graphile Worker's schema is there (the worker's half of `migrate`). */
export async function jobSchemaExists(db: Database): Promise<boolean> {
  const { rows } = await sql<{ present: boolean }>`
    select to_regclass('graphile_worker._private_jobs') is not null as present`.execute(db);
  return rows[0]?.present ?? false;
}

/**
 * Live worker processes: each holds a session advisory lock per worker pool while it runs
 * (jobs/liveness.ts), which PostgreSQL drops the moment the process goes. Answers the pools alive now,
 * and when a cron item last ran (the worker's own clock ticking), if ever.
 */
export async function workerSigns(db: Database): Promise<{ livePools: number; lastCronAt: Date | null }> {
  const { rows } = await sql<{ pools: string }>`
    select count(*) as pools from pg_locks
    where locktype = 'advisory' and classid = ${LIVENESS_LOCKS} and objsubid = 2 and granted
      -- pg_locks shows the whole server's; advisory locks belong to one database.
      and database = (select oid from pg_database where datname = current_database())`.execute(db);
  const cron = await sql<{ last: Date | null }>`
    select max(last_execution) as last from graphile_worker._private_known_crontabs`
    .execute(db)
    .catch(() => ({ rows: [{ last: null }] }));
  return { livePools: Number(rows[0]?.pools ?? 0), lastCronAt: cron.rows[0]?.last ?? null };
}

/** The database's clock minus ours, in milliseconds, corrected for half the round trip. */
export async function clockSkewMs(db: Database): Promise<number> {
  const sent = Date.now();
  const { rows } = await sql<{ now: Date }>`select clock_timestamp() as now`.execute(db);
  const received = Date.now();
  const theirs = rows[0]?.now.getTime() ?? received;
  return theirs - (sent + received) / 2;
}

/** Connected mailboxes whose push channel ends within `withinMs` (or has ended) without being renewed. */
export async function pushChannelsNearExpiry(db: Database, withinMs: number): Promise<number> {
  const row = await db
    .selectFrom('mailbox_sync')
    .innerJoin('mailbox_connections', (join) =>
      join
        .onRef('mailbox_connections.org_id', '=', 'mailbox_sync.org_id')
        .onRef('mailbox_connections.id', '=', 'mailbox_sync.connection_id'),
    )
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('mailbox_connections.status', '=', 'connected')
    .where('mailbox_sync.push_expires_at', 'is not', null)
    .where('mailbox_sync.push_expires_at', '<', new Date(Date.now() + withinMs))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** Connections whose grant was lost, per organization: their users must connect again. */
export async function connectionsAwaitingReauthorization(
  db: Database,
): Promise<{ orgId: string; primaryDomain: string; count: number }[]> {
  const rows = await db
    .selectFrom('mailbox_connections')
    .innerJoin('organizations', 'organizations.id', 'mailbox_connections.org_id')
    .select(['organizations.id as orgId', 'organizations.primary_domain as primaryDomain'])
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('mailbox_connections.status', '=', 'reauthorization_required')
    .groupBy(['organizations.id', 'organizations.primary_domain'])
    .orderBy('organizations.primary_domain')
    .execute();
  return rows.map((row) => ({ ...row, count: Number(row.count) }));
}
