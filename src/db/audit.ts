/** The audit log: who did what, when, with counts and settings but never mail content or secrets. */
import type { Database } from './database.ts';

export interface AuditEvent {
  id: string;
  at: Date;
  actorUserId: string | null;
  action: string;
  details: Record<string, unknown>;
}

export async function insertAuditEvent(
  db: Database,
  orgId: string,
  event: { actorUserId: string | null; action: string; details: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      org_id: orgId,
      actor_user_id: event.actorUserId,
      action: event.action,
      details: JSON.stringify(event.details),
    })
    .execute();
}

/** The organization's latest events, newest first. */
export async function listAuditEvents(db: Database, orgId: string, limit: number): Promise<AuditEvent[]> {
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: String(row.id),
    at: row.at,
    actorUserId: row.actor_user_id,
    action: row.action,
    details: row.details,
  }));
}
