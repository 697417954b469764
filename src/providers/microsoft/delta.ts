/**
 * Message delta per folder ("message: delta", "Get incremental changes to messages in a folder") and the
 * cursor that remembers where each folder stands.
 *
 * Glossary. A *round* takes every tracked folder from where it stood to its next `@odata.deltaLink`. A
 * folder's first request carries the query (`$select`, `$filter=receivedDateTime ge <since>`); Graph keeps
 * that query inside every `@odata.nextLink` (the rest of this round) and `@odata.deltaLink` (the start of
 * the next one), so a folder's state is just the link to follow next, plus whether it reached its
 * deltaLink in the current round. Links are stored below `/v1.0/` (see graph.ts).
 *
 * The cursor is JSON the engine stores with the page's writes, so a later call (in another process)
 * resumes exactly where the last committed one stopped.
 *
 * A link Graph forgot answers 410 `SyncStateNotFound` with a `Location` to start over from ("Synchronization
 * reset"). That `Location` is not followed: it restarts the lost round's own query, from the round's
 * original `since`, so every message since authorization would be listed again. The 410 is reported as
 * `cursor_expired` instead, and the engine anchors a new cursor at its last safe time and checks what it
 * stored since then (sync/engine.ts, `recover`).
 */
import { ProviderError } from '../errors.ts';
import type { MailCursor } from '../types.ts';
import { mapGraphError } from './errors.ts';
import { belowVersion, type GraphClient } from './graph.ts';
import { type GraphMessage, type MailboxFacts, MESSAGE_SELECT } from './map-message.ts';
import { SIZE_EXPAND } from './summary.ts';

/** Where one tracked folder stands. */
export type FolderState = {
  id: string;
  name: string;
  /** The next request: a nextLink or a deltaLink below `/v1.0/`; absent before the folder's first one. */
  link?: string | undefined;
  /** Whether the folder reached its deltaLink in the current round. */
  synced: boolean;
};

/** The adapter's cursor, as stored by the engine. */
export type DeltaCursor = {
  version: 1;
  /** ISO time: no mail received before it is reported (R9); every folder's first request filters on it. */
  since: string;
  mailbox: MailboxFacts;
  folders: FolderState[];
};

/** One delta page of a folder, split into present messages and removals. */
export interface DeltaPage {
  messages: GraphMessage[];
  /** Ids reported `@removed`: moved out of the folder or deleted, to be confirmed. */
  removed: string[];
  /** The link to follow next. */
  link: string;
  /** True when `link` is the deltaLink that ends the folder's round. */
  done: boolean;
}

/** Fetches the folder's next delta page. */
export async function fetchDeltaPage(
  graph: GraphClient,
  accessToken: string,
  folder: FolderState,
  since: string,
  pageSize: number,
): Promise<DeltaPage> {
  const path =
    folder.link ??
    `me/mailFolders/${encodeURIComponent(folder.id)}/messages/delta?$select=${MESSAGE_SELECT}` +
      // Each message's size (PidTagMessageSize) rides on the delta page ("message: delta" lists `$expand`),
      // so the size cap needs no request of its own; where Graph leaves it out, sync asks for sizes instead.
      `&$expand=${encodeURIComponent(SIZE_EXPAND)}` +
      `&$filter=receivedDateTime+ge+${since}`;
  // The page size preference goes on every request of a round, not only the first ("Use delta query").
  const response = await graph.request(accessToken, { path, prefer: [`odata.maxpagesize=${pageSize}`] });
  if (response.status !== 200) throw mapGraphError(response, 'messages delta');
  const body = response.body as Record<string, unknown>;
  const next = body['@odata.nextLink'];
  const delta = body['@odata.deltaLink'];
  const link = typeof next === 'string' ? next : typeof delta === 'string' ? delta : undefined;
  if (!Array.isArray(body.value) || link === undefined) {
    throw new ProviderError('transient', 'Graph answered delta without value or a next/delta link');
  }
  const messages: GraphMessage[] = [];
  const removed: string[] = [];
  for (const entry of body.value as (GraphMessage & { '@removed'?: unknown })[]) {
    if (entry['@removed'] !== undefined) {
      if (typeof entry.id === 'string') removed.push(entry.id);
    } else messages.push(entry);
  }
  return { messages, removed, link: belowVersion(link), done: typeof next !== 'string' };
}

/** A new cursor at the start of a round over `folders`. */
export function newCursor(
  since: Date,
  mailbox: MailboxFacts,
  folders: { id: string; name: string }[],
): DeltaCursor {
  return {
    version: 1,
    since: since.toISOString(),
    mailbox,
    folders: folders.map((folder) => ({ id: folder.id, name: folder.name, synced: false })),
  };
}

/**
 * Starts the next round over the folders listed now: known folders continue from their deltaLinks, new
 * ones start from the cursor's `since`, vanished ones are dropped.
 */
export function nextRound(cursor: DeltaCursor, listed: { id: string; name: string }[]): DeltaCursor {
  const links = new Map(cursor.folders.map((folder) => [folder.id, folder.link]));
  return {
    ...cursor,
    folders: listed.map((folder) => {
      const link = links.get(folder.id);
      return { id: folder.id, name: folder.name, ...(link === undefined ? {} : { link }), synced: false };
    }),
  };
}

/** The stored cursor, checked; one this adapter cannot read is `cursor_expired` (resync from a safe time). */
export function readCursor(stored: MailCursor): DeltaCursor {
  const unreadable = (why: string) =>
    new ProviderError('cursor_expired', `unreadable Microsoft sync cursor: ${why}`, {
      code: 'cursorUnreadable',
    });
  if (stored.version !== 1) throw unreadable('unknown version');
  if (typeof stored.since !== 'string' || Number.isNaN(Date.parse(stored.since))) throw unreadable('since');
  const mailbox = stored.mailbox as Partial<Record<keyof MailboxFacts, unknown>> | undefined;
  const keys = ['address', 'drafts', 'junk', 'deleted', 'sent', 'recoverable'] as const;
  if (!mailbox || keys.some((key) => typeof mailbox[key] !== 'string')) throw unreadable('mailbox');
  const facts = Object.fromEntries(keys.map((key) => [key, mailbox[key]])) as Record<
    keyof MailboxFacts,
    string
  >;
  if (!Array.isArray(stored.folders)) throw unreadable('folders');
  const folders = stored.folders.map((raw: Record<string, unknown>) => {
    if (
      typeof raw?.id !== 'string' ||
      typeof raw.name !== 'string' ||
      typeof raw.synced !== 'boolean' ||
      (raw.link !== undefined && typeof raw.link !== 'string')
    ) {
      throw unreadable('folder');
    }
    const folder: FolderState = { id: raw.id, name: raw.name, synced: raw.synced };
    if (typeof raw.link === 'string') folder.link = raw.link;
    return folder;
  });
  return {
    version: 1,
    since: stored.since,
    mailbox: facts,
    folders,
  };
}
