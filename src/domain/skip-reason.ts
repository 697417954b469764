/**
 * R19: why a message was not synced, as its owner is told. The explanation names a rule, never anything
 * from the message, so a `sync_decisions` row keeps no content.
 *
 * The list is in precedence order: when several rules leave a message out, the first one that applies
 * is the one reported (see candidate-match.ts for why this order). `unreadable` is not a match rule: the
 * engine sets a message aside with it when the message could not be downloaded, read or stored.
 *
 * "No member can be found" (`no_member`) covers no member, a member who does not let anyone find them by
 * that address, and an erased member alike (PRODUCT.md R19): an answer that told them apart would reveal
 * to the owner a member who chose not to be found.
 */
export const SKIP_REASONS = [
  'before_authorization',
  'draft_or_spam',
  'internal_only',
  'no_member',
  'unreadable',
] as const;

export type SkipReason = (typeof SKIP_REASONS)[number];

const SENTENCES = {
  before_authorization:
    'The message is older than the moment the mailbox was connected, and older than any backfill window the organization allows (R9).',
  draft_or_spam: 'The message is a draft, a chat, or was filed as spam; those are never synced.',
  internal_only:
    'Everyone on the message is inside your organization; mail among colleagues is never synced (R11).',
  no_member:
    'No member can be found by the email addresses of the participants outside your organization (R10).',
  unreadable:
    'The message could not be read or stored, so it was set aside; the rest of your mailbox kept syncing.',
} as const satisfies Record<SkipReason, string>;

/** The sentence shown to a message's owner for why it was not synced (R19). */
export function describeSkipReason(reason: SkipReason): string {
  return SENTENCES[reason];
}

/** True when `value` is one of the R19 reasons, for reading stored values back. */
export function isSkipReason(value: string): value is SkipReason {
  return (SKIP_REASONS as readonly string[]).includes(value);
}
