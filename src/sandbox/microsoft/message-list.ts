/**
 * `GET /me/messages` ("List messages"): every message in the folder tree under msgfolderroot (so Junk Email,
 * Drafts and Deleted Items too, not Recoverable Items), newest first, `$top` (default 10) and `$skip` paging
 * with an `@odata.nextLink`, `$select`. Of `$filter` the sandbox knows the one clause apps use to find a message
 * by its RFC 5322 id, `internetMessageId eq '<…>'` (an OData string literal: a quote inside is doubled, and
 * the comparison is exact); any other filter answers Graph's 400 for a filter it cannot apply.
 */
import type { GraphRequest } from './graph.ts';
import { GraphFailure, ok } from './graph-http.ts';
import type { StoredMessage } from './mailbox.ts';
import { type JsonOptions, messageJson, parseSelect, revealsContent } from './message-json.ts';

const DEFAULT_TOP = 10;
const MAX_TOP = 1000;

/** The `internetMessageId eq` filter's literal, decoded; undefined without a filter; throws on any other. */
export function internetMessageIdFilter(filter: string | null): string | undefined {
  if (filter === null) return undefined;
  const match = /^\s*internetMessageId\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(filter);
  if (!match) {
    throw new GraphFailure(
      400,
      'ErrorInvalidUrlQueryFilter',
      'The query filter contains one or more invalid nodes.',
    );
  }
  return (match[1] ?? '').replaceAll("''", "'");
}

/** Answers a message listing for the signed-in mailbox. */
export function listMessages(request: GraphRequest, options: Omit<JsonOptions, 'select'> & { v1: string }) {
  const { query } = request.call;
  const top = Number(query.get('$top') ?? DEFAULT_TOP);
  const skip = Number(query.get('$skip') ?? 0);
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP || !Number.isInteger(skip) || skip < 0) {
    throw new GraphFailure(400, 'BadRequest', 'Invalid $top or $skip value.');
  }
  const wanted = internetMessageIdFilter(query.get('$filter'));
  const select = parseSelect(query.get('$select'));
  const all: StoredMessage[] = [];
  for (const message of request.mailbox.messages()) {
    const folder = request.mailbox.folder(message.folderId);
    if (!folder || !request.mailbox.inTree(folder)) continue;
    if (wanted !== undefined && message.content.messageId !== wanted) continue;
    all.push(message);
  }
  all.sort((a, b) => b.receivedAt - a.receivedAt);
  const page = all.slice(skip, skip + top);
  if (revealsContent(select)) for (const message of page) request.mailbox.bodyReads.add(message.immutableId);
  const body: Record<string, unknown> = {
    '@odata.context': `${options.v1}/$metadata#users('${request.user.id}')/messages`,
    value: page.map((message) => messageJson(message, { ...options, select })),
  };
  if (skip + top < all.length) {
    const next = new URLSearchParams(query);
    next.set('$skip', String(skip + top));
    body['@odata.nextLink'] = `${options.v1}/me/messages?${next.toString()}`;
  }
  return ok(body);
}
