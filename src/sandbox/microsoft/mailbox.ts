/**
 * Mailboxes: folders, messages and the per-folder change log that delta queries read.
 *
 * A message keeps one immutable id for life and a regular id that is re-minted on every move, as Exchange
 * does; both resolve while current, and a regular id from before a move resolves to nothing. Every time a
 * message enters a folder, changes inside one, or leaves one, the folder's log gets an entry stamped with
 * the mailbox's next sequence number and the regular id the message had *in that folder*, so a delta round
 * can report "removed" under the id its caller knew. Listeners (change notifications) hear every change.
 * Soft deletion moves a message to Recoverable Items (outside the folder tree under msgfolderroot).
 */
import type { BuiltMessage } from '../mime.ts';
import { restorable } from '../persistence.ts';
import type { User } from './directory.ts';
import type { Ids } from './ids.ts';

export interface MailFolder {
  id: string;
  displayName: string;
  parentId: string | undefined;
  wellKnownName: string | undefined;
  hidden: boolean;
  messages: Set<StoredMessage>;
  /** Change log of this folder, in sequence order. */
  log: LogEntry[];
}

export interface StoredMessage {
  immutableId: string;
  regularId: string;
  folderId: string;
  /** The folder it was in before Deleted Items / Junk / Recoverable Items, for restore. */
  restoreFolderId: string | undefined;
  /** Sequence number at which it entered its current folder (initial delta rounds page by it). */
  enteredAt: number;
  raw: Buffer;
  content: BuiltMessage;
  receivedAt: number;
  sentAt: number;
  createdAt: number;
  modifiedAt: number;
  isRead: boolean;
  isDraft: boolean;
  conversationId: string;
  conversationIndex: string;
  changeKey: string;
}

export interface LogEntry {
  seq: number;
  message: StoredMessage;
  kind: 'created' | 'deleted';
  /** The regular id the message had while in this folder. */
  regularId: string;
}

export type MailChange =
  | { type: 'created'; message: StoredMessage }
  | { type: 'deleted'; message: StoredMessage; folderId: string; regularId: string }
  | { type: 'moved'; message: StoredMessage; from: string; oldRegularId: string };

export interface Mailbox {
  user: User;
  folders: Map<string, MailFolder>;
  root: MailFolder;
  seq: number;
  /** Bumped by expire-cursors: delta tokens from an older epoch answer 410. */
  cursorEpoch: number;
  /** Immutable ids of messages whose content (body, preview or MIME) was served: privacy tests read it. */
  bodyReads: Set<string>;
  /** Its lookups: folders by well-known name, messages by either id and by RFC Message-ID. */
  index: {
    wellKnown: Map<string, MailFolder>;
    byId: Map<string, StoredMessage>;
    byRfcId: Map<string, StoredMessage>;
  };
  /** Folder by id or well-known name (case-insensitive). */
  folder(idOrName: string): MailFolder | undefined;
  /** Folder by display name or well-known name, created under the root when missing. */
  ensureFolder(name: string): MailFolder;
  /** Message by immutable id or current regular id. */
  message(id: string): StoredMessage | undefined;
  messages(): IterableIterator<StoredMessage>;
  add(fields: NewMessage, folder: MailFolder): StoredMessage;
  move(message: StoredMessage, to: MailFolder): void;
  /** Permanently deletes. */
  remove(message: StoredMessage): void;
  /** Conversation id of the message with this RFC 5322 Message-ID, if any. */
  conversationOf(messageId: string): StoredMessage | undefined;
  /** Whether a folder sits in the tree under msgfolderroot (what `me/messages` covers). */
  inTree(folder: MailFolder): boolean;
}

export type NewMessage = Omit<
  StoredMessage,
  'immutableId' | 'regularId' | 'folderId' | 'restoreFolderId' | 'enteredAt' | 'changeKey' | 'modifiedAt'
>;

export interface Mailboxes {
  of(user: User): Mailbox;
  /** Called after every change in any mailbox. */
  onChange(listener: (mailbox: Mailbox, change: MailChange) => void): void;
  all(): Mailbox[];
  /** Mailboxes by address (data a snapshot keeps). */
  boxes: Map<string, Mailbox>;
  reset(): void;
}

/** Default folders of an Exchange Online mailbox ("List mailFolders" example), by well-known name. */
const DEFAULT_FOLDERS: [string, string, boolean][] = [
  ['archive', 'Archive', false],
  ['clutter', 'Clutter', true],
  ['conversationhistory', 'Conversation History', false],
  ['deleteditems', 'Deleted Items', false],
  ['drafts', 'Drafts', false],
  ['inbox', 'Inbox', false],
  ['junkemail', 'Junk Email', false],
  ['outbox', 'Outbox', false],
  ['sentitems', 'Sent Items', false],
];

export function createMailboxes(ids: Ids, now: () => number): Mailboxes {
  const boxes = new Map<string, Mailbox>();
  const listeners: ((mailbox: Mailbox, change: MailChange) => void)[] = [];

  const create = (user: User): Mailbox => {
    const folders = new Map<string, MailFolder>();
    const wellKnown = new Map<string, MailFolder>();
    const byId = new Map<string, StoredMessage>();
    const byRfcId = new Map<string, StoredMessage>();
    const newFolder = (displayName: string, parentId: string | undefined, name?: string, hidden = false) => {
      const folder: MailFolder = {
        id: ids.folderId(),
        displayName,
        parentId,
        wellKnownName: name,
        hidden,
        messages: new Set(),
        log: [],
      };
      folders.set(folder.id, folder);
      if (name) wellKnown.set(name, folder);
      return folder;
    };
    const root = newFolder('Top of Information Store', undefined, 'msgfolderroot');
    for (const [name, displayName, hidden] of DEFAULT_FOLDERS) newFolder(displayName, root.id, name, hidden);
    newFolder('Team Chat', wellKnown.get('conversationhistory')?.id, undefined, false);
    const recoverable = newFolder('Recoverable Items', undefined, 'recoverableitemsroot', true);
    newFolder('Deletions', recoverable.id, 'recoverableitemsdeletions', true);

    const mailbox: Mailbox = {
      user,
      folders,
      root,
      seq: 0,
      cursorEpoch: 0,
      bodyReads: new Set(),
      index: { wellKnown, byId, byRfcId },
      folder: (idOrName) => folders.get(idOrName) ?? wellKnown.get(idOrName.toLowerCase()),
      ensureFolder(name) {
        const existing =
          wellKnown.get(name.toLowerCase().replace(/\s+/g, '')) ??
          [...folders.values()].find((folder) => folder.displayName.toLowerCase() === name.toLowerCase());
        return existing ?? newFolder(name, root.id);
      },
      message: (id) => byId.get(id),
      messages: () => new Set(byId.values()).values(),
      add(fields, folder) {
        const message: StoredMessage = {
          ...fields,
          immutableId: ids.immutableMessageId(),
          regularId: ids.regularMessageId(),
          folderId: folder.id,
          restoreFolderId: undefined,
          enteredAt: 0,
          changeKey: ids.changeKey(),
          modifiedAt: fields.createdAt,
        };
        byId.set(message.immutableId, message);
        byId.set(message.regularId, message);
        if (message.content.messageId) byRfcId.set(message.content.messageId, message);
        enter(message, folder);
        emit({ type: 'created', message });
        return message;
      },
      move(message, to) {
        const from = folders.get(message.folderId);
        const oldRegularId = message.regularId;
        if (from) leave(message, from);
        byId.delete(oldRegularId);
        message.regularId = ids.regularMessageId();
        byId.set(message.regularId, message);
        message.changeKey = ids.changeKey();
        message.modifiedAt = now();
        enter(message, to);
        emit({ type: 'moved', message, from: from?.id ?? '', oldRegularId });
      },
      remove(message) {
        const from = folders.get(message.folderId);
        if (from) leave(message, from);
        byId.delete(message.immutableId);
        byId.delete(message.regularId);
        if (byRfcId.get(message.content.messageId) === message) byRfcId.delete(message.content.messageId);
        emit({ type: 'deleted', message, folderId: message.folderId, regularId: message.regularId });
      },
      conversationOf: (messageId) => byRfcId.get(messageId),
      inTree(folder) {
        let current: MailFolder | undefined = folder;
        while (current) {
          if (current === root) return true;
          current = current.parentId ? folders.get(current.parentId) : undefined;
        }
        return false;
      },
    };

    const enter = (message: StoredMessage, folder: MailFolder) => {
      mailbox.seq += 1;
      message.folderId = folder.id;
      message.enteredAt = mailbox.seq;
      folder.messages.add(message);
      folder.log.push({ seq: mailbox.seq, message, kind: 'created', regularId: message.regularId });
    };
    const leave = (message: StoredMessage, folder: MailFolder) => {
      mailbox.seq += 1;
      folder.messages.delete(message);
      folder.log.push({ seq: mailbox.seq, message, kind: 'deleted', regularId: message.regularId });
    };
    const emit = (change: MailChange) => {
      for (const listener of listeners) listener(mailbox, change);
    };
    return mailbox;
  };

  // A saved mailbox comes back with its methods: built for its user, then given the saved folders and mail.
  restorable(boxes, (_email, saved) => create(saved.user));
  return {
    boxes,
    of(user) {
      let mailbox = boxes.get(user.email);
      if (!mailbox) {
        mailbox = create(user);
        boxes.set(user.email, mailbox);
      }
      return mailbox;
    },
    onChange(listener) {
      listeners.push(listener);
    },
    all: () => [...boxes.values()],
    reset() {
      boxes.clear();
    },
  };
}
