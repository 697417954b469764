/**
 * Live updates through PostgreSQL `NOTIFY`: a transaction that changes what someone may see announces it on
 * one channel, and PostgreSQL delivers the announcement to every listener only when that transaction commits
 * (never for a rolled-back one), whichever process committed it (the worker, the API).
 * The payload carries ids and a flag, never content: listeners tell viewers *that* something changed.
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';

/** The one channel every API process listens on. */
export const LIVE_CHANNEL = 'talentsync_live';

/** A change in an organization's synced mail: whose threads, and whether colleagues may see any of them. */
export interface LiveChange {
  orgId: string;
  /** The owner of the threads that changed: they are always told. */
  ownerUserId: string;
  /** Whether any changed thread is not `private` (R15), so the rest of the organization is told too. */
  shared: boolean;
  /** Members linked to the new messages, for their history pages. */
  memberIds: string[];
}

/** Announces a change; delivered at commit. Call it inside the transaction that made the change. */
export async function notifyLiveChange(db: Database, change: LiveChange): Promise<void> {
  // pg_notify's payload is limited to 8000 bytes: a page of hundreds of members is cut to "something changed".
  const memberIds = change.memberIds.length > 100 ? [] : [...new Set(change.memberIds)];
  await sql`select pg_notify(${LIVE_CHANNEL}, ${JSON.stringify({ ...change, memberIds })})`.execute(db);
}

/**
 * Whether any thread a sync page touches is seen beyond its owner: the threads holding the messages it
 * is about to delete, or the provider threads its new messages join. Ask before deleting.
 */
export async function touchesSharedThread(
  db: Database,
  orgId: string,
  connectionId: string,
  touched: { deletedMessageIds: string[]; providerThreadIds: string[] },
): Promise<boolean> {
  const { deletedMessageIds, providerThreadIds } = touched;
  if (deletedMessageIds.length === 0 && providerThreadIds.length === 0) return false;
  const row = await db
    .selectFrom('threads as t')
    .select('t.id')
    .where('t.org_id', '=', orgId)
    .where('t.connection_id', '=', connectionId)
    .where('t.visibility', '<>', 'private')
    .where((eb) =>
      eb.or([
        ...(providerThreadIds.length > 0 ? [eb('t.provider_thread_id', 'in', providerThreadIds)] : []),
        ...(deletedMessageIds.length > 0
          ? [
              eb.exists(
                eb
                  .selectFrom('messages as m')
                  .select('m.id')
                  .whereRef('m.org_id', '=', 't.org_id')
                  .whereRef('m.thread_id', '=', 't.id')
                  .where('m.connection_id', '=', connectionId)
                  .where('m.provider_message_id', 'in', deletedMessageIds),
              ),
            ]
          : []),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
