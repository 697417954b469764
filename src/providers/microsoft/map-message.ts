/**
 * Graph's `message` resource ("message resource type") as our `MessageHeaders`. Only the properties in
 * `MESSAGE_SELECT` are ever asked for: headers for every message, never a body (R10, R11).
 */
import { storableLine } from '../../domain/storable.ts';
import { ProviderError } from '../errors.ts';
import type { Address, MessageHeaders } from '../types.ts';
import { sizeOf } from './summary.ts';

/** The properties sync reads from every message, in `$select` form. */
export const MESSAGE_SELECT = [
  'id',
  'conversationId',
  'internetMessageId',
  'subject',
  'from',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'sentDateTime',
  'receivedDateTime',
  'isDraft',
  'parentFolderId',
].join(',');

/** The mailbox's well-known folders that decide flags, and its own address. */
export interface MailboxFacts {
  /** Primary SMTP address, lowercased. */
  address: string;
  drafts: string;
  junk: string;
  deleted: string;
  sent: string;
  /** Recoverable Items' Deletions folder, where a deleted message goes ("Delete message"). */
  recoverable: string;
}

interface Recipient {
  emailAddress?: { name?: unknown; address?: unknown } | null;
}

/** A message as Graph sends it, every property unchecked. */
export interface GraphMessage {
  id?: unknown;
  conversationId?: unknown;
  internetMessageId?: unknown;
  subject?: unknown;
  from?: Recipient | null;
  toRecipients?: Recipient[] | null;
  ccRecipients?: Recipient[] | null;
  bccRecipients?: Recipient[] | null;
  sentDateTime?: unknown;
  receivedDateTime?: unknown;
  isDraft?: unknown;
  parentFolderId?: unknown;
}

/** Whether a parent folder means the message is deleted: Deleted Items or Recoverable Items (R13). */
export function inTrash(parentFolderId: unknown, facts: MailboxFacts): boolean {
  return (
    typeof parentFolderId === 'string' &&
    parentFolderId !== '' &&
    (parentFolderId === facts.deleted || parentFolderId === facts.recoverable)
  );
}

/** Reads one message's headers; `permanent` when Graph sent no id or no date at all. */
export function toMessageHeaders(message: GraphMessage, facts: MailboxFacts): MessageHeaders {
  if (typeof message.id !== 'string' || message.id === '') {
    throw new ProviderError('permanent', 'Graph sent a message without an id');
  }
  const sentAt = date(message.sentDateTime);
  const receivedAt = date(message.receivedDateTime) ?? sentAt;
  if (!receivedAt) throw new ProviderError('permanent', `Graph sent message ${message.id} without dates`);
  const from = address(message.from);
  const folder = typeof message.parentFolderId === 'string' ? message.parentFolderId : '';
  const sent =
    (folder !== '' && folder === facts.sent) ||
    (from !== null && facts.address !== '' && from.address.toLowerCase() === facts.address);
  return {
    id: message.id,
    threadId: typeof message.conversationId === 'string' ? message.conversationId : message.id,
    rfcMessageId: messageId(message.internetMessageId),
    from,
    to: addresses(message.toRecipients),
    cc: addresses(message.ccRecipients),
    // Exchange keeps Bcc only on the sender's copy; on anything else it is not ours to keep.
    bcc: sent ? addresses(message.bccRecipients) : [],
    // Header text is the sender's: cleaned of what PostgreSQL cannot store, as the MIME reader cleans it.
    subject: typeof message.subject === 'string' ? storableLine(message.subject) : '',
    sentAt,
    receivedAt,
    flags: {
      draft: message.isDraft === true,
      spam: folder !== '' && folder === facts.junk,
      trash: inTrash(folder, facts),
      chat: false,
      sent,
    },
    ...sized(sizeOf(message)),
  };
}

function sized(size: number | undefined): { size?: number } {
  return size === undefined ? {} : { size };
}

function date(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const when = Date.parse(value);
  return Number.isNaN(when) ? null : new Date(when);
}

/** Graph fills `name` with the address when there is no display name: then there is none. */
function address(recipient: Recipient | null | undefined): Address | null {
  const raw = recipient?.emailAddress;
  const email = typeof raw?.address === 'string' ? storableLine(raw.address) : '';
  if (email === '') return null;
  const name = typeof raw?.name === 'string' ? storableLine(raw.name) : '';
  return name === '' || name.toLowerCase() === email.toLowerCase()
    ? { address: email }
    : { name, address: email };
}

function addresses(recipients: Recipient[] | null | undefined): Address[] {
  if (!Array.isArray(recipients)) return [];
  return recipients.map(address).filter((entry): entry is Address => entry !== null);
}

function messageId(value: unknown): string | null {
  const id = typeof value === 'string' ? storableLine(value) : '';
  if (id === '') return null;
  return id.startsWith('<') ? id : `<${id}>`;
}
