/**
 * A Gmail mailbox: messages, labels, threads and the history log. Every change (a message added or deleted,
 * labels added or removed) appends one history record under a new, larger history id; ids skip values at
 * random, as Gmail's do (users.history: "history IDs increase chronologically but are not contiguous").
 * Threads form as Gmail forms them (the "Threads" guide): a message joins a thread when its In-Reply-To or
 * References name a message of that thread in this mailbox and the subjects match once Re:/Fwd: are stripped.
 */
import type { Random } from '../random.ts';
import { type StoredMessage, storeMessage } from './message.ts';

export const SYSTEM_LABELS = [
  'INBOX',
  'SENT',
  'TRASH',
  'SPAM',
  'DRAFT',
  'UNREAD',
  'IMPORTANT',
  'STARRED',
  'CHAT',
  'CATEGORY_PERSONAL',
  'CATEGORY_SOCIAL',
  'CATEGORY_PROMOTIONS',
  'CATEGORY_UPDATES',
  'CATEGORY_FORUMS',
] as const;

export interface Label {
  id: string;
  name: string;
  type: 'system' | 'user';
}

export interface MessageRef {
  id: string;
  threadId: string;
  labelIds: string[];
}

/** One history record: what one change did, in Gmail's `History` shape (ids as numbers here). */
export interface HistoryRecord {
  id: number;
  at: number;
  message: MessageRef;
  messagesAdded?: boolean;
  messagesDeleted?: boolean;
  labelsAdded?: string[];
  labelsRemoved?: string[];
}

export interface Watch {
  topicName: string;
  labelIds: string[];
  behavior: 'include' | 'exclude';
  expiration: number;
}

export interface Mailbox {
  email: string;
  messages: Map<string, StoredMessage>;
  /** RFC Message-ID → provider message id, for threading. */
  byRfcId: Map<string, string>;
  labels: Map<string, Label>;
  nextLabel: number;
  historyId: number;
  /** Oldest `startHistoryId` still answered; older ones are past retention (404). */
  floor: number;
  history: HistoryRecord[];
  watch?: Watch | undefined;
  /** Newest-first message list, rebuilt after additions and deletions. */
  sorted?: StoredMessage[] | undefined;
  /** Ids of messages whose content (format full or raw, or an attachment) was served: privacy tests read it. */
  bodyReads: Set<string>;
}

export interface MailboxDeps {
  random: Random;
  now(): number;
  /** Called after every change with the new record (push notifications hang off it). */
  changed(mailbox: Mailbox, record: HistoryRecord): void;
}

/** An empty mailbox with Gmail's system labels. */
export function createMailbox(email: string, random: Random): Mailbox {
  const labels = new Map<string, Label>(
    SYSTEM_LABELS.map((id) => [id, { id, name: id, type: 'system' as const }]),
  );
  // Start just below a power of ten, so an active mailbox's ids gain a digit soon: code that compares
  // history ids as strings (ARCHITECTURE.md, "Pitfalls") breaks in tests, not in production.
  const start = 99_999_000 + Math.floor(random.next() * 800);
  return {
    email,
    messages: new Map(),
    byRfcId: new Map(),
    labels,
    nextLabel: 1,
    historyId: start,
    floor: start,
    history: [],
    bodyReads: new Set(),
  };
}

/** Gives the mailbox its next history id, skipping a few at random. */
function nextHistoryId(mailbox: Mailbox, random: Random): number {
  mailbox.historyId += 1 + Math.floor(random.next() * 8);
  return mailbox.historyId;
}

const ref = (message: StoredMessage): MessageRef => ({
  id: message.id,
  threadId: message.threadId,
  labelIds: [...message.labelIds],
});

function record(
  mailbox: Mailbox,
  deps: MailboxDeps,
  change: Omit<HistoryRecord, 'id' | 'at'>,
): HistoryRecord {
  const entry: HistoryRecord = { id: nextHistoryId(mailbox, deps.random), at: deps.now(), ...change };
  mailbox.history.push(entry);
  deps.changed(mailbox, entry);
  return entry;
}

/** Gmail-style message id: 16 hex digits led by the internal date, unique in the mailbox. */
function newMessageId(mailbox: Mailbox, internalDate: number, random: Random): string {
  for (;;) {
    const id = (
      (BigInt(Math.max(0, internalDate)) << 20n) |
      BigInt(Math.floor(random.next() * 0x100000))
    ).toString(16);
    if (!mailbox.messages.has(id)) return id;
  }
}

const stripPrefixes = (subject: string) =>
  subject
    .replace(/^(\s*(re|fwd?|aw|wg|sv|antw)\s*(\[\d+\])?\s*:\s*)+/i, '')
    .trim()
    .toLowerCase();

function threadFor(mailbox: Mailbox, references: string[], subject: string): string | undefined {
  const wanted = stripPrefixes(subject);
  for (const rfcId of [...references].reverse()) {
    const parent = mailbox.messages.get(mailbox.byRfcId.get(rfcId) ?? '');
    if (parent && stripPrefixes(parent.subject) === wanted) return parent.threadId;
  }
  return undefined;
}

/** Stores raw bytes as a new message with the given labels and records `messagesAdded`. */
export function addMessage(
  mailbox: Mailbox,
  deps: MailboxDeps,
  raw: Buffer,
  labelIds: string[],
  internalDate: number,
): StoredMessage {
  const id = newMessageId(mailbox, internalDate, deps.random);
  const message = storeMessage(raw, { id, threadId: id, internalDate });
  message.threadId = threadFor(mailbox, message.references, message.subject) ?? id;
  message.labelIds = [...new Set(labelIds)];
  mailbox.messages.set(id, message);
  if (message.messageId && !mailbox.byRfcId.has(message.messageId))
    mailbox.byRfcId.set(message.messageId, id);
  mailbox.sorted = undefined;
  message.historyId = record(mailbox, deps, { message: ref(message), messagesAdded: true }).id;
  return message;
}

/** Adds and removes labels (only those that change anything), recording one history record. */
export function modifyLabels(
  mailbox: Mailbox,
  deps: MailboxDeps,
  message: StoredMessage,
  add: string[],
  remove: string[],
): void {
  const added = [...new Set(add)].filter((label) => !message.labelIds.includes(label));
  const removed = [...new Set(remove)].filter(
    (label) => message.labelIds.includes(label) && !add.includes(label),
  );
  if (added.length === 0 && removed.length === 0) return;
  message.labelIds = [...message.labelIds.filter((label) => !removed.includes(label)), ...added];
  const change: Omit<HistoryRecord, 'id' | 'at'> = { message: ref(message) };
  if (added.length > 0) change.labelsAdded = added;
  if (removed.length > 0) change.labelsRemoved = removed;
  message.historyId = record(mailbox, deps, change).id;
}

/** Deletes a message for good and records `messagesDeleted`. */
export function deleteMessage(mailbox: Mailbox, deps: MailboxDeps, message: StoredMessage): void {
  mailbox.messages.delete(message.id);
  if (mailbox.byRfcId.get(message.messageId) === message.id) mailbox.byRfcId.delete(message.messageId);
  mailbox.sorted = undefined;
  record(mailbox, deps, { message: ref(message), messagesDeleted: true });
}

/** The user label with this name, created (as `Label_N`) if missing. */
export function userLabel(mailbox: Mailbox, name: string): Label {
  for (const label of mailbox.labels.values())
    if (label.name.toLowerCase() === name.toLowerCase()) return label;
  const label: Label = { id: `Label_${mailbox.nextLabel++}`, name, type: 'user' };
  mailbox.labels.set(label.id, label);
  return label;
}

/** Messages newest first (by internal date, then id). */
export function sortedMessages(mailbox: Mailbox): StoredMessage[] {
  mailbox.sorted ??= [...mailbox.messages.values()].sort(
    (a, b) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : -1),
  );
  return mailbox.sorted;
}

/** Forgets history records past retention, moving the floor of answerable start ids up. */
export function pruneHistory(mailbox: Mailbox, now: number, retentionMs: number): void {
  let cut = 0;
  while (cut < mailbox.history.length && (mailbox.history[cut]?.at ?? 0) < now - retentionMs) cut += 1;
  if (cut === 0) return;
  mailbox.floor = Math.max(mailbox.floor, mailbox.history[cut - 1]?.id ?? 0);
  mailbox.history.splice(0, cut);
}

/** Makes every history id issued so far too old (control API `expire-cursors`). */
export function expireCursors(mailbox: Mailbox, random: Random): void {
  mailbox.history.length = 0;
  mailbox.floor = nextHistoryId(mailbox, random);
}
