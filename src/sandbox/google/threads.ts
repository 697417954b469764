/**
 * Gmail threads (users.threads.list and users.threads.get). A thread is the messages sharing a `threadId`
 * (mailbox.ts forms them). `list` selects messages exactly as messages.list does (`q`, `labelIds`,
 * `includeSpamTrash`) and answers each thread once, newest thread first by its newest selected message,
 * as `{id, snippet, historyId}` (the snippet and history id of the thread's newest message). `get` answers
 * every message of the thread, oldest first, in the format asked for (`full`, `metadata`, `minimal`; the
 * reference has no `raw` for threads), with the thread's `historyId` the largest of its messages'.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError, operation } from './api.ts';
import { forbidden, invalidArgument, notFound } from './errors.ts';
import {
  decodeCursor,
  encodeCursor,
  intParam,
  isAfter,
  list,
  mailboxOf,
  messageJson,
  onlyMetadataScope,
  type Query,
  selectMessages,
} from './gmail.ts';
import { sortedMessages } from './mailbox.ts';
import type { StoredMessage } from './message.ts';
import type { GoogleState } from './state.ts';

const FORMATS = ['full', 'metadata', 'minimal'];

/** Registers users.threads.list and users.threads.get. */
export function threadRoutes(app: FastifyInstance, state: GoogleState): void {
  const base = '/gmail/v1/users/:userId/threads';

  app.get(
    base,
    operation(state, 'gmail.users.threads.list', (context, request) => {
      const query = request.query as Query;
      const maxResults = intParam(query.maxResults, 'maxResults', 100, 500);
      const mailbox = mailboxOf(state, context);
      // One entry per thread, at the place of its newest selected message.
      const seen = new Set<string>();
      const threads: StoredMessage[] = [];
      for (const message of selectMessages(state, context, query)) {
        if (seen.has(message.threadId)) continue;
        seen.add(message.threadId);
        threads.push(message);
      }
      const cursor = decodeCursor(list(query.pageToken)[0]);
      const start = cursor ? threads.findIndex((message) => isAfter(message, cursor)) : 0;
      const page = start === -1 ? [] : threads.slice(start, start + maxResults);
      const newest = new Map<string, StoredMessage>();
      for (const message of sortedMessages(mailbox))
        if (!newest.has(message.threadId)) newest.set(message.threadId, message);
      const body: Record<string, unknown> = {};
      if (page.length > 0) {
        body.threads = page.map((message) => {
          const head = newest.get(message.threadId) ?? message;
          return {
            id: message.threadId,
            snippet: head.snippet,
            historyId: String(threadHistory(mailboxMessages(mailbox, message.threadId))),
          };
        });
      }
      const last = page.at(-1);
      if (last && start + page.length < threads.length) body.nextPageToken = encodeCursor(last);
      body.resultSizeEstimate = threads.length;
      return body;
    }),
  );

  app.get<{ Params: { id: string }; Querystring: Query }>(
    `${base}/:id`,
    operation(state, 'gmail.users.threads.get', (context, request) => {
      const query = request.query as Query;
      const format = (list(query.format)[0] ?? 'full').toLowerCase();
      if (!FORMATS.includes(format)) {
        throw new ApiError(
          invalidArgument(
            `Invalid value at 'format' (type.googleapis.com/caribou.api.proto.ThreadFormat), "${format}"`,
          ),
        );
      }
      if (format === 'full' && onlyMetadataScope(context))
        throw new ApiError(forbidden("Metadata scope doesn't allow format FULL"));
      if (!/^[0-9a-fA-F]{1,24}$/.test(request.params.id))
        throw new ApiError(invalidArgument('Invalid id value'));
      const mailbox = mailboxOf(state, context);
      const messages = mailboxMessages(mailbox, request.params.id.toLowerCase());
      if (messages.length === 0) throw new ApiError(notFound());
      if (format === 'full') for (const message of messages) mailbox.bodyReads.add(message.id);
      const headers = list(query.metadataHeaders);
      const items = messages.map((message) => messageJson(message, format, headers)).join(',');
      return `{"id":"${messages[0]?.threadId}","historyId":"${threadHistory(messages)}","messages":[${items}]}`;
    }),
  );
}

/** The thread's messages, oldest first. */
function mailboxMessages(mailbox: ReturnType<typeof mailboxOf>, threadId: string): StoredMessage[] {
  return sortedMessages(mailbox)
    .filter((message) => message.threadId === threadId)
    .reverse();
}

const threadHistory = (messages: StoredMessage[]) =>
  messages.reduce((max, message) => Math.max(max, message.historyId), 0);
