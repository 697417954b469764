/**
 * R19: why a message was not synced, as its owner is told. The explanation names a rule, never anything
 * from the message, so a `sync_decisions` row keeps no content.
 *
 * The list is in precedence order: when several rules leave a message out, the first one that applies
 * is the one reported (see candidate-match.ts for why this order).
 */
export const SKIP_REASONS = [
  'before_authorization',
  'draft_or_spam',
  'internal_only',
  'erased',
  'not_discoverable',
  'no_member',
] as const;

export type SkipReason = (typeof SKIP_REASONS)[number];

const SENTENCES = {
  before_authorization:
    'The message is older than the moment the mailbox was connected, and older than any backfill window the organization allows (R9).',
  draft_or_spam: 'The message is a draft, a chat, or was filed as spam; those are never synced.',
  internal_only:
    'Everyone on the message is inside your organization; mail among colleagues is never synced (R11).',
  erased:
    'The matching member asked for their synced email to be erased, and has not allowed it again since (R16).',
  not_discoverable:
    'A participant is a member, but does not let anyone find them by email address, so the message is not synced (R10).',
  no_member: 'No participant outside your organization is a member with that email address (R10).',
} as const satisfies Record<SkipReason, string>;

/** The sentence shown to a message's owner for why it was not synced (R19). */
export function describeSkipReason(reason: SkipReason): string {
  return SENTENCES[reason];
}

/** True when `value` is one of the R19 reasons, for reading stored values back. */
export function isSkipReason(value: string): value is SkipReason {
  return (SKIP_REASONS as readonly string[]).includes(value);
}
