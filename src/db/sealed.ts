/** Every column that holds vault-sealed values, and re-sealing them in batches (key rotation). */
import { sql } from 'kysely';
import type { Database } from './database.ts';

export const SEALED_COLUMNS = [
  { table: 'mailbox_connections', column: 'refresh_token' },
  { table: 'mailbox_connections', column: 'access_token' },
  { table: 'oauth_flows', column: 'code_verifier' },
  { table: 'pending_revocations', column: 'token' },
] as const;

export type SealedColumn = (typeof SEALED_COLUMNS)[number];

/**
 * Re-seals up to `limit` values of one column that are not yet under `keyId`, in one transaction with the
 * rows locked; returns how many it changed (0 when the column is done).
 */
export async function resealBatch(
  db: Database,
  target: SealedColumn,
  keyId: string,
  reseal: (row: { orgId: string; id: string; value: string }) => string,
  limit = 500,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const table = sql.table(target.table);
    const column = sql.ref(target.column);
    const rows = await sql<{ org_id: string; id: string; value: string }>`
      select org_id, id, ${column} as value from ${table}
      where ${column} is not null and ${column} not like ${`v1.${keyId}.%`}
      limit ${limit} for update`.execute(trx);
    for (const row of rows.rows) {
      const value = reseal({ orgId: row.org_id, id: row.id, value: row.value });
      await sql`update ${table} set ${column} = ${value} where org_id = ${row.org_id} and id = ${row.id}`.execute(
        trx,
      );
    }
    return rows.rows.length;
  });
}
