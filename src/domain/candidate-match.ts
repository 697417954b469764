/**
 * R9, R10, R11, R16: whether a message is synced, and to which members it is linked.
 *
 * A message is synced when it is recent enough (R9), is real mail (not a draft, chat or spam), has a
 * participant outside the organization (R11) whose address belongs to a member who lets anyone find
 * them by it (R10), and involves no member whose mail was erased (R16). Otherwise exactly one R19
 * reason is given, the first that applies in this order:
 *
 * 1. `before_authorization`, `draft_or_spam`: facts about the message itself, known before anyone on it
 *    is looked at; they hold whoever the participants are, so they explain the most.
 * 2. `internal_only`: nobody outside the organization is on it, so no directory answer could matter.
 * 3. `no_member`: no member can be found by its outside addresses. The reason is the same whether there is
 *    no member, a member who hides their address, or a member whose mail was erased (R19): the owner must
 *    not learn of a member who chose not to be found. An erased member still keeps the message out even
 *    when another member would match: the message is that member's mail too, and syncing it would collect
 *    again what they asked to have erased (R16 "not synced again").
 */
import { comparableAddress, type InternalScope, isInternal } from './internal.ts';
import { messageDirection, type Participant } from './participants.ts';
import type { Discoverability } from './principal.ts';
import type { SkipReason } from './skip-reason.ts';

/** R9 (decided): an organization may opt in to a backfill window of at most this many days. */
export const MAX_BACKFILL_DAYS = 365;

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the directory says about the member behind one normalized address. */
export interface DirectoryMember {
  memberId: string;
  discoverability: Discoverability;
  /** When the member's synced mail was last erased (R16), if ever. */
  erasedAt?: Date | null;
  /** When the member last made a consent-bearing change, such as setting discoverability to `anyone`. */
  consentedAt?: Date | null;
}

/** The directory's answer for one message or batch: normalized address → member. */
export type DirectoryLookup = ReadonlyMap<string, DirectoryMember>;

/** Provider-neutral facts from a message's labels or folder. */
export interface MessageFlags {
  isDraft?: boolean;
  isSpam?: boolean;
  isChat?: boolean;
}

/** A message as the match rules see it: headers only, no body. */
export interface MatchMessage {
  participants: readonly Participant[];
  /**
   * The provider's time for the message (Gmail `internalDate`; Graph `receivedDateTime`, or
   * `sentDateTime` for sent mail), not the Date header, which the sender writes and may forge.
   */
  time: Date;
  flags?: MessageFlags;
}

/** The connected mailbox as the match rules see it. */
export interface MatchMailbox extends InternalScope {
  authorizedAt: Date;
  /** The organization's backfill window in days (R9): 0 by default, at most MAX_BACKFILL_DAYS. */
  backfillDays: number;
}

export type SyncDecision = { sync: true; memberIds: string[] } | { sync: false; rule: SkipReason };

/** The earliest message time that is synced (R9): authorization minus the backfill window. */
export function syncWindowStart(authorizedAt: Date, backfillDays: number): Date {
  // Clamped rather than refused: the setting is validated where it is written, and a bad stored value
  // must never import more history than R9 allows.
  const days = Number.isFinite(backfillDays)
    ? Math.min(MAX_BACKFILL_DAYS, Math.max(0, Math.floor(backfillDays)))
    : 0;
  return new Date(authorizedAt.getTime() - days * DAY_MS);
}

/**
 * True when R16 keeps this member's mail out: erased, and the message is not from after a newer
 * consent-bearing change.
 */
export function isBlockedByErasure(member: DirectoryMember, messageTime: Date): boolean {
  if (!member.erasedAt) return false;
  const consentedAt = member.consentedAt;
  // Renewed consent looks forward only: mail from before it (the erased mail itself, or mail from the
  // gap) stays out even when a cursor reset later fetches it again.
  const renewed = !!consentedAt && consentedAt > member.erasedAt && messageTime >= consentedAt;
  return !renewed;
}

/**
 * The participants R10 counts: From, To and Cc, plus Bcc on mail the owner sent; Reply-To never (it
 * only says where replies should go, and anyone can set it).
 */
export function countedParticipants(
  participants: readonly Participant[],
  mailbox: InternalScope,
): Participant[] {
  // On received mail a Bcc header, when a server leaks one, names other recipients the owner was
  // never meant to see; R10 counts Bcc only on mail the owner sent.
  const withBcc = messageDirection(participants, mailbox) === 'sent';
  return participants.filter(
    (participant) =>
      participant.role === 'from' ||
      participant.role === 'to' ||
      participant.role === 'cc' ||
      (participant.role === 'bcc' && withBcc),
  );
}

/**
 * The normalized external addresses to look up in the directory for a message, deduplicated, in the
 * order they appear; never the owner's own or a colleague's (R11).
 */
export function addressesToLookUp(participants: readonly Participant[], mailbox: InternalScope): string[] {
  const addresses = new Set<string>();
  for (const participant of countedParticipants(participants, mailbox)) {
    if (isInternal(participant.address, mailbox)) continue;
    const comparable = comparableAddress(participant.address);
    if (comparable !== undefined) addresses.add(comparable);
  }
  return [...addresses];
}

/** Decides whether a message is synced and to which members, or which R19 rule left it out. */
export function decideSync(
  message: MatchMessage,
  mailbox: MatchMailbox,
  directory: DirectoryLookup,
): SyncDecision {
  // Compared to the whole second: Graph stamps mail to the second, so mail that arrived in the very second
  // of authorization (after the click) would otherwise read as earlier than it. Inclusive: a message stamped
  // exactly at authorization is new mail (Graph's anchor filters with `receivedDateTime ge`). A message
  // without a valid time cannot be shown to be new.
  const start =
    Math.floor(syncWindowStart(mailbox.authorizedAt, mailbox.backfillDays).getTime() / 1000) * 1000;
  if (!(message.time.getTime() >= start)) return skip('before_authorization');
  const { isDraft, isSpam, isChat } = message.flags ?? {};
  if (isDraft || isSpam || isChat) return skip('draft_or_spam');

  const outside = countedParticipants(message.participants, mailbox).filter(
    (participant) => !isInternal(participant.address, mailbox),
  );
  if (outside.length === 0) return skip('internal_only');

  const members = new Map<string, DirectoryMember>();
  for (const address of addressesToLookUp(message.participants, mailbox)) {
    const member = directory.get(address);
    if (member && !members.has(member.memberId)) members.set(member.memberId, member);
  }
  const found = [...members.values()];
  if (found.some((member) => isBlockedByErasure(member, message.time))) return skip('no_member');
  const linked = found.filter((member) => member.discoverability === 'anyone');
  if (linked.length === 0) return skip('no_member');
  return { sync: true, memberIds: linked.map((member) => member.memberId) };
}

function skip(rule: SkipReason): SyncDecision {
  return { sync: false, rule };
}
