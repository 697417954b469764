/**
 * Message listings ("List messages"): `GET /me/messages` — every message in the folder tree under
 * msgfolderroot (so Junk Email, Drafts and Deleted Items too, not Recoverable Items) — and
 * `GET /me/mailFolders/{id}/messages`, one folder's. Newest first by default; `$top` (default 10, at most
 * 1,000) and `$skip` paging with an `@odata.nextLink` that keeps the query; `$select`; `$orderby` on
 * `receivedDateTime` or `sentDateTime` (`asc`/`desc`).
 *
 * `$filter`: clauses joined by `and`, each one of
 * - `receivedDateTime` or `sentDateTime` `eq|ge|gt|le|lt` a DateTimeOffset (`2026-01-01T00:00:00Z`, quoted or not),
 * - `from/emailAddress/address eq '…'` (addresses compare case-insensitively, as Exchange does),
 * - `internetMessageId eq '<…>'` (exact),
 * - `isRead eq true|false`.
 * String literals are OData's: a quote inside is doubled. Anything else (`or`, `not`, functions, other
 * properties) answers Graph's 400 envelope `ErrorInvalidUrlQueryFilter`, never a silently empty list; so do
 * `$search`, `$count=true` and `$expand`, which lists here do not model (docs/sandbox.md).
 * As Graph, with both `$filter` and `$orderby` the sorted properties must come first in the filter, in
 * the same order, or the request answers 400 `InefficientFilter` ("Use $filter and $orderby in the same
 * query", List messages).
 */
import type { GraphRequest } from './graph.ts';
import { GraphFailure, ok } from './graph-http.ts';
import type { MailFolder, StoredMessage } from './mailbox.ts';
import { type JsonOptions, messageJson, parseSelect, revealsContent } from './message-json.ts';

const DEFAULT_TOP = 10;
const MAX_TOP = 1000;

type Property =
  | 'receivedDateTime'
  | 'sentDateTime'
  | 'from/emailAddress/address'
  | 'internetMessageId'
  | 'isRead';

interface Clause {
  property: Property;
  test(message: StoredMessage): boolean;
}

const invalidFilter = () =>
  new GraphFailure(400, 'ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.');

const DATE_PROPERTIES = { receiveddatetime: 'receivedDateTime', sentdatetime: 'sentDateTime' } as const;

const timeOf = (message: StoredMessage, property: 'receivedDateTime' | 'sentDateTime') =>
  // Graph's DateTimeOffset values have whole seconds.
  Math.floor((property === 'receivedDateTime' ? message.receivedAt : message.sentAt) / 1000) * 1000;

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b,
  ge: (a, b) => a >= b,
  gt: (a, b) => a > b,
  le: (a, b) => a <= b,
  lt: (a, b) => a < b,
};

/** One clause of a `$filter`, or a 400 for anything the sandbox does not evaluate. */
function parseClause(text: string): Clause {
  const date =
    /^(receivedDateTime|sentDateTime)\s+(eq|ge|gt|le|lt)\s+'?(\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d))'?$/i.exec(
      text,
    );
  if (date) {
    const property = DATE_PROPERTIES[(date[1] ?? '').toLowerCase() as keyof typeof DATE_PROPERTIES];
    const compare = COMPARE[(date[2] ?? '').toLowerCase()];
    const when = Date.parse(date[3] ?? '');
    if (!compare || Number.isNaN(when)) throw invalidFilter();
    return { property, test: (message) => compare(timeOf(message, property), when) };
  }
  const literal = /^(from\/emailAddress\/address|internetMessageId)\s+eq\s+'((?:[^']|'')*)'$/i.exec(text);
  if (literal) {
    const value = (literal[2] ?? '').replaceAll("''", "'");
    if ((literal[1] ?? '').toLowerCase() === 'internetmessageid')
      return { property: 'internetMessageId', test: (message) => message.content.messageId === value };
    const wanted = value.toLowerCase();
    return {
      property: 'from/emailAddress/address',
      test: (message) => message.content.from?.address.toLowerCase() === wanted,
    };
  }
  const read = /^isRead\s+eq\s+(true|false)$/i.exec(text);
  if (read) {
    const wanted = (read[1] ?? '').toLowerCase() === 'true';
    return { property: 'isRead', test: (message) => message.isRead === wanted };
  }
  throw invalidFilter();
}

/** Splits a `$filter` on top-level ` and ` (outside string literals) and parses each clause. */
export function parseFilter(filter: string | null): Clause[] {
  if (filter === null) return [];
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < filter.length; i += 1) {
    const char = filter[i] as string;
    if (char === "'") quoted = !quoted;
    if (!quoted && /^\sand\s/i.test(filter.slice(i, i + 5))) {
      parts.push(current);
      current = '';
      i += 4;
      continue;
    }
    current += char;
  }
  parts.push(current);
  if (quoted) throw invalidFilter();
  return parts.map((part) => parseClause(part.trim()));
}

interface Order {
  property: 'receivedDateTime' | 'sentDateTime';
  descending: boolean;
}

function parseOrderBy(value: string | null): Order[] | undefined {
  if (value === null) return undefined;
  return value.split(',').map((item) => {
    const match = /^\s*(receivedDateTime|sentDateTime)(?:\s+(asc|desc))?\s*$/i.exec(item);
    if (!match) {
      throw new GraphFailure(
        400,
        'BadRequest',
        `The $orderby '${item.trim()}' is not supported: the sandbox sorts messages by receivedDateTime or sentDateTime.`,
      );
    }
    return {
      property: DATE_PROPERTIES[(match[1] ?? '').toLowerCase() as keyof typeof DATE_PROPERTIES],
      descending: (match[2] ?? '').toLowerCase() === 'desc',
    };
  });
}

/** Where a listing reads from: the whole folder tree, or one folder. */
export type ListScope = { kind: 'tree' } | { kind: 'folder'; folder: MailFolder };

/** Answers a message listing for the signed-in mailbox. */
export function listMessages(
  request: GraphRequest,
  scope: ListScope,
  options: Omit<JsonOptions, 'select'> & { v1: string },
) {
  const { query } = request.call;
  const top = Number(query.get('$top') ?? DEFAULT_TOP);
  const skip = Number(query.get('$skip') ?? 0);
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP || !Number.isInteger(skip) || skip < 0) {
    throw new GraphFailure(400, 'BadRequest', 'Invalid $top or $skip value.');
  }
  for (const option of ['$search', '$count', '$expand']) {
    // Not modelled for lists: refused rather than ignored, so nobody reads an unfiltered list as filtered.
    if (query.has(option) && !(option === '$count' && query.get(option)?.toLowerCase() === 'false')) {
      throw new GraphFailure(
        400,
        'BadRequest',
        `The sandbox does not support ${option} on message lists (docs/sandbox.md, known differences).`,
      );
    }
  }
  const clauses = parseFilter(query.get('$filter'));
  const order = parseOrderBy(query.get('$orderby'));
  if (order && clauses.length > 0) {
    const filtered = clauses.map((clause) => clause.property);
    if (order.some((item, i) => filtered[i] !== item.property)) {
      throw new GraphFailure(
        400,
        'InefficientFilter',
        'The restriction or sort order is too complex for this operation.',
      );
    }
  }
  const select = parseSelect(query.get('$select'));
  const source =
    scope.kind === 'folder'
      ? [...scope.folder.messages]
      : [...request.mailbox.messages()].filter(inTree(request));
  const all = source.filter((message) => clauses.every((clause) => clause.test(message)));
  const sorts = order ?? [{ property: 'receivedDateTime', descending: true }];
  all.sort((a, b) => {
    for (const { property, descending } of sorts) {
      const difference = timeOf(a, property) - timeOf(b, property);
      if (difference !== 0) return descending ? -difference : difference;
    }
    return b.receivedAt - a.receivedAt || b.enteredAt - a.enteredAt;
  });
  const page = all.slice(skip, skip + top);
  if (revealsContent(select)) for (const message of page) request.mailbox.bodyReads.add(message.immutableId);
  const path = scope.kind === 'folder' ? `me/mailFolders('${scope.folder.id}')/messages` : 'me/messages';
  const context =
    scope.kind === 'folder'
      ? `users('${request.user.id}')/mailFolders('${scope.folder.id}')/messages`
      : `users('${request.user.id}')/messages`;
  const body: Record<string, unknown> = {
    '@odata.context': `${options.v1}/$metadata#${context}${select ? `(${select.join(',')})` : ''}`,
    value: page.map((message) => messageJson(message, { ...options, select })),
  };
  if (skip + top < all.length) {
    const next = new URLSearchParams(query);
    next.set('$skip', String(skip + top));
    body['@odata.nextLink'] = `${options.v1}/${path}?${next.toString()}`;
  }
  return ok(body);
}

const inTree = (request: GraphRequest) => (message: StoredMessage) => {
  const folder = request.mailbox.folder(message.folderId);
  return folder !== undefined && request.mailbox.inTree(folder);
};
