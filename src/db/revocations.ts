/** Grants waiting to be revoked at the provider, their tokens sealed; a row goes once its attempt is over. */
import type { Database } from './database.ts';
import type { ProviderName } from './schema.ts';

export interface PendingRevocation {
  orgId: string;
  id: string;
  connectionId: string;
  provider: ProviderName;
  /** Sealed; open with the context `revocationContext(id)`. */
  token: string;
}

export async function insertRevocation(
  db: Database,
  orgId: string,
  input: { id: string; connectionId: string; provider: ProviderName; token: string },
): Promise<void> {
  await db
    .insertInto('pending_revocations')
    .values({
      org_id: orgId,
      id: input.id,
      connection_id: input.connectionId,
      provider: input.provider,
      token: input.token,
    })
    .execute();
}

export async function findRevocation(
  db: Database,
  orgId: string,
  id: string,
): Promise<PendingRevocation | undefined> {
  const row = await db
    .selectFrom('pending_revocations')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return (
    row && {
      orgId: row.org_id,
      id: row.id,
      connectionId: row.connection_id,
      provider: row.provider,
      token: row.token,
    }
  );
}

export async function deleteRevocation(db: Database, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('pending_revocations').where('org_id', '=', orgId).where('id', '=', id).execute();
}
