/**
 * The queries behind the webhooks, each one statement for a whole request whatever its number of entries:
 * who a batch of notifications is about, then the pushes noted and the jobs they call for queued together.
 * A webhook is public, so its database work must not grow with what a sender puts in the body.
 */
import { sql } from 'kysely';
import { LIVE_STATUSES } from './connections.ts';
import type { Database } from './database.ts';
import type { ProviderName } from './schema.ts';

/** The mailbox a Graph subscription belongs to, with the hash of the clientState it was made with. */
export interface SubscriptionOwner {
  orgId: string;
  connectionId: string;
  clientStateHash: Buffer | null;
}

/** The owners of the given Graph subscriptions (ids not found are absent), in one query. */
export async function subscriptionOwners(
  db: Database,
  subscriptionIds: string[],
): Promise<Map<string, SubscriptionOwner>> {
  const rows = await db
    .selectFrom('mailbox_sync')
    .select(['push_subscription_id', 'org_id', 'connection_id', 'push_client_state_hash'])
    .where('push_subscription_id', '=', sql<string>`any(${subscriptionIds}::text[])`)
    .execute();
  return new Map(
    rows.map((row) => [
      row.push_subscription_id ?? '',
      { orgId: row.org_id, connectionId: row.connection_id, clientStateHash: row.push_client_state_hash },
    ]),
  );
}

/** The live connections of `provider` with the given addresses (lowercased), by address, in one query. */
export async function liveConnectionsByAddress(
  db: Database,
  provider: ProviderName,
  addresses: string[],
): Promise<Map<string, { orgId: string; connectionId: string }>> {
  const rows = await db
    .selectFrom('mailbox_connections')
    .select(['address', 'org_id', 'id'])
    .where('provider', '=', provider)
    .where('address', '=', sql<string>`any(${addresses.map((address) => address.toLowerCase())}::text[])`)
    .where('status', 'in', LIVE_STATUSES)
    .execute();
  return new Map(rows.map((row) => [row.address, { orgId: row.org_id, connectionId: row.id }]));
}

/** A Graphile Worker job to queue (https://worker.graphile.org/docs/sql-add-job#add_jobs). */
export interface JobSpec {
  task: string;
  payload: Record<string, unknown>;
  queueName?: string | undefined;
  /** One pending job per key; the specs of one call must not repeat a key. */
  jobKey?: string | undefined;
  maxAttempts?: number | undefined;
}

/**
 * Notes a push on each mailbox (the poll leaves recently pushed mailboxes alone) and queues `jobs` with
 * Graphile Worker's `add_jobs`, in one statement: one round trip, and atomic, however many mailboxes.
 */
export async function recordPushes(
  db: Database,
  mailboxes: { orgId: string; connectionId: string }[],
  jobs: JobSpec[],
): Promise<void> {
  if (jobs.length === 0) return;
  const specs = jobs.map((job) => ({
    identifier: job.task,
    payload: job.payload,
    queue_name: job.queueName ?? null,
    max_attempts: job.maxAttempts ?? null,
    job_key: job.jobKey ?? null,
  }));
  // A data-modifying WITH runs to completion whether or not the main query reads it (PostgreSQL, "WITH
  // Queries", 7.8.4), so the update needs no second statement.
  await sql`
    with touched as (
      update mailbox_sync s set last_push_at = now()
      from unnest(${mailboxes.map((box) => box.orgId)}::uuid[], ${mailboxes.map((box) => box.connectionId)}::uuid[])
        as pushed(org_id, connection_id)
      where s.org_id = pushed.org_id and s.connection_id = pushed.connection_id
      returning 1
    )
    select count(*) from graphile_worker.add_jobs(
      array(select spec from json_populate_recordset(null::graphile_worker.job_spec, ${JSON.stringify(specs)}::json) spec)
    )`.execute(db);
}
