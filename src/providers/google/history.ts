/**
 * Gmail history ids and records, read into sync's terms.
 *
 * A history id is a uint64 sent as a string (in push bodies sometimes a JSON number): it is only ever
 * compared as a BigInt, since as strings "100000001" sorts before "99999999" (ARCHITECTURE.md, "Pitfalls").
 *
 * Records map to changes as sync needs them (R13): a message added is an upsert, a message deleted is a
 * delete, `TRASH` added is a delete (Trash is a label, not a deletion), `TRASH` removed is an upsert (it
 * came back). `SPAM` or `DRAFT` removed is an upsert too: mail rescued from Spam was skipped as spam and
 * deserves a second look (ingest is idempotent, so a message already stored is not stored twice). Every
 * other label change — archive (INBOX removed), user labels, SPAM added — changes nothing we keep.
 * Within one page the changes to a message collapse to its last one, in record order.
 */
import type { MailChange } from '../types.ts';

/** Labels whose removal makes a message worth looking at again. */
const RECONSIDERED = new Set(['TRASH', 'SPAM', 'DRAFT']);

/** One `History` record as users.history.list returns it, in the fields sync reads. */
export interface HistoryRecord {
  id?: string;
  messagesAdded?: { message?: MessageRef }[];
  messagesDeleted?: { message?: MessageRef }[];
  labelsAdded?: { message?: MessageRef; labelIds?: string[] }[];
  labelsRemoved?: { message?: MessageRef; labelIds?: string[] }[];
}

interface MessageRef {
  id?: string;
}

const MAX_UINT64 = 2n ** 64n - 1n;

/** The history id in `value` (digits as a string or a safe integer) as a canonical string; undefined if not one. */
export function readHistoryId(value: unknown): string | undefined {
  const text =
    typeof value === 'string' ? value.trim() : Number.isSafeInteger(value) ? String(value) : undefined;
  if (text === undefined || !/^\d{1,20}$/.test(text)) return undefined;
  const id = BigInt(text);
  return id > 0n && id <= MAX_UINT64 ? id.toString() : undefined;
}

/** The later of two history ids, compared as numbers. */
export function laterHistoryId(a: string, b: string): string {
  return BigInt(b) > BigInt(a) ? b : a;
}

/** The newest record id in a page, or undefined when the page holds none. */
export function lastRecordId(records: HistoryRecord[]): string | undefined {
  let last: string | undefined;
  for (const record of records) {
    const id = readHistoryId(record.id);
    if (id !== undefined) last = last === undefined ? id : laterHistoryId(last, id);
  }
  return last;
}

/** The changes a page of history records makes, one per message, in the order messages first changed. */
export function changesFromHistory(records: HistoryRecord[]): MailChange[] {
  const outcome = new Map<string, MailChange['kind']>();
  const note = (ref: MessageRef | undefined, kind: MailChange['kind']) => {
    if (ref?.id) outcome.set(ref.id, kind);
  };
  for (const record of records) {
    // Within one record: additions first, then label changes, then deletion, the order they can happen in.
    for (const entry of record.messagesAdded ?? []) note(entry.message, 'upsert');
    for (const entry of record.labelsAdded ?? [])
      if (entry.labelIds?.includes('TRASH')) note(entry.message, 'delete');
    for (const entry of record.labelsRemoved ?? [])
      if (entry.labelIds?.some((label) => RECONSIDERED.has(label))) note(entry.message, 'upsert');
    for (const entry of record.messagesDeleted ?? []) note(entry.message, 'delete');
  }
  return [...outcome].map(([id, kind]) => ({ kind, id }));
}
