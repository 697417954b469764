/**
 * JSON batching ("Combine multiple HTTP requests using JSON batching"): GETs in batches of at most 20,
 * answered item by item. The batch itself answers 200 even when items inside it were throttled or found
 * the service busy, so 429, 503 and 504 items are sent again (in a smaller batch) after the longest of
 * their own waits (graph.ts), within the client's retry budget. Items answer with Graph's usual status
 * and body; a body that is not JSON (a message's `$value`) arrives base64-encoded.
 */
import { ProviderError } from '../errors.ts';
import type { ApiResponse } from '../http.ts';
import { mapGraphError } from './errors.ts';
import { type GraphClient, isRetried, retryWait } from './graph.ts';

/** Graph's limit on requests per batch. */
const BATCH_LIMIT = 20;

/** One GET to run inside a batch. */
export interface BatchItem {
  /** Unique within the call; answers are keyed by it. */
  id: string;
  /** A GET path below the version, starting with `/`. */
  url: string;
}

interface BatchAnswer {
  id?: unknown;
  status?: unknown;
  headers?: unknown;
  body?: unknown;
}

/** Runs GETs through `$batch` (≤ 20 a batch); every item's final answer by id, 429s retried. */
export async function batchGet(
  graph: GraphClient,
  accessToken: string,
  items: BatchItem[],
): Promise<Map<string, ApiResponse>> {
  const answers = new Map<string, ApiResponse>();
  const chunks: BatchItem[][] = [];
  for (let i = 0; i < items.length; i += BATCH_LIMIT) chunks.push(items.slice(i, i + BATCH_LIMIT));
  // The mailbox gate orders the chunks; each holds up to 4 of the mailbox's slots while it runs.
  await Promise.all(
    chunks.map(async (chunk) => {
      for (const [id, answer] of await runChunk(graph, accessToken, chunk)) answers.set(id, answer);
    }),
  );
  return answers;
}

async function runChunk(
  graph: GraphClient,
  accessToken: string,
  chunk: BatchItem[],
): Promise<Map<string, ApiResponse>> {
  const answers = new Map<string, ApiResponse>();
  let pending = chunk;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const response = await graph.ok(
      accessToken,
      {
        method: 'POST',
        path: '$batch',
        json: { requests: pending.map((item) => ({ id: item.id, method: 'GET', url: item.url })) },
        weight: pending.length,
        idempotent: true,
      },
      'batch',
    );
    const retried: BatchItem[] = [];
    let waitMs = 0;
    let lastError: ProviderError | undefined;
    const byId = new Map(answersOf(response.body).map((answer) => [answer.id, answer]));
    for (const item of pending) {
      const answer = byId.get(item.id);
      if (!answer) throw new ProviderError('transient', `Graph's batch answer lacks request ${item.id}`);
      if (isRetried(answer.status, true)) {
        lastError = mapGraphError(answer, `batch item ${item.url.split('?')[0]}`);
        waitMs = Math.max(waitMs, retryWait(answer, attempt));
        retried.push(item);
      } else answers.set(item.id, answer);
    }
    if (retried.length > 0) {
      const error = lastError as ProviderError;
      await graph.backoff(attempt, waitMs, () => error);
    }
    pending = retried;
  }
  return answers;
}

/** The batch answer's items as responses; a malformed answer is `transient` (worth another try). */
function answersOf(body: unknown): (ApiResponse & { id: string })[] {
  const responses = (body as { responses?: unknown } | undefined)?.responses;
  if (!Array.isArray(responses)) {
    throw new ProviderError('transient', 'Graph answered $batch without a responses array');
  }
  return responses.map((raw: BatchAnswer) => {
    if (typeof raw?.id !== 'string' || typeof raw.status !== 'number') {
      throw new ProviderError('transient', 'Graph answered $batch with an item lacking id or status');
    }
    const headers = new Headers();
    if (raw.headers && typeof raw.headers === 'object') {
      for (const [name, value] of Object.entries(raw.headers)) headers.set(name, String(value));
    }
    return { id: raw.id, status: raw.status, headers, body: raw.body };
  });
}
