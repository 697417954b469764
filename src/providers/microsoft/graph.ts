/**
 * Graph over plain HTTP for one adapter instance. Every request:
 * - asks for immutable ids (`Prefer: IdType="ImmutableId"`, "Obtain immutable identifiers for Outlook
 *   resources"), so an id survives folder moves;
 * - waits for a slot of its mailbox's gate: Outlook allows 4 concurrent requests per app and mailbox
 *   ("Microsoft Graph service-specific throttling limits", Outlook service limits) and answers the fifth
 *   with 429 ApplicationThrottled. A `$batch` takes as many slots as it has requests, up to 4, because
 *   Outlook runs up to 4 of its requests at once and each counts against the same limit;
 * - is retried on 429 after its `Retry-After` ("Microsoft Graph throttling guidance"), a bounded number
 *   of times and never for longer than `maxWaitMs` at once; past that it is `rate_limited` for the caller
 *   (the job) to wait out. 503 and 504 ("Service Unavailable", "Gateway Timeout": the service is busy) are
 *   retried the same way, after their `Retry-After` or a short exponential backoff, as the Graph SDKs'
 *   retry handler does; past the budget they are `transient`. 500 and 502 are retried so too, but only on
 *   requests that are safe to repeat (GETs, and `$batch`es of GETs): sync reads dozens of answers per page,
 *   and one lost run per passing 500 kept a mailbox from ever finishing a page while Graph failed often
 *   (the chaos run, 30 % of calls failing); a create or update that answered 500 may have happened.
 * Links Graph returns (`@odata.nextLink`, `@odata.deltaLink`) are re-rooted at the configured Graph root,
 * so the bearer token only ever goes there, and stored links survive a change of host (the sandbox's port).
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MicrosoftConfig } from '../../config.ts';
import { ProviderError, retryAfterMs } from '../errors.ts';
import { type ApiResponse, send } from '../http.ts';
import { mapGraphError } from './errors.ts';

/** Outlook's concurrent requests per app and mailbox. */
const MAILBOX_CONCURRENCY = 4;
/** Answers worth another try: throttled, or the service busy. */
const RETRIED_STATUSES = new Set([429, 503, 504]);
/** Server errors worth another try when the request is safe to repeat. */
const RETRIED_WHEN_IDEMPOTENT = new Set([500, 502]);
const BACKOFF_MS = 500;

/** How hard the client tries before giving a 429 to the caller. */
export interface GraphClientOptions {
  /** Tries per request (or batch item) before a 429 becomes `rate_limited` (default 4). */
  maxAttempts?: number;
  /** The longest `Retry-After` waited out in process (default 20 s); longer ones go to the caller. */
  maxWaitMs?: number;
}

/** One request to Graph. */
export interface GraphRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A path below `/v1.0/` (`me/mailFolders`), or a link Graph returned. */
  path: string;
  json?: unknown;
  /** Preferences besides the immutable ids (`odata.maxpagesize=50`). */
  prefer?: string[];
  /** Mailbox slots the request occupies while it runs (a batch's request count, at most 4). */
  weight?: number;
  /** Safe to send again after a 500 or 502 (default: GETs only; a `$batch` of GETs says so). */
  idempotent?: boolean;
}

/** Graph requests through the mailbox gates, 429s retried. */
export interface GraphClient {
  /** Sends one request, retrying 429s; resolves with any other answer for the caller to judge. */
  request(accessToken: string, request: GraphRequest): Promise<ApiResponse>;
  /** Like `request`, but a non-2xx answer is thrown as the `ProviderError` it maps to. */
  ok(accessToken: string, request: GraphRequest, operation: string): Promise<ApiResponse>;
  /** Waits before another try, honouring the retry budget; throws `rate_limited` when it is spent. */
  backoff(attempt: number, waitMs: number, error: () => ProviderError): Promise<void>;
}

const IMMUTABLE_IDS = 'IdType="ImmutableId"';

/** Creates a client whose mailbox gates are shared by every call made through it. */
export function createGraphClient(config: MicrosoftConfig, options: GraphClientOptions = {}): GraphClient {
  const maxAttempts = options.maxAttempts ?? 4;
  const maxWaitMs = options.maxWaitMs ?? 20_000;
  const gates = createGates(MAILBOX_CONCURRENCY);
  const root = `${config.graphUrl}/v1.0/`;

  const backoff: GraphClient['backoff'] = async (attempt, waitMs, error) => {
    if (attempt >= maxAttempts || waitMs > maxWaitMs) throw error();
    await sleep(waitMs);
  };

  const request: GraphClient['request'] = async (accessToken, call) => {
    const url = root + belowVersion(call.path);
    const headers = { prefer: [IMMUTABLE_IDS, ...(call.prefer ?? [])].join(', ') };
    for (let attempt = 1; ; attempt += 1) {
      const release = await gates.acquire(mailboxKey(accessToken), call.weight ?? 1);
      let response: ApiResponse;
      try {
        response = await send(url, {
          method: call.method ?? 'GET',
          accessToken,
          headers,
          ...(call.json === undefined ? {} : { json: call.json }),
        });
      } finally {
        release();
      }
      if (!isRetried(response.status, call.idempotent ?? (call.method ?? 'GET') === 'GET')) return response;
      const error = mapGraphError(response, call.path.split('?')[0] ?? call.path);
      await backoff(attempt, retryWait(response, attempt), () => error);
    }
  };

  return {
    request,
    backoff,
    async ok(accessToken, call, operation) {
      const response = await request(accessToken, call);
      if (response.status < 200 || response.status >= 300) throw mapGraphError(response, operation);
      return response;
    },
  };
}

/** How long to wait before trying a retried answer again: its `Retry-After`, else a backoff. */
export function retryWait(response: ApiResponse, attempt: number): number {
  const asked = retryAfterMs(response.headers.get('retry-after'));
  if (asked !== undefined) return asked;
  return response.status === 429 ? 1000 : BACKOFF_MS * 2 ** (attempt - 1);
}

/** Whether an answer is worth another try (throttled, the service busy, or a passing server error). */
export function isRetried(status: number, idempotent = false): boolean {
  return RETRIED_STATUSES.has(status) || (idempotent && RETRIED_WHEN_IDEMPOTENT.has(status));
}

/** A path below the version; a full link is cut at `/v1.0/` so it is sent to our Graph root. */
export function belowVersion(pathOrLink: string): string {
  if (!/^https?:\/\//i.test(pathOrLink)) return pathOrLink.replace(/^\/+/, '');
  const at = pathOrLink.indexOf('/v1.0/');
  if (at === -1) throw new ProviderError('permanent', 'Graph returned a link outside /v1.0/');
  return pathOrLink.slice(at + '/v1.0/'.length);
}

/**
 * Which mailbox a token opens, for the gate. Work-account Graph tokens are JWTs naming the tenant and the
 * user (`tid`, `oid`), so all of a mailbox's tokens share one gate; opaque tokens (personal accounts, the
 * sandbox) are keyed by a hash of themselves, which is per mailbox for as long as the token lives. The
 * claims are read unverified and only ever group requests: Graph, not us, validates the token.
 */
export function mailboxKey(accessToken: string): string {
  const payload = accessToken.split('.')[1];
  if (payload) {
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      if (typeof claims.oid === 'string') return `${claims.tid ?? ''}/${claims.oid}`;
    } catch {
      // not a JWT: keyed by its hash below
    }
  }
  return createHash('sha256').update(accessToken).digest('base64url').slice(0, 22);
}

interface Gate {
  active: number;
  queue: { weight: number; admit: () => void }[];
}

/** Weighted FIFO semaphores by key, forgotten when idle. */
function createGates(limit: number) {
  const gates = new Map<string, Gate>();
  const drain = (key: string, gate: Gate) => {
    for (let next = gate.queue[0]; next && gate.active + next.weight <= limit; next = gate.queue[0]) {
      gate.queue.shift();
      gate.active += next.weight;
      next.admit();
    }
    if (gate.active === 0 && gate.queue.length === 0) gates.delete(key);
  };
  return {
    async acquire(key: string, requested: number): Promise<() => void> {
      const weight = Math.min(Math.max(1, requested), limit);
      let gate = gates.get(key);
      if (!gate) {
        gate = { active: 0, queue: [] };
        gates.set(key, gate);
      }
      const held = gate;
      if (held.queue.length === 0 && held.active + weight <= limit) held.active += weight;
      else await new Promise<void>((admit) => held.queue.push({ weight, admit }));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held.active -= weight;
        drain(key, held);
      };
    },
  };
}
