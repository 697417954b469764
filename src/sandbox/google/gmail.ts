/**
 * Gmail v1 reads (users.getProfile, users.messages.list/get, users.messages.attachments.get,
 * users.labels.list). `messages.get` serves each format from what the message cached when it was stored,
 * so a request costs a map lookup and one string concatenation. Empty repeated fields are left out of
 * responses, as Google's proto-JSON does (a message with no labels has no `labelIds`).
 */
import type { FastifyInstance } from 'fastify';
import { ApiError, type CallContext, operation } from './api.ts';
import { forbidden, invalidArgument, notFound } from './errors.ts';
import type { Mailbox } from './mailbox.ts';
import { sortedMessages } from './mailbox.ts';
import { metadataPayload, payloadJson, payloadOf, rawJson, type StoredMessage } from './message.ts';
import { METADATA_SCOPE } from './operations.ts';
import { compileQuery, UnsupportedQuery } from './query.ts';
import type { GoogleState } from './state.ts';

export type Query = Record<string, string | string[] | undefined>;

/** A query parameter as a list (Fastify gives a string for one value, an array for repeats). */
export const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The caller's mailbox. */
export function mailboxOf(state: GoogleState, context: CallContext): Mailbox {
  const mailbox = state.mailboxes.get(context.user.email);
  if (!mailbox) throw new ApiError(notFound());
  return mailbox;
}

/** A bounded integer query parameter (Gmail caps `maxResults` at its maximum instead of failing). */
export function intParam(
  value: string | string[] | undefined,
  name: string,
  fallback: number,
  max: number,
): number {
  const text = list(value)[0];
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new ApiError(invalidArgument(`Invalid value for ${name}: ${text}`));
  return Math.min(Number(text), max);
}

export const onlyMetadataScope = (context: CallContext) => context.token.scopes.includes(METADATA_SCOPE);

export function findMessage(mailbox: Mailbox, id: string): StoredMessage {
  if (!/^[0-9a-fA-F]{1,24}$/.test(id)) throw new ApiError(invalidArgument('Invalid id value'));
  const message = mailbox.messages.get(id.toLowerCase());
  if (!message) throw new ApiError(notFound());
  return message;
}

const labels = (message: StoredMessage) =>
  message.labelIds.length > 0 ? `"labelIds":${JSON.stringify(message.labelIds)},` : '';

/** The JSON text of a message in the given format. */
export function messageJson(message: StoredMessage, format: string, metadataHeaders: string[]): string {
  const head = `{"id":"${message.id}","threadId":"${message.threadId}",${labels(message)}"snippet":${JSON.stringify(message.snippet)},`;
  const tail = `"sizeEstimate":${message.raw.length},"historyId":"${message.historyId}","internalDate":"${message.internalDate}"}`;
  switch (format) {
    case 'raw':
      return `${head}${tail.slice(0, -1)},"raw":${rawJson(message)}}`;
    case 'full':
      return `${head}"payload":${payloadJson(message)},${tail}`;
    case 'metadata':
      return `${head}"payload":${JSON.stringify(metadataPayload(message, metadataHeaders))},${tail}`;
    default:
      return `${head}${tail}`;
  }
}

/**
 * The messages a list call's `q`, `labelIds` and `includeSpamTrash` select, newest first (messages.list and
 * threads.list share it).
 */
export function selectMessages(state: GoogleState, context: CallContext, query: Query): StoredMessage[] {
  const mailbox = mailboxOf(state, context);
  const q = list(query.q)[0];
  // users.messages.list: "q: Parameter cannot be used when accessing the api using the gmail.metadata scope."
  if (q !== undefined && onlyMetadataScope(context))
    throw new ApiError(forbidden("Metadata scope does not support 'q' parameter"));
  const labelIds = list(query.labelIds);
  let compiled: ReturnType<typeof compileQuery> | undefined;
  try {
    compiled = q ? compileQuery(q, mailbox, state.core.clock.now()) : undefined;
  } catch (error) {
    if (!(error instanceof UnsupportedQuery)) throw error;
    throw new ApiError(invalidArgument(`Invalid query: ${error.message} (q=${q})`));
  }
  const includeSpamTrash =
    list(query.includeSpamTrash)[0] === 'true' ||
    compiled?.mentionsSpamTrash === true ||
    labelIds.some((id) => id === 'SPAM' || id === 'TRASH');
  return sortedMessages(mailbox).filter(
    (message) =>
      (includeSpamTrash || !message.labelIds.some((id) => id === 'SPAM' || id === 'TRASH')) &&
      labelIds.every((id) => message.labelIds.includes(id)) &&
      (!compiled || compiled.test(message)),
  );
}

/** Registers the Gmail read endpoints under `/gmail/v1/users/:userId`. */
export function gmailRoutes(app: FastifyInstance, state: GoogleState): void {
  const base = '/gmail/v1/users/:userId';

  app.get(
    `${base}/profile`,
    operation(state, 'gmail.users.getProfile', (context) => {
      const mailbox = mailboxOf(state, context);
      const threads = new Set<string>();
      for (const message of mailbox.messages.values()) threads.add(message.threadId);
      return {
        emailAddress: context.user.email,
        messagesTotal: mailbox.messages.size,
        threadsTotal: threads.size,
        historyId: String(mailbox.historyId),
      };
    }),
  );

  app.get<{ Querystring: Query }>(
    `${base}/messages`,
    operation(state, 'gmail.users.messages.list', (context, request) => {
      const query = request.query as Query;
      const maxResults = intParam(query.maxResults, 'maxResults', 100, 500);
      const matches = selectMessages(state, context, query);
      const cursor = decodeCursor(list(query.pageToken)[0]);
      const start = cursor ? matches.findIndex((message) => isAfter(message, cursor)) : 0;
      const page = start === -1 ? [] : matches.slice(start, start + maxResults);
      const body: Record<string, unknown> = {};
      if (page.length > 0)
        body.messages = page.map((message) => ({ id: message.id, threadId: message.threadId }));
      const last = page.at(-1);
      if (last && start + page.length < matches.length) body.nextPageToken = encodeCursor(last);
      body.resultSizeEstimate = matches.length;
      return body;
    }),
  );

  app.get<{ Params: { id: string }; Querystring: Query }>(
    `${base}/messages/:id`,
    operation(state, 'gmail.users.messages.get', (context, request) => {
      const query = request.query as Query;
      const format = (list(query.format)[0] ?? 'full').toLowerCase();
      if (!['minimal', 'full', 'raw', 'metadata'].includes(format)) {
        throw new ApiError(
          invalidArgument(
            `Invalid value at 'format' (type.googleapis.com/caribou.api.proto.MessageFormat), "${format}"`,
          ),
        );
      }
      if ((format === 'full' || format === 'raw') && onlyMetadataScope(context)) {
        throw new ApiError(forbidden(`Metadata scope doesn't allow format ${format.toUpperCase()}`));
      }
      const mailbox = mailboxOf(state, context);
      const message = findMessage(mailbox, request.params.id);
      if (format === 'full' || format === 'raw') mailbox.bodyReads.add(message.id);
      return messageJson(message, format, list(query.metadataHeaders));
    }),
  );

  app.get<{ Params: { messageId: string; id: string } }>(
    `${base}/messages/:messageId/attachments/:id`,
    operation(state, 'gmail.users.messages.attachments.get', (context, request) => {
      const mailbox = mailboxOf(state, context);
      const message = findMessage(mailbox, request.params.messageId);
      const data = payloadOf(message).attachments.get(request.params.id);
      mailbox.bodyReads.add(message.id);
      if (!data) throw new ApiError(invalidArgument('Invalid attachment token'));
      return { attachmentId: request.params.id, size: data.length, data: data.toString('base64url') };
    }),
  );

  app.get(
    `${base}/labels`,
    operation(state, 'gmail.users.labels.list', (context) => ({
      labels: [...mailboxOf(state, context).labels.values()].map((label) => ({
        id: label.id,
        name: label.name,
        type: label.type,
      })),
    })),
  );
}

/** A page token naming the last message of a page (its internal date and id). */
export const encodeCursor = (last: StoredMessage): string =>
  Buffer.from(`${last.internalDate}:${last.id}`).toString('base64url');

/** The position a page token names. */
export function decodeCursor(token: string | undefined): { date: number; id: string } | undefined {
  if (token === undefined) return undefined;
  const match = /^(\d+):([0-9a-f]+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw new ApiError(invalidArgument('Invalid pageToken'));
  return { date: Number(match[1]), id: match[2] ?? '' };
}

/** Whether a message sorts after the cursor in newest-first order. */
export const isAfter = (message: StoredMessage, cursor: { date: number; id: string }) =>
  message.internalDate < cursor.date || (message.internalDate === cursor.date && message.id < cursor.id);
