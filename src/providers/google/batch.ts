/**
 * Gmail's batch endpoint (the "Batching requests" guide): many `GET`s in one `multipart/mixed` request,
 * each part an `application/http` request with its own `Content-ID`, answered by one `multipart/mixed`
 * response whose parts carry `Content-ID: <response-…>`. Batching saves round trips, not quota: "a set of
 * n requests batched together counts toward your usage limit as n requests". Inner requests succeed or
 * fail on their own, so rate-limited and failed parts are retried alone, never the parts that answered;
 * a batch request that fails as a whole (its own 429 or 5xx) is retried as if each of its parts had.
 * Retries go on while each round answers some parts: a sync page of 500 messages is all or nothing, and
 * a budget per part (with one part in a hundred left failing after a few tries) would make it nothing.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from '../errors.ts';
import type { ApiResponse } from '../http.ts';
import { mapGoogleApiError } from './errors.ts';

/** One inner `GET`: a key to find its answer by, and its path from the host root (with its query). */
export interface BatchRequest {
  key: string;
  path: string;
}

/** How to batch: parts per request, and which method the parts call. */
export interface BatchOptions {
  /** Parts per batch: "Sending batches larger than 50 requests is not recommended" (at most 100). */
  batchSize: number;
  /** The inner method's name in error messages and in the error table (`users.messages.get`). */
  operation: string;
}

/** Rounds in a row that may answer no part before the last round's error is thrown. */
const STALLED_ROUNDS = 4;
/** A longer `Retry-After` is the caller's to wait out (a job rescheduled), not ours to sleep through. */
const MAX_WAIT_MS = 10_000;
const BACKOFF_MS = 500;

/**
 * GETs every request through the batch endpoint at `url`: the JSON body of each success by key, null for
 * those that do not exist; rate-limited (429, 403 rate reasons) and failed (5xx) parts are retried,
 * honouring their `Retry-After`, until a few rounds in a row answer none of them.
 */
export async function batchGet(
  url: string,
  accessToken: string,
  requests: BatchRequest[],
  options: BatchOptions,
): Promise<Map<string, unknown>> {
  const results = new Map<string, unknown>();
  let pending = [...new Map(requests.map((request) => [request.key, request])).values()];
  for (let stalled = 0; pending.length > 0; ) {
    const retry: BatchRequest[] = [];
    const errors: ProviderError[] = [];
    for (let start = 0; start < pending.length; start += options.batchSize) {
      const chunk = pending.slice(start, start + options.batchSize);
      let answers: Map<string, ApiResponse>;
      try {
        answers = await sendBatch(url, accessToken, chunk);
      } catch (error) {
        if (
          !(error instanceof ProviderError) ||
          (error.kind !== 'rate_limited' && error.kind !== 'transient')
        )
          throw error;
        retry.push(...chunk);
        errors.push(error);
        continue;
      }
      for (const request of chunk) {
        const answer = answers.get(request.key);
        if (answer && answer.status >= 200 && answer.status < 300) {
          results.set(request.key, answer.body);
          continue;
        }
        const error = answer
          ? mapGoogleApiError(answer, options.operation)
          : new ProviderError('transient', `Google batch: no answer for ${options.operation} ${request.key}`);
        if (error.kind === 'not_found') results.set(request.key, null);
        else if (error.kind === 'rate_limited' || error.kind === 'transient') {
          retry.push(request);
          errors.push(error);
        } else throw error;
      }
    }
    if (retry.length === 0) break;
    stalled = retry.length < pending.length ? 0 : stalled + 1;
    // Rate-limited parts wait what Google asked (the longest of them); failed parts back off, longer
    // while rounds get nowhere.
    const limited = errors.filter((error) => error.kind === 'rate_limited');
    const worst = limited[0] ?? errors[0];
    const wait =
      limited.length > 0
        ? Math.max(...limited.map((error) => error.retryAfterMs ?? 0))
        : BACKOFF_MS * 2 ** Math.max(0, stalled - 1);
    if (worst && (stalled >= STALLED_ROUNDS || wait > MAX_WAIT_MS)) {
      throw new ProviderError(
        worst.kind,
        `${worst.message} (${retry.length} of the batch, ${stalled} rounds without an answer)`,
        {
          retryAfterMs: worst.kind === 'rate_limited' ? wait : undefined,
          code: worst.code,
          cause: worst,
        },
      );
    }
    await sleep(wait);
    pending = retry;
  }
  return results;
}

/** Sends one batch (at most 100 parts) and answers each part's response by request key. */
async function sendBatch(
  url: string,
  accessToken: string,
  requests: BatchRequest[],
): Promise<Map<string, ApiResponse>> {
  const boundary = `batch_${randomBytes(16).toString('hex')}`;
  const parts = requests.map(
    (request, index) =>
      `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item-${index}>\r\n\r\n` +
      `GET ${request.path} HTTP/1.1\r\n\r\n`,
  );
  const body = `${parts.join('')}--${boundary}--\r\n`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${accessToken}`,
        'content-type': `multipart/mixed; boundary=${boundary}`,
      },
      body,
      signal: AbortSignal.timeout(60_000),
      redirect: 'error',
    });
    text = await response.text();
  } catch (error) {
    throw new ProviderError('transient', `no answer from ${new URL(url).host}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok) {
    throw mapGoogleApiError(
      { status: response.status, headers: response.headers, body: parseJson(text) },
      'batch',
    );
  }
  const responseBoundary = /boundary="?([^";\s]+)"?/i.exec(type)?.[1];
  if (!/^multipart\/mixed/i.test(type) || !responseBoundary) {
    throw new ProviderError('transient', `Google batch: answered ${type || 'no content type'}`);
  }
  const answers = new Map<string, ApiResponse>();
  splitParts(text, responseBoundary).forEach((part, position) => {
    // Parts name the request they answer (`<response-item-N>`); the guide promises order only loosely,
    // so position is the fallback when a part carries no Content-ID.
    const index = Number(/^<?response-item-(\d+)>?$/.exec(part.contentId ?? '')?.[1] ?? position);
    const request = requests[index];
    if (request) answers.set(request.key, part.response);
  });
  return answers;
}

/** The parts of a `multipart/mixed` batch response: each part's Content-ID and the HTTP response inside. */
function splitParts(
  text: string,
  boundary: string,
): { contentId: string | undefined; response: ApiResponse }[] {
  const segments = text.split(`--${boundary}`).slice(1);
  const parts: { contentId: string | undefined; response: ApiResponse }[] = [];
  for (const segment of segments) {
    if (segment.startsWith('--')) break;
    const outer = splitHead(segment.replace(/^\r?\n/, ''));
    const contentId = headersOf(outer.head).get('content-id');
    const inner = splitHead(outer.rest);
    const [statusLine = '', ...lines] = inner.head.split(/\r?\n/);
    const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine.trim())?.[1] ?? 0);
    const headers = new Headers();
    for (const [name, value] of headersOf(lines.join('\n'))) headers.set(name, value);
    parts.push({ contentId, response: { status, headers, body: parseJson(inner.rest.trim()) } });
  }
  return parts;
}

function splitHead(text: string): { head: string; rest: string } {
  const match = /\r?\n\r?\n/.exec(text);
  return match
    ? { head: text.slice(0, match.index), rest: text.slice(match.index + match[0].length) }
    : { head: text, rest: '' };
}

function headersOf(head: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
