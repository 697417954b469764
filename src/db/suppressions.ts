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
