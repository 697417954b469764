/**
 * The shapes every Graph operation speaks in, whether it arrived over HTTP or inside a `$batch`: a call
 * (method, path segments, query, headers, JSON body) and a reply (status, headers, body). Errors use
 * Graph's documented body `{"error": {"code", "message", "innerError": {"date", "request-id",
 * "client-request-id"}}}` ("Microsoft Graph error responses and resource types").
 */

export interface GraphCall {
  method: string;
  /** Path below the version, as sent (e.g. `me/mailFolders('inbox')/messages/delta`). */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: unknown;
}

export interface GraphReply {
  status: number;
  headers: Record<string, string>;
  /** A JSON value, or bytes/text for non-JSON content (`$value`). */
  body?: unknown;
  /** The mailbox and operation the call was counted against, for the bytes of its answer (counters.ts). */
  counted?: { user: string; op: string };
}

export const JSON_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** A JSON reply. */
export function ok(body: unknown, status = 200, headers: Record<string, string> = {}): GraphReply {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body };
}

/** A Graph error reply. */
export function graphError(
  status: number,
  code: string,
  message: string,
  now: number,
  requestId: string,
  headers: Record<string, string> = {},
): GraphReply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date(now).toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    },
  };
}

/** The code and message Graph uses for a status, for injected faults. */
export function faultError(status: number): [string, string] {
  const known: Record<number, [string, string]> = {
    400: ['BadRequest', 'The request is malformed or incorrect.'],
    401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
    403: ['ErrorAccessDenied', 'Access is denied. Check credentials and try again.'],
    404: ['ErrorItemNotFound', 'The specified object was not found in the store.'],
    409: [
      'ErrorIrresolvableConflict',
      'The change key passed in the request does not match the current change key.',
    ],
    410: ['SyncStateNotFound', 'The sync state generation is not found.'],
    429: ['TooManyRequests', 'Please retry again later.'],
    500: ['UnknownError', 'An internal server error occurred.'],
    503: ['ServiceNotAvailable', 'The service is temporarily unavailable. Please retry after a delay.'],
    504: ['UnknownError', 'The request timed out.'],
  };
  return known[status] ?? ['UnknownError', `The service answered ${status}.`];
}

/**
 * `Prefer` preferences by lower-case name, values unquoted: `IdType="ImmutableId"`, `odata.maxpagesize=50`,
 * `outlook.body-content-type="text"`, `outlook.timezone="…"`. Several headers arrive comma-joined.
 */
export function parsePrefer(header: string | undefined): Map<string, string> {
  const prefer = new Map<string, string>();
  for (const match of (header ?? '').matchAll(/([\w.-]+)\s*(?:=\s*("[^"]*"|[^,\s]*))?/g)) {
    const name = match[1];
    if (name) prefer.set(name.toLowerCase(), (match[2] ?? '').replace(/^"|"$/g, ''));
  }
  return prefer;
}

/**
 * Path segments with OData key syntax unfolded (`mailFolders('inbox')` → `mailFolders`, `inbox`) and the
 * fully qualified function names the SDKs send (`microsoft.graph.delta`) shortened.
 */
export function pathSegments(path: string): string[] {
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      segment = raw;
    }
    const keyed = /^([^(]+)\('(.*)'\)$/.exec(segment) ?? /^([^(]+)\(([^')]*)\)$/.exec(segment);
    if (keyed?.[1] !== undefined && keyed[2] !== undefined) {
      segments.push(keyed[1], keyed[2].replace(/''/g, "'"));
      continue;
    }
    segments.push(segment.replace(/^microsoft\.graph\./i, ''));
  }
  return segments;
}

/** Thrown by operations to answer with a Graph error. */
export class GraphFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** The 404 Exchange gives for an item id that does not (or no longer) exist. */
export function itemNotFound(): GraphFailure {
  return new GraphFailure(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}
