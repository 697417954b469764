/**
 * The audit log: who did what, when, with counts and settings but never mail content or secrets.
 *
 * `AUDIT_ACTIONS` is every action the code writes; `insertAuditEvent` takes only those, so the list the
 * API documents (and filters by) cannot fall behind the code.
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';

export const AUDIT_ACTIONS = [
  /** R2, R4, R5: an admin set the provider (details: from, to, how many users lost their connection). */
  'provider_changed',
  /** An admin changed internal domains (R11) or the backfill window (R9). */
  'settings_changed',
  /** R6: a user connected a mailbox, or connected it again. */
  'mailbox_connected',
  'mailbox_reconnected',
  /** R12: a user disconnected their mailbox. */
  'mailbox_disconnected',
  /** Microsoft tenant-wide admin consent was granted. */
  'microsoft_admin_consent_granted',
  /** R15: the owner changed a thread's visibility. */
  'thread_visibility_changed',
  /** R16: an owner erased a thread; a member's mail was erased here (counts only). */
  'thread_erased',
  'member_mail_erased',
  /** R16: a member's export gave out this organization's mail of theirs (counts only). */
  'member_mail_exported',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEvent {
  id: string;
  at: Date;
  actorUserId: string | null;
  action: AuditAction;
  details: Record<string, unknown>;
}

export async function insertAuditEvent(
  db: Database,
  orgId: string,
  event: { actorUserId: string | null; action: AuditAction; details: Record<string, unknown> },
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

export interface AuditPage {
  limit: number;
  /** The previous page's last id: this page holds older events only. */
  before?: string | undefined;
  actions?: readonly AuditAction[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** One page of the organization's events, newest first (by id, which only grows), filtered. */
export async function listAuditEvents(db: Database, orgId: string, page: AuditPage): Promise<AuditEvent[]> {
  let query = db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId);
  if (page.before !== undefined) query = query.where('id', '<', sql<string>`${page.before}::bigint`);
  if (page.actions !== undefined && page.actions.length > 0)
    query = query.where('action', 'in', page.actions);
  if (page.from !== undefined) query = query.where('at', '>=', page.from);
  if (page.to !== undefined) query = query.where('at', '<', page.to);
  const rows = await query.orderBy('id', 'desc').limit(page.limit).execute();
  return rows.map((row) => ({
    id: String(row.id),
    at: row.at,
    actorUserId: row.actor_user_id,
    action: row.action as AuditAction,
    details: row.details,
  }));
}
