/**
 * The `fetch` stage's yardstick: a bare client — plain `fetch`, no product code run — that makes the very
 * calls our engine makes for a sync of new mail, in the same order and with the same concurrency (one
 * request at a time), and does nothing with the answers but read them. What our engine takes beyond it
 * is its own work: deciding, reading MIME, writing PostgreSQL. The call shapes are those of
 * src/providers (a few constants are imported from there so the calls cannot drift apart):
 *
 * Gmail, per page of history (src/providers/google/mail.ts, src/sync/ingest.ts, read-matches.ts):
 *   `users.history.list` (500 records, the four history types), then the page's metadata gets in
 *   batches of 50 one after the other, then its matches' raw gets: chunks of 20, each two batches of 10.
 * Graph, per `changes` call (src/providers/microsoft/mail.ts): at the start of a round the folder
 * listings, then delta pages of 200 (the headers and sizes ride on them) until about 500 changes, then
 * the matches' `$value`s in `$batch`es of 20.
 */
import { METADATA_HEADERS } from '../src/providers/google/map-message.ts';
import { MESSAGE_SELECT } from '../src/providers/microsoft/map-message.ts';
import { SIZE_EXPAND } from '../src/providers/microsoft/summary.ts';
import type { Provider } from '../src/providers/types.ts';

export interface BareClient {
  /** Before the mail arrives: where the changes will be read from (the engine's anchor). */
  prepare(): Promise<void>;
  /** Reads every change and downloads as our engine does; `matches` are the ids it downloads whole. */
  sync(matches: Set<string>): Promise<number>;
}

const HISTORY_TYPES = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'];

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The bare Gmail client. */
export function bareGmail(sandboxUrl: string, token: string): BareClient {
  const api = `${sandboxUrl}/google/gmail/v1/users/me`;
  const authorization = `Bearer ${token}`;
  const getJson = async (url: string) => {
    const response = await fetch(url, { headers: { authorization, accept: 'application/json' } });
    if (!response.ok) throw new Error(`bare Gmail: ${response.status} ${url}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const batch = async (ids: string[], query: string) => {
    const boundary = `batch_bare_${ids.length}_${Date.now()}`;
    const body = ids
      .map(
        (id, i) =>
          `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item-${i}>\r\n\r\n` +
          `GET /google/gmail/v1/users/me/messages/${id}?${query} HTTP/1.1\r\n\r\n`,
      )
      .join('');
    const response = await fetch(`${sandboxUrl}/google/batch/gmail/v1`, {
      method: 'POST',
      headers: { authorization, 'content-type': `multipart/mixed; boundary=${boundary}` },
      body: `${body}--${boundary}--\r\n`,
    });
    const text = await response.text();
    if (!response.ok || text.includes('HTTP/1.1 4') || text.includes('HTTP/1.1 5'))
      throw new Error(`bare Gmail: a batch failed (${response.status})`);
  };
  const metadata = new URLSearchParams({ format: 'metadata' });
  for (const name of METADATA_HEADERS) metadata.append('metadataHeaders', name);
  let historyId = '';
  return {
    async prepare() {
      historyId = String((await getJson(`${api}/profile`)).historyId);
    },
    async sync(matches) {
      let seen = 0;
      for (let more = true; more; ) {
        const query = new URLSearchParams({ startHistoryId: historyId, maxResults: '500' });
        for (const type of HISTORY_TYPES) query.append('historyTypes', type);
        const page = await getJson(`${api}/history?${query}`);
        const records = (page.history ?? []) as {
          id: string;
          messagesAdded?: { message: { id: string } }[];
        }[];
        const ids = records.flatMap((record) =>
          (record.messagesAdded ?? []).map((added) => added.message.id),
        );
        seen += ids.length;
        for (const some of chunks(ids, 50)) await batch(some, metadata.toString());
        for (const twenty of chunks(
          ids.filter((id) => matches.has(id)),
          20,
        ))
          for (const ten of chunks(twenty, 10)) await batch(ten, 'format=raw');
        more = typeof page.nextPageToken === 'string';
        historyId = more ? (records.at(-1)?.id ?? historyId) : String(page.historyId);
      }
      return seen;
    },
  };
}

/** The bare Graph client. */
export function bareGraph(sandboxUrl: string, token: string): BareClient {
  const root = `${sandboxUrl}/microsoft/graph/v1.0/`;
  const headers = {
    authorization: `Bearer ${token}`,
    accept: 'application/json',
    prefer: 'IdType="ImmutableId", odata.maxpagesize=200',
  };
  const getJson = async (path: string) => {
    const url = path.startsWith('http') ? path : root + path;
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`bare Graph: ${response.status} ${url}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const folderList = (path: string) =>
    `${path}?includeHiddenFolders=false&$top=100&$select=id,displayName,childFolderCount`;
  /** The tracked folders as the engine lists them: the tree but Drafts, Junk, Deleted Items. */
  const trackedFolders = async () => {
    const skipped = new Set(['Drafts', 'Junk Email', 'Deleted Items']);
    const tracked: string[] = [];
    const visit = async (path: string) => {
      const page = await getJson(folderList(path));
      for (const folder of page.value as { id: string; displayName: string; childFolderCount: number }[]) {
        if (skipped.has(folder.displayName)) continue;
        tracked.push(folder.id);
        if (folder.childFolderCount > 0)
          await visit(`me/mailFolders/${encodeURIComponent(folder.id)}/childFolders`);
      }
    };
    await visit('me/mailFolders');
    return tracked;
  };
  const links = new Map<string, string>();
  const round = async (
    matches: Set<string> | undefined,
    fetchBodies: (ids: string[]) => Promise<void>,
  ): Promise<number> => {
    const folders = await trackedFolders();
    let seen = 0;
    let pending: string[] = [];
    let changes = 0;
    let pages = 0;
    const endCall = async () => {
      await fetchBodies(pending);
      pending = [];
      changes = 0;
      pages = 0;
    };
    for (const folder of folders) {
      let link =
        links.get(folder) ??
        `me/mailFolders/${encodeURIComponent(folder)}/messages/delta?$select=${MESSAGE_SELECT}` +
          `&$expand=${encodeURIComponent(SIZE_EXPAND)}&$filter=receivedDateTime+ge+${new Date(Date.now() - 3_600_000).toISOString()}`;
      for (let done = false; !done; ) {
        // One `changes` call ends after 10 pages or about 500 changes, as the engine's.
        if (pages >= 10 || changes >= 500) await endCall();
        const page = await getJson(link);
        pages += 1;
        const value = page.value as { id: string }[];
        seen += value.length;
        changes += value.length;
        if (matches) pending.push(...value.map((message) => message.id).filter((id) => matches.has(id)));
        const next = page['@odata.nextLink'];
        done = typeof next !== 'string';
        link = (done ? page['@odata.deltaLink'] : next) as string;
      }
      links.set(folder, link);
    }
    await endCall();
    return seen;
  };
  const values = async (ids: string[]) => {
    for (const twenty of chunks(ids, 20)) {
      const response = await fetch(`${root}$batch`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          requests: twenty.map((id, i) => ({
            id: String(i),
            method: 'GET',
            url: `/me/messages/${encodeURIComponent(id)}/$value`,
          })),
        }),
      });
      const answer = (await response.json()) as { responses: { status: number }[] };
      if (answer.responses.some((item) => item.status !== 200))
        throw new Error('bare Graph: a $value failed');
    }
  };
  return {
    async prepare() {
      await round(undefined, async () => {});
    },
    sync: (matches) => round(matches, values),
  };
}

export function bareOf(provider: Provider, sandboxUrl: string, token: string): BareClient {
  return provider === 'google' ? bareGmail(sandboxUrl, token) : bareGraph(sandboxUrl, token);
}
