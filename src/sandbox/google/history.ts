/**
 * users.history.list: the changes after `startHistoryId`, oldest first, as Gmail's `History` records
 * (`messages` plus `messagesAdded` / `messagesDeleted` / `labelsAdded` / `labelsRemoved`). Per the method's
 * reference, an id past retention ("typically valid for at least a week"), or one the mailbox never reached,
 * answers 404; the response `historyId` is the mailbox's current one.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError, operation } from './api.ts';
import { invalidArgument, notFound } from './errors.ts';
import { intParam, list, mailboxOf } from './gmail.ts';
import { type HistoryRecord, type MessageRef, pruneHistory } from './mailbox.ts';
import type { GoogleState } from './state.ts';

const TYPES = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'] as const;
const DAY_MS = 86_400_000;

const messageJson = (message: MessageRef) =>
  message.labelIds.length > 0 ? message : { id: message.id, threadId: message.threadId };

/** One record in Gmail's JSON shape, keeping only the requested change types (undefined when none remain). */
function recordJson(record: HistoryRecord, types: Set<string>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {
    id: String(record.id),
    messages: [{ id: record.message.id, threadId: record.message.threadId }],
  };
  let kept = false;
  const keep = (type: string, key: string, value: unknown) => {
    if (types.size > 0 && !types.has(type)) return;
    out[key] = [value];
    kept = true;
  };
  if (record.messagesAdded) keep('messageAdded', 'messagesAdded', { message: messageJson(record.message) });
  if (record.messagesDeleted)
    keep('messageDeleted', 'messagesDeleted', { message: messageJson(record.message) });
  if (record.labelsAdded)
    keep('labelAdded', 'labelsAdded', { message: messageJson(record.message), labelIds: record.labelsAdded });
  if (record.labelsRemoved)
    keep('labelRemoved', 'labelsRemoved', {
      message: messageJson(record.message),
      labelIds: record.labelsRemoved,
    });
  return kept ? out : undefined;
}

/** Registers users.history.list. */
export function historyRoutes(app: FastifyInstance, state: GoogleState): void {
  app.get(
    '/gmail/v1/users/:userId/history',
    operation(state, 'gmail.users.history.list', (context, request) => {
      const query = request.query as Record<string, string | string[] | undefined>;
      const mailbox = mailboxOf(state, context);
      const startText = list(query.startHistoryId)[0];
      if (startText === undefined)
        throw new ApiError(invalidArgument('Missing required parameter: startHistoryId'));
      if (!/^\d+$/.test(startText))
        throw new ApiError(invalidArgument(`Invalid value for startHistoryId: ${startText}`));
      const types = new Set(list(query.historyTypes));
      for (const type of types) {
        if (!(TYPES as readonly string[]).includes(type))
          throw new ApiError(invalidArgument(`Invalid value for historyTypes: ${type}`));
      }
      const maxResults = intParam(query.maxResults, 'maxResults', 100, 500);
      const labelId = list(query.labelId)[0];
      pruneHistory(mailbox, state.core.clock.now(), state.options.historyRetentionMs ?? 7 * DAY_MS);
      const start = BigInt(startText);
      if (start < BigInt(mailbox.floor) || start > BigInt(mailbox.historyId)) throw new ApiError(notFound());
      const pageText = list(query.pageToken)[0];
      if (pageText !== undefined && !/^\d+$/.test(pageText))
        throw new ApiError(invalidArgument('Invalid pageToken'));
      const after = pageText === undefined ? Number(start) : Number(pageText);
      const history: Record<string, unknown>[] = [];
      let nextPageToken: string | undefined;
      for (const record of mailbox.history) {
        if (record.id <= after) continue;
        if (labelId !== undefined && !touchesLabel(record, labelId)) continue;
        const json = recordJson(record, types);
        if (!json) continue;
        if (history.length === maxResults) {
          nextPageToken = String(history.length > 0 ? Number(history.at(-1)?.id) : after);
          break;
        }
        history.push(json);
      }
      const body: Record<string, unknown> = {};
      if (history.length > 0) body.history = history;
      if (nextPageToken) body.nextPageToken = nextPageToken;
      body.historyId = String(mailbox.historyId);
      return body;
    }),
  );
}

const touchesLabel = (record: HistoryRecord, labelId: string) =>
  record.message.labelIds.includes(labelId) ||
  (record.labelsAdded ?? []).includes(labelId) ||
  (record.labelsRemoved ?? []).includes(labelId);
