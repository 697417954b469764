/**
 * R16's suppression list: erased members' normalized addresses as keyed hashes, never in clear.
 *
 * An erasure and a sync page's commit meet on transaction-level advisory locks keyed by those hashes:
 * the erasure takes them exclusively while it writes the suppressions, a page's commit takes them shared
 * before it re-checks its messages against the list. So a page that committed first is seen by the
 * erasure's deletions, and a page that commits after sees the suppression; none falls in between.
 * Locks are taken in key order, so two of them never wait on each other in a cycle.
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';

/** Takes the advisory locks of these address hashes until the transaction ends. */
export async function lockAddressHashes(
  db: Database,
  hashes: readonly Buffer[],
  mode: 'shared' | 'exclusive',
): Promise<void> {
  const keys = [...new Set(hashes.map((hash) => hash.readBigInt64BE(0).toString()))];
  if (keys.length === 0) return;
  const lock = mode === 'shared' ? sql`pg_advisory_xact_lock_shared` : sql`pg_advisory_xact_lock`;
  await sql`select ${lock}(k) from unnest(${keys}::bigint[]) k order by k`.execute(db);
}

/** Suppresses these hashes from now on; a hash suppressed before is stamped again (a new erasure). */
export async function suppressHashes(db: Database, hashes: readonly Buffer[]): Promise<void> {
  if (hashes.length === 0) return;
  await db
    .insertInto('suppressions')
    .values(hashes.map((hash) => ({ address_hash: hash })))
    .onConflict((oc) => oc.column('address_hash').doUpdateSet({ suppressed_at: sql<Date>`now()` }))
    .execute();
}

/** When each of these hashes was last suppressed, by the hash in hex; hashes never suppressed are absent. */
export async function findSuppressions(db: Database, hashes: readonly Buffer[]): Promise<Map<string, Date>> {
  if (hashes.length === 0) return new Map();
  const rows = await db
    .selectFrom('suppressions')
    .select(['address_hash', 'suppressed_at'])
    .where('address_hash', '=', sql<Buffer>`any(${hashes}::bytea[])`)
    .execute();
  return new Map(rows.map((row) => [row.address_hash.toString('hex'), row.suppressed_at]));
}

/** Erased members who still exist, with their normalized addresses, `limit` at a time after `after`. */
export async function erasedMembersAddresses(
  db: Database,
  page: { after: string | undefined; limit: number },
): Promise<{ memberId: string; addresses: string[] }[]> {
  const { rows } = await sql<{ member_id: string; addresses: string[] }>`
    select e.member_id, array_agg(me.normalized order by me.position) as addresses
    from (select distinct member_id from erasures) e
    join member_emails me on me.member_id = e.member_id
    where ${page.after === undefined ? sql`true` : sql`e.member_id > ${page.after}::uuid`}
    group by e.member_id
    order by e.member_id
    limit ${page.limit}`.execute(db);
  return rows.map((row) => ({ memberId: row.member_id, addresses: row.addresses }));
}

/**
 * Moves suppressions from older keys' hashes of one address to `current`'s, keeping the time of the
 * erasure; answers whether one was moved. Call with the hashes' advisory locks held.
 */
export async function carrySuppression(
  db: Database,
  current: Buffer,
  older: readonly Buffer[],
): Promise<boolean> {
  if (older.length === 0) return false;
  const { rows } = await sql<{ carried: boolean }>`
    with gone as (
      delete from suppressions where address_hash = any(${older}::bytea[]) returning suppressed_at
    ), carried as (
      insert into suppressions (address_hash, suppressed_at)
      select ${current}, max(suppressed_at) from gone having count(*) > 0
      on conflict (address_hash) do update
        set suppressed_at = greatest(suppressions.suppressed_at, excluded.suppressed_at)
      returning 1
    )
    select exists (select 1 from carried) as carried`.execute(db);
  return rows[0]?.carried ?? false;
}
