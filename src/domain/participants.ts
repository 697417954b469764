/**
 * The people on a message, each with the header they appear in, and what they are to the mailbox's
 * owner: whether the owner sent the message, and which participants are outside the organization.
 */
import { type InternalScope, isInternal, isOwnAddress, type MailboxIdentity } from './internal.ts';

export const PARTICIPANT_ROLES = ['from', 'to', 'cc', 'bcc', 'replyTo'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

/** An address as a header names it, with the display name when there is one. */
export interface NamedAddress {
  address: string;
  name?: string;
}

/** One person on a message, in one header; the same address in two headers is two participants. */
export interface Participant extends NamedAddress {
  role: ParticipantRole;
}

/** A message's address headers, as a parser or a provider's metadata gives them. */
export interface AddressHeaders {
  from?: NamedAddress | null;
  to?: readonly NamedAddress[];
  cc?: readonly NamedAddress[];
  bcc?: readonly NamedAddress[];
  replyTo?: readonly NamedAddress[];
}

export type Direction = 'sent' | 'received';

/** Flattens a message's address headers into participants, in header order, skipping empty addresses. */
export function participantsOf(headers: AddressHeaders): Participant[] {
  const participants: Participant[] = [];
  const add = (role: ParticipantRole, entries: readonly NamedAddress[]) => {
    for (const entry of entries) {
      const address = entry.address.trim();
      if (address === '') continue;
      const name = entry.name?.trim();
      participants.push(name ? { address, name, role } : { address, role });
    }
  };
  add('from', headers.from ? [headers.from] : []);
  add('to', headers.to ?? []);
  add('cc', headers.cc ?? []);
  add('bcc', headers.bcc ?? []);
  add('replyTo', headers.replyTo ?? []);
  return participants;
}

/**
 * `sent` when the message's From is the owner's connected address or one of its aliases (compared
 * normalized), else `received`.
 */
export function messageDirection(participants: readonly Participant[], mailbox: MailboxIdentity): Direction {
  // From alone decides, not the folder or label the provider filed the message under: it is what the
  // recipients saw, and it is the same on every provider. A forged From that names the owner makes an
  // inbound message look sent; the only effect is that its Bcc (rarely present on inbound mail) counts.
  const from = participants.find((participant) => participant.role === 'from');
  return from !== undefined && isOwnAddress(from.address, mailbox) ? 'sent' : 'received';
}

/** The participants outside the organization (R11): neither the owner nor a colleague. */
export function externalParticipants(
  participants: readonly Participant[],
  mailbox: InternalScope,
): Participant[] {
  return participants.filter((participant) => !isInternal(participant.address, mailbox));
}
