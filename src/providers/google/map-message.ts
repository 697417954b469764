/**
 * A Gmail message in `metadata` format read into `MessageHeaders`. Address headers go through postal-mime's
 * parser (groups, quoted names with commas, RFC 2047 encoded names); labels become the provider-neutral
 * flags; `internalDate` ("the internal message creation timestamp (epoch ms), which determines ordering in
 * the inbox", users.messages) is when the mailbox got it, the `Date` header when it was sent. A message
 * without a usable `Date` header is dated by `internalDate` ("for normal SMTP-received email, … the time
 * the message was originally accepted by Google, which is more reliable than the Date header"), as Graph
 * gives such a message a `sentDateTime` of its own: both providers then date it alike.
 */
import { addressParser, decodeWords } from 'postal-mime';
import { storableLine } from '../../domain/storable.ts';
import type { Address, MessageHeaders } from '../types.ts';

/** A users.messages resource as `format=metadata` returns it, in the fields sync reads. */
export interface GmailMessage {
  id?: string;
  threadId?: string;
  labelIds?: string[];
  internalDate?: string;
  sizeEstimate?: number;
  payload?: { headers?: { name?: string; value?: string }[] };
}

/** The headers asked for with `metadataHeaders`: what `MessageHeaders` needs, nothing of the body. */
export const METADATA_HEADERS = ['From', 'To', 'Cc', 'Bcc', 'Subject', 'Date', 'Message-ID'] as const;

/** Reads a metadata-format message into the headers sync decides on. */
export function toMessageHeaders(message: GmailMessage): MessageHeaders {
  const labels = new Set(message.labelIds ?? []);
  const values = (name: string) =>
    (message.payload?.headers ?? [])
      .filter((header) => header.name?.toLowerCase() === name.toLowerCase())
      .map((header) => header.value ?? '');
  const first = (name: string) => values(name)[0];
  const addresses = (name: string) => parseAddresses(values(name).join(', '));
  const flags = {
    draft: labels.has('DRAFT'),
    spam: labels.has('SPAM'),
    trash: labels.has('TRASH'),
    chat: labels.has('CHAT'),
    sent: labels.has('SENT'),
  };
  const internal = Number(message.internalDate);
  const received = Number.isFinite(internal) ? new Date(internal) : null;
  const sentAt = parseDate(first('Date')) ?? received;
  return {
    id: message.id ?? '',
    threadId: message.threadId ?? message.id ?? '',
    rfcMessageId: messageId(first('Message-ID')),
    from: addresses('From')[0] ?? null,
    to: addresses('To'),
    cc: addresses('Cc'),
    // A Bcc header on mail someone else sent says nothing about this mailbox (and should not be there).
    bcc: flags.sent ? addresses('Bcc') : [],
    // Header text is the sender's: cleaned of what PostgreSQL cannot store, as the MIME reader cleans it.
    subject: storableLine(decodeWords(first('Subject') ?? '')),
    sentAt,
    receivedAt: received ?? sentAt ?? new Date(0),
    flags,
    ...(typeof message.sizeEstimate === 'number' ? { size: message.sizeEstimate } : {}),
  };
}

/** Mailboxes named in an address header, groups flattened, entries without an address left out. */
function parseAddresses(value: string): Address[] {
  if (value.trim() === '') return [];
  const found: Address[] = [];
  for (const entry of addressParser(value, { flatten: true })) {
    const address = storableLine(entry.address ?? '');
    const name = storableLine(entry.name);
    if (address.includes('@')) found.push(name ? { name, address } : { address });
  }
  return found;
}

/** The Message-ID with its angle brackets, or null when there is none. */
function messageId(value: string | undefined): string | null {
  const text = storableLine(value ?? '');
  if (text === '') return null;
  return /<[^<>\s]+>/.exec(text)?.[0] ?? `<${text.replace(/^<|>$/g, '')}>`;
}

function parseDate(value: string | undefined): Date | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}
