/** Grants waiting to be revoked at the provider, their tokens sealed; a row goes once its attempt is over. */
import type { Database } from './database.ts';
import type { ProviderName } from './schema.ts';

export interface PendingRevocation {
  orgId: string;
  id: string;
  connectionId: string;
  provider: ProviderName;
  /** Sealed, bound to this revocation's id. */
  token: string;
  /** The push channel to stop first: a Gmail watch (`active`), or a Graph subscription by id. */
  push: { active: boolean; subscriptionId: string | null };
}

export async function insertRevocation(
  db: Database,
  orgId: string,
  input: Omit<PendingRevocation, 'orgId'>,
): Promise<void> {
  await db
    .insertInto('pending_revocations')
    .values({
      org_id: orgId,
      id: input.id,
      connection_id: input.connectionId,
      provider: input.provider,
      token: input.token,
      push_active: input.push.active,
      push_subscription_id: input.push.subscriptionId,
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
      push: { active: row.push_active, subscriptionId: row.push_subscription_id },
    }
  );
}

export async function deleteRevocation(db: Database, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('pending_revocations').where('org_id', '=', orgId).where('id', '=', id).execute();
}
