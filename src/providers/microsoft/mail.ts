/**
 * Microsoft's `MailSource`: delta rounds over every tracked folder (folders.ts, delta.ts), headers and
 * whole messages through `$batch` (batch.ts), all through one Graph client whose mailbox gates keep this
 * instance within Outlook's 4 concurrent requests per mailbox (graph.ts).
 *
 * Graph reports a message that left a folder — moved or deleted alike — as `@removed` in that folder
 * ("message: delta"), and may replay entries. So a removal is confirmed by reading where the message is
 * now: gone (404), in Deleted Items or in Recoverable Items (where DELETE puts it, "Delete message") is a
 * delete (R13); anywhere else is a move, reported by nothing here (R14) — when the destination is
 * tracked, its own delta reports the message, under the same immutable id.
 */
import type { MicrosoftConfig } from '../../config.ts';
import { ProviderError } from '../errors.ts';
import type { MailChange, MailSource, MessageHeaders } from '../types.ts';
import { batchGet } from './batch.ts';
import {
  type DeltaCursor,
  type DeltaPage,
  fetchDeltaPage,
  newCursor,
  nextRound,
  readCursor,
} from './delta.ts';
import { mapGraphError } from './errors.ts';
import { listTrackedFolders, loadMailboxFacts } from './folders.ts';
import { createGraphClient, type GraphClient, type GraphClientOptions, mailboxKey } from './graph.ts';
import { inTrash, type MailboxFacts, MESSAGE_SELECT, toMessageHeaders } from './map-message.ts';
import { ATTACHMENT_SELECT, SIZE_EXPAND, sizeOf, summaryOf } from './summary.ts';

/** Tuning for the mail source; the defaults suit production. */
export interface MicrosoftMailOptions extends GraphClientOptions {
  /** `odata.maxpagesize` for delta (default 200). */
  pageSize?: number;
  /**
   * About how many changes one `changes` call returns (default 500): the page the engine commits in one
   * transaction, and so the matches whose bodies one `$batch` round carries.
   */
  changesPerCall?: number;
  /** The most delta requests one `changes` call makes (default 10), so idle folders are passed quickly. */
  pagesPerCall?: number;
}

/**
 * Messages per delta page. Graph documents no maximum for message delta's `odata.maxpagesize`; Microsoft
 * says other delta queries cap it at 200 ("contact: delta API what limit can we use for
 * odata.maxpagesize", Microsoft Q&A), so 200 is the most it is known to honour. A smaller page Graph
 * chooses is followed by its nextLink all the same. The `$select` is the headers only, so a page is small.
 */
const DELTA_PAGE_SIZE = 200;
/**
 * Changes per `changes` call, as Gmail's pages of 500: big enough that a page's matches fill `$batch`es
 * of 20 (with one in ten a match, a page of 50 sent its 5 bodies in a batch of 5), small enough for one
 * transaction.
 */
const CHANGES_PER_CALL = 500;

/** Mailbox facts remembered per mailbox for `headers`, which has no cursor to read them from. */
const FACTS_CACHE_SIZE = 1000;
/** R19's lookup by Message-ID reads at most this many ids (a message sent to oneself has two copies). */
const FIND_LIMIT = 2;

/** Creates the Graph mail source; its calls share one throttle per mailbox. */
export function createMicrosoftMail(config: MicrosoftConfig, options: MicrosoftMailOptions = {}): MailSource {
  const graph = createGraphClient(config, options);
  const pageSize = Math.max(1, options.pageSize ?? DELTA_PAGE_SIZE);
  const changesPerCall = Math.max(1, options.changesPerCall ?? CHANGES_PER_CALL);
  const pagesPerCall = Math.max(1, options.pagesPerCall ?? 10);
  const facts = new Map<string, Promise<MailboxFacts>>();

  const remember = (key: string, entry: Promise<MailboxFacts>) => {
    facts.delete(key);
    facts.set(key, entry);
    if (facts.size > FACTS_CACHE_SIZE) facts.delete(facts.keys().next().value as string);
    entry.catch(() => {
      if (facts.get(key) === entry) facts.delete(key);
    });
    return entry;
  };
  const factsOf = (accessToken: string): Promise<MailboxFacts> => {
    const key = mailboxKey(accessToken);
    return remember(key, facts.get(key) ?? loadMailboxFacts(graph, accessToken));
  };

  return {
    async anchor(accessToken, since) {
      const mailbox = await loadMailboxFacts(graph, accessToken);
      remember(mailboxKey(accessToken), Promise.resolve(mailbox));
      const folders = await listTrackedFolders(graph, accessToken, mailbox);
      return newCursor(since, mailbox, folders);
    },

    async changes(accessToken, stored) {
      let cursor: DeltaCursor = readCursor(stored);
      // A new round re-lists the folders, so one created since (by the user or a rule) is picked up;
      // within a round the list stays as it is, so a page never has to list them.
      if (cursor.folders.every((folder) => folder.synced)) {
        cursor = nextRound(cursor, await listTrackedFolders(graph, accessToken, cursor.mailbox));
      }
      // Graph's dates have whole seconds: compare at that precision, so nothing its filter let through
      // (received in the same second as `since`, just after it) is dropped here.
      const since = Math.floor(Date.parse(cursor.since) / 1000) * 1000;
      const upserts: MailChange[] = [];
      const removed = new Set<string>();
      let pages = 0;
      for (const folder of [...cursor.folders]) {
        while (!folder.synced && pages < pagesPerCall && upserts.length + removed.size < changesPerCall) {
          pages += 1;
          let page: DeltaPage;
          try {
            page = await fetchDeltaPage(graph, accessToken, folder, cursor.since, pageSize);
          } catch (error) {
            // The folder itself is gone (deleted for good): stop tracking it. Should it come back, the
            // next round's listing starts it afresh from `since`.
            if (error instanceof ProviderError && error.kind === 'not_found') {
              cursor.folders = cursor.folders.filter((other) => other !== folder);
              break;
            }
            throw error;
          }
          for (const message of page.messages) {
            const headers = toMessageHeaders(message, cursor.mailbox);
            // The deltaLink carries the receivedDateTime filter; this keeps R9 even where it would not.
            if (headers.receivedAt.getTime() >= since)
              upserts.push({ kind: 'upsert', id: headers.id, headers });
          }
          for (const id of page.removed) removed.add(id);
          folder.link = page.link;
          folder.synced = page.done;
        }
      }
      // Deletes come last: they are confirmed after every page of this call was read, so they describe
      // the newest state of each message.
      const deletes = await confirmDeleted(graph, accessToken, [...removed], cursor.mailbox);
      return {
        changes: [...upserts, ...deletes.map((id): MailChange => ({ kind: 'delete', id }))],
        cursor,
        more: cursor.folders.some((folder) => !folder.synced),
      };
    },

    async headers(accessToken, ids) {
      const unique = [...new Set(ids)];
      const result = new Map<string, MessageHeaders | null>();
      if (unique.length === 0) return result;
      const mailbox = await factsOf(accessToken);
      const answers = await batchGet(
        graph,
        accessToken,
        unique.map((id, i) => ({ id: String(i), url: `${messagePath(id)}?$select=${MESSAGE_SELECT}` })),
      );
      unique.forEach((id, i) => {
        const answer = answers.get(String(i));
        if (answer?.status === 404) result.set(id, null);
        else if (answer?.status === 200) result.set(id, toMessageHeaders(answer.body as object, mailbox));
        else throw answer ? mapGraphError(answer, 'messages get') : lost();
      });
      return result;
    },

    async findByMessageId(accessToken, rfcMessageId) {
      // `me/messages` spans every folder under the root, Junk Email and Drafts included ("List messages").
      // The id is an OData string literal: a quote inside is doubled, so the value cannot end the literal.
      const query = new URLSearchParams({
        $filter: `internetMessageId eq '${rfcMessageId.replaceAll("'", "''")}'`,
        $select: 'id',
        $top: String(FIND_LIMIT),
      });
      const response = await graph.ok(accessToken, { path: `me/messages?${query}` }, 'messages list');
      const value = (response.body as { value?: unknown }).value;
      if (!Array.isArray(value)) throw new ProviderError('transient', 'Graph listed messages without value');
      return (value as { id?: unknown }[])
        .map((message) => message.id)
        .filter((id): id is string => typeof id === 'string')
        .slice(0, FIND_LIMIT);
    },

    async raw(accessToken, ids) {
      const unique = [...new Set(ids)];
      const result = new Map<string, Buffer | null>();
      if (unique.length === 0) return result;
      const answers = await batchGet(
        graph,
        accessToken,
        unique.map((id, i) => ({ id: String(i), url: `${messagePath(id)}/$value` })),
      );
      unique.forEach((id, i) => {
        const answer = answers.get(String(i));
        if (answer?.status === 404) result.set(id, null);
        else if (answer?.status === 200 && typeof answer.body === 'string') {
          // A batch carries a non-JSON body (the MIME of `$value`) base64-encoded ("JSON batching").
          result.set(id, Buffer.from(answer.body, 'base64'));
        } else if (answer?.status === 200) {
          throw new ProviderError('transient', `Graph's batch answered $value of ${id} without a body`);
        } else throw answer ? mapGraphError(answer, 'messages $value') : lost();
      });
      return result;
    },

    async sizes(accessToken, ids) {
      const unique = [...new Set(ids)];
      const sizes = new Map<string, number>();
      if (unique.length === 0) return sizes;
      const query = `$select=id&$expand=${encodeURIComponent(SIZE_EXPAND)}`;
      const answers = await batchGet(
        graph,
        accessToken,
        unique.map((id, i) => ({ id: String(i), url: `${messagePath(id)}?${query}` })),
      );
      unique.forEach((id, i) => {
        const answer = answers.get(String(i));
        const size = answer?.status === 200 ? sizeOf(answer.body) : undefined;
        if (size !== undefined) sizes.set(id, size);
        else if (answer && answer.status !== 200 && answer.status !== 404)
          throw mapGraphError(answer, 'messages get');
      });
      return sizes;
    },

    async summary(accessToken, id, maxPartBytes) {
      const answers = await batchGet(graph, accessToken, [
        { id: 'body', url: `${messagePath(id)}?$select=body` },
        { id: 'attachments', url: `${messagePath(id)}/attachments?$select=${ATTACHMENT_SELECT}` },
      ]);
      const [body, attachments] = [answers.get('body'), answers.get('attachments')];
      if (body?.status === 404 || attachments?.status === 404) return null;
      for (const answer of [body, attachments]) {
        if (answer?.status !== 200) throw answer ? mapGraphError(answer, 'messages get') : lost();
      }
      return summaryOf(body?.body, attachments?.body, maxPartBytes);
    },
  };
}

/** Of ids Graph reported `@removed`, those that are deleted rather than moved (in order). */
async function confirmDeleted(
  graph: GraphClient,
  accessToken: string,
  ids: string[],
  mailbox: MailboxFacts,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const answers = await batchGet(
    graph,
    accessToken,
    ids.map((id, i) => ({ id: String(i), url: `${messagePath(id)}?$select=id,parentFolderId` })),
  );
  return ids.filter((_, i) => {
    const answer = answers.get(String(i));
    if (answer?.status === 404) return true;
    if (answer?.status === 200)
      return inTrash((answer.body as { parentFolderId?: unknown }).parentFolderId, mailbox);
    throw answer ? mapGraphError(answer, 'messages get') : lost();
  });
}

function messagePath(id: string): string {
  return `/me/messages/${encodeURIComponent(id)}`;
}

function lost(): ProviderError {
  return new ProviderError('transient', "Graph's batch answer lacks a request");
}
