/**
 * An audit entry in words: who did it, and what, on which object. The log holds no mail content, and
 * these sentences add none: threads are named by a short id, mailboxes by their provider.
 */
import type { GetOrganizationAuditResponse } from '../../api/types.ts';
import { count, PROVIDER_NAMES, type ProviderSetting } from './words.ts';

export type AuditEvent = GetOrganizationAuditResponse['events'][number];
export type AuditAction = AuditEvent['action'];

/** Each action as the filter lists it. */
export const ACTION_NAMES: Record<AuditAction, string> = {
  provider_changed: 'Provider changed',
  settings_changed: 'Settings changed',
  mailbox_connected: 'Mailbox connected',
  mailbox_reconnected: 'Mailbox reconnected',
  mailbox_disconnected: 'Mailbox disconnected',
  microsoft_admin_consent_granted: 'Microsoft admin consent granted',
  thread_visibility_changed: 'Thread visibility changed',
  thread_erased: 'Thread erased',
  member_mail_erased: 'A member’s mail erased',
  member_mail_exported: 'A member’s mail exported',
};

const VISIBILITY: Record<string, string> = {
  private: 'private to its owner',
  metadata: 'team can see it exists',
  organization: 'visible to the organization',
};

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const number = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const provider = (value: unknown): string =>
  PROVIDER_NAMES[value as ProviderSetting] ?? 'an unknown provider';
const shortId = (value: unknown): string => (text(value) ?? '?').slice(0, 8);

/** Who did it: a user's name (or a user no longer in the list), or the member whose request it was. */
export function actorOf(event: AuditEvent, names: ReadonlyMap<string, string>): string {
  if (event.actorUserId === null) return 'A member (their own data request)';
  return names.get(event.actorUserId) ?? 'A former user';
}

/** What was done, on which object, as the end of a sentence that starts with the actor. */
export function whatOf(event: AuditEvent): string {
  const d = event.details;
  switch (event.action) {
    case 'provider_changed': {
      const lost = number(d.deauthorizedUsers);
      return `changed the provider from ${provider(d.from)} to ${provider(d.to)}${
        lost === undefined ? '' : `; ${count(lost, 'user')} lost their connection`
      }.`;
    }
    case 'settings_changed':
      return `changed ${settingsChange(d.after)}.`;
    case 'mailbox_connected':
      return `connected their ${provider(d.provider)} mailbox.`;
    case 'mailbox_reconnected':
      return `connected their ${provider(d.provider)} mailbox again.`;
    case 'mailbox_disconnected':
      return `disconnected their ${provider(d.provider)} mailbox.`;
    case 'microsoft_admin_consent_granted':
      return `granted Microsoft 365 admin consent for tenant ${text(d.tenantId) ?? '(unknown)'}.`;
    case 'thread_visibility_changed':
      return `made thread ${shortId(d.threadId)} ${VISIBILITY[text(d.to) ?? ''] ?? 'another visibility'} (it was ${
        VISIBILITY[text(d.from) ?? ''] ?? 'unknown'
      }).`;
    case 'thread_erased':
      return `erased thread ${shortId(d.threadId)} (${count(number(d.messages) ?? 0, 'message')}).`;
    case 'member_mail_erased':
      return `had their synced mail erased here: ${count(number(d.messages) ?? 0, 'message')} in ${count(
        number(d.threads) ?? 0,
        'thread',
      )}.`;
    case 'member_mail_exported':
      return `exported their synced mail held here: ${count(number(d.messages) ?? 0, 'message')}.`;
  }
}

function settingsChange(after: unknown): string {
  const changed = (after ?? {}) as { internalDomains?: unknown; backfillDays?: unknown };
  const parts: string[] = [];
  if (Array.isArray(changed.internalDomains)) {
    parts.push(
      changed.internalDomains.length === 0
        ? 'the internal domains to none'
        : `the internal domains to ${changed.internalDomains.map(String).join(', ')}`,
    );
  }
  if (typeof changed.backfillDays === 'number')
    parts.push(`the backfill window to ${count(changed.backfillDays, 'day')}`);
  return parts.length > 0 ? parts.join(' and ') : 'the settings';
}
