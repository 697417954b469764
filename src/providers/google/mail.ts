/**
 * Gmail as a `MailSource` (the "Synchronize clients with Gmail" guide, done the way ARCHITECTURE.md's
 * "Sync, per provider" asks).
 *
 * The cursor, stored as JSON, moves through two stages:
 * - catch-up: `{ historyId, catchUp: { since, pageToken? } }`. `anchor` takes the mailbox's historyId
 *   *first*, then each `changes` call lists one page of messages received since `since` (users.messages.list,
 *   `q=after:`) as upserts. Anything arriving meanwhile is both listed and in history after the anchor:
 *   seen twice (ingest is idempotent), never missed.
 * - history: `{ historyId, pageToken? }`. Each `changes` call reads one page of users.history.list after
 *   `historyId`. While more pages wait, the cursor is the page's last record id rather than Google's page
 *   token, since records come back "after the specified startHistoryId" and page tokens are not promised to
 *   outlive the process that got them: a restart resumes exactly where the stored page ended. Only a page
 *   that holds no record but still points further keeps its token. Done, the cursor is the answer's
 *   `historyId`. A 404 means the id is past retention: `cursor_expired`, and the engine anchors again.
 *
 * Quota ("Usage limits": history.list 2 units, messages.list 5, messages.get 5, getProfile 1): `changes`
 * makes exactly one list call; `headers` one metadata get per id and `raw` one raw get per id, both through
 * the batch endpoint. Bodies are fetched nowhere but in `raw` and, for a message over the engine's size cap
 * (known from the metadata's `sizeEstimate`), `summary`: `format=full`, whose attachments come by id only.
 */
import type { GoogleConfig } from '../../config.ts';
import { ProviderError } from '../errors.ts';
import { send } from '../http.ts';
import type { ChangePage, MailChange, MailCursor, MailSource, MessageHeaders } from '../types.ts';
import { batchGet } from './batch.ts';
import { mapGoogleApiError } from './errors.ts';
import {
  changesFromHistory,
  type HistoryRecord,
  lastRecordId,
  laterHistoryId,
  readHistoryId,
} from './history.ts';
import { type GmailMessage, METADATA_HEADERS, toMessageHeaders } from './map-message.ts';
import { type GmailPart, summaryOfPayload } from './summary.ts';

/** The Gmail cursor's shape (opaque to everyone but this file). */
type GmailCursor = {
  historyId: string;
  pageToken?: string;
  catchUp?: { since: string; pageToken?: string };
};

const HISTORY_TYPES = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'];
const PAGE_SIZE = '500';
/** `after:` is matched against Google's clock and in whole seconds; a minute's slack covers both. */
const CATCH_UP_MARGIN_S = 60;
/** Raw parts carry whole messages (up to 25 MB, a third more in base64url): fewer per batch bounds memory. */
const RAW_BATCH_SIZE = 10;
const METADATA_BATCH_SIZE = 50;
/** R19's lookup by Message-ID reads at most this many ids (a message sent to oneself can have two). */
const FIND_LIMIT = 2;

/** Gmail mail sync: anchor, changes, headers and raw messages. */
export function createGoogleMail(config: GoogleConfig): MailSource {
  const api = `${config.apiRoot}/gmail/v1/users/me`;
  const batchUrl = `${config.apiRoot}/batch/gmail/v1`;
  // Inner batch paths are absolute from the host root, so they keep any path of the API root (the sandbox's).
  const root = new URL(config.apiRoot).pathname.replace(/\/+$/, '');

  async function get(path: string, query: URLSearchParams, accessToken: string, operation: string) {
    const response = await send(`${api}/${path}?${query}`, { accessToken });
    if (response.status !== 200) throw mapGoogleApiError(response, operation);
    return response.body as Record<string, unknown>;
  }

  async function catchUpPage(
    accessToken: string,
    historyId: string,
    catchUp: { since: string; pageToken?: string },
  ): Promise<ChangePage> {
    const after = Math.max(0, Math.floor(Date.parse(catchUp.since) / 1000) - CATCH_UP_MARGIN_S);
    const query = new URLSearchParams({
      q: `after:${after}`,
      includeSpamTrash: 'false',
      maxResults: PAGE_SIZE,
    });
    if (catchUp.pageToken) query.set('pageToken', catchUp.pageToken);
    const body = await get('messages', query, accessToken, 'users.messages.list');
    const messages = Array.isArray(body.messages) ? (body.messages as { id?: unknown }[]) : [];
    const ids = new Set(messages.map((message) => message.id).filter((id) => typeof id === 'string'));
    const changes: MailChange[] = [...ids].map((id) => ({ kind: 'upsert', id }));
    const next = typeof body.nextPageToken === 'string' ? body.nextPageToken : undefined;
    const resume: GmailCursor = next
      ? { historyId, catchUp: { since: catchUp.since, pageToken: next } }
      : { historyId };
    // Once listed, history from the anchor may hold more: `more` stays true so history is read next.
    return { changes, cursor: resume, more: true };
  }

  async function historyPage(accessToken: string, cursor: GmailCursor): Promise<ChangePage> {
    const query = new URLSearchParams({ startHistoryId: cursor.historyId, maxResults: PAGE_SIZE });
    for (const type of HISTORY_TYPES) query.append('historyTypes', type);
    if (cursor.pageToken) query.set('pageToken', cursor.pageToken);
    const body = await get('history', query, accessToken, 'users.history.list');
    const records = Array.isArray(body.history) ? (body.history as HistoryRecord[]) : [];
    const changes = changesFromHistory(records);
    const last = lastRecordId(records);
    const next = typeof body.nextPageToken === 'string' ? body.nextPageToken : undefined;
    if (next) {
      const resume: GmailCursor = last
        ? { historyId: laterHistoryId(cursor.historyId, last) }
        : { historyId: cursor.historyId, pageToken: next };
      return { changes, cursor: resume, more: true };
    }
    const reached = [readHistoryId(body.historyId), last].filter((id) => id !== undefined);
    const historyId = reached.reduce(laterHistoryId, cursor.historyId);
    return { changes, cursor: { historyId } satisfies GmailCursor, more: false };
  }

  const messagePath = (id: string, query: URLSearchParams) =>
    `${root}/gmail/v1/users/me/messages/${encodeURIComponent(id)}?${query}`;

  async function fetchMessages(
    accessToken: string,
    ids: string[],
    query: URLSearchParams,
    batchSize: number,
  ) {
    return batchGet(
      batchUrl,
      accessToken,
      ids.map((id) => ({ key: id, path: messagePath(id, query) })),
      { batchSize, operation: 'users.messages.get' },
    );
  }

  return {
    async anchor(accessToken, since) {
      if (Number.isNaN(since.getTime())) throw new RangeError('anchor: since is not a valid date');
      // The historyId comes before any listing, so nothing that arrives during the catch-up is missed.
      const profile = await get('profile', new URLSearchParams(), accessToken, 'users.getProfile');
      const historyId = readHistoryId(profile.historyId);
      if (!historyId) throw new ProviderError('permanent', 'Google users.getProfile answered no historyId');
      return { historyId, catchUp: { since: since.toISOString() } } satisfies GmailCursor;
    },

    async changes(accessToken, stored) {
      const cursor = readCursor(stored);
      return cursor.catchUp
        ? catchUpPage(accessToken, cursor.historyId, cursor.catchUp)
        : historyPage(accessToken, cursor);
    },

    async headers(accessToken, ids) {
      const query = new URLSearchParams({ format: 'metadata' });
      for (const name of METADATA_HEADERS) query.append('metadataHeaders', name);
      const bodies = await fetchMessages(accessToken, ids, query, METADATA_BATCH_SIZE);
      const headers = new Map<string, MessageHeaders | null>();
      for (const id of ids) {
        const body = bodies.get(id) as GmailMessage | null | undefined;
        headers.set(id, body ? toMessageHeaders({ ...body, id: body.id ?? id }) : null);
      }
      return headers;
    },

    async findByMessageId(accessToken, rfcMessageId) {
      // Only a Message-ID that is one search term goes into `q`: a space or a quote would let the value
      // add operators of its own ("Search operators you can use with Gmail").
      if (!isSearchableMessageId(rfcMessageId)) return [];
      const query = new URLSearchParams({
        q: `rfc822msgid:${rfcMessageId}`,
        includeSpamTrash: 'true',
        maxResults: String(FIND_LIMIT),
      });
      const body = await get('messages', query, accessToken, 'users.messages.list');
      const messages = Array.isArray(body.messages) ? (body.messages as { id?: unknown }[]) : [];
      return messages
        .map((message) => message.id)
        .filter((id): id is string => typeof id === 'string')
        .slice(0, FIND_LIMIT);
    },

    async raw(accessToken, ids) {
      const bodies = await fetchMessages(
        accessToken,
        ids,
        new URLSearchParams({ format: 'raw' }),
        RAW_BATCH_SIZE,
      );
      const raws = new Map<string, Buffer | null>();
      for (const id of ids) {
        const body = bodies.get(id) as { raw?: unknown } | null | undefined;
        if (!body) raws.set(id, null);
        else if (typeof body.raw === 'string') raws.set(id, Buffer.from(body.raw, 'base64url'));
        else throw new ProviderError('permanent', `Google users.messages.get: no raw content for ${id}`);
      }
      return raws;
    },

    async sizes(accessToken, ids) {
      // `minimal` carries sizeEstimate and nothing of the message (same quota as any messages.get).
      const bodies = await fetchMessages(
        accessToken,
        ids,
        new URLSearchParams({ format: 'minimal' }),
        METADATA_BATCH_SIZE,
      );
      const sizes = new Map<string, number>();
      for (const id of ids) {
        const size = (bodies.get(id) as GmailMessage | null | undefined)?.sizeEstimate;
        if (typeof size === 'number') sizes.set(id, size);
      }
      return sizes;
    },

    async summary(accessToken, id, maxPartBytes) {
      const bodies = await fetchMessages(accessToken, [id], new URLSearchParams({ format: 'full' }), 1);
      const body = bodies.get(id) as { payload?: GmailPart } | null | undefined;
      return body ? summaryOfPayload(body.payload, maxPartBytes) : null;
    },
  };
}

/** True when a Message-ID is one printable-ASCII word without quotes, parentheses or braces (Gmail's grouping). */
function isSearchableMessageId(value: string): boolean {
  return /^<[!#-'*-z|~]+>$/.test(value) && value.length <= 998;
}

/** A stored cursor read back; one that is not ours is as good as expired (the engine anchors again). */
function readCursor(stored: MailCursor): GmailCursor {
  const historyId = readHistoryId(stored.historyId);
  const pageToken = typeof stored.pageToken === 'string' ? stored.pageToken : undefined;
  const catchUp = stored.catchUp as { since?: unknown; pageToken?: unknown } | undefined;
  const since = typeof catchUp?.since === 'string' ? catchUp.since : undefined;
  if (!historyId || (catchUp !== undefined && (since === undefined || Number.isNaN(Date.parse(since))))) {
    throw new ProviderError('cursor_expired', 'not a Gmail cursor', { code: 'invalid_cursor' });
  }
  const cursor: GmailCursor = { historyId };
  if (pageToken) cursor.pageToken = pageToken;
  if (since !== undefined) {
    cursor.catchUp = { since };
    if (typeof catchUp?.pageToken === 'string') cursor.catchUp.pageToken = catchUp.pageToken;
  }
  return cursor;
}
