/**
 * JSON batching (`POST /$batch`, "Combine multiple HTTP requests using JSON batching"): up to 20 requests,
 * each with a unique `id`, a `method` and a URL relative to the version (`/me/...`; the SDKs send
 * `/v1.0/me/...`, which is accepted too). Requests run as their own operations — counted, throttled and
 * faulted individually — so a 429 inside the batch carries its own Retry-After while the batch answers
 * 200. Outlook runs at most 4 of a batch's requests at once ("Outlook service limits for JSON batching");
 * `dependsOn` orders them, and a request whose dependency failed answers 424. Non-JSON bodies (`$value`)
 * come back base64-encoded.
 */
import type { GraphRequest, GraphRoute } from './graph.ts';
import { GraphFailure, type GraphReply, ok } from './graph-http.ts';

const MAX_REQUESTS = 20;
const PARALLEL = 4;

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

function parse(body: unknown): BatchItem[] {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests)) throw new GraphFailure(400, 'BadRequest', 'Invalid batch payload format.');
  if (requests.length > MAX_REQUESTS) {
    throw new GraphFailure(
      400,
      'BadRequest',
      `Number of batch request steps exceeds the maximum of ${MAX_REQUESTS}.`,
    );
  }
  const seen = new Set<string>();
  const items = requests.map((raw: unknown) => {
    const item = raw as Partial<BatchItem>;
    if (typeof item.id !== 'string' || typeof item.method !== 'string' || typeof item.url !== 'string') {
      throw new GraphFailure(400, 'BadRequest', 'Each batch request needs an id, a method and a url.');
    }
    if (seen.has(item.id.toLowerCase())) {
      throw new GraphFailure(400, 'BadRequest', `Batch request id '${item.id}' is not unique.`);
    }
    seen.add(item.id.toLowerCase());
    if (relative(item.url).path.toLowerCase() === '$batch') {
      throw new GraphFailure(400, 'BadRequest', 'A batch cannot contain another batch.');
    }
    if (/^[a-z]+:\/\//i.test(item.url)) {
      throw new GraphFailure(400, 'BadRequest', 'Batch request urls must be relative to the version.');
    }
    if (
      item.body !== undefined &&
      !Object.keys(item.headers ?? {}).some((name) => name.toLowerCase() === 'content-type')
    ) {
      throw new GraphFailure(
        400,
        'BadRequest',
        `Batch request '${item.id}' has a body but no Content-Type header.`,
      );
    }
    return item as BatchItem;
  });
  for (const item of items) {
    for (const dependency of item.dependsOn ?? []) {
      if (!seen.has(dependency.toLowerCase())) {
        throw new GraphFailure(
          400,
          'BadRequest',
          `Batch request '${item.id}' depends on unknown request '${dependency}'.`,
        );
      }
    }
  }
  const byId = new Map(items.map((item) => [item.id.toLowerCase(), item]));
  const visiting = new Set<string>();
  const cyclic = (id: string): boolean => {
    if (visiting.has(id)) return true;
    visiting.add(id);
    const found = (byId.get(id)?.dependsOn ?? []).some((dependency) => cyclic(dependency.toLowerCase()));
    visiting.delete(id);
    return found;
  };
  if (items.some((item) => cyclic(item.id.toLowerCase()))) {
    throw new GraphFailure(400, 'BadRequest', 'Batch request dependencies form a cycle.');
  }
  return items;
}

/** The item's path and query below the version. */
function relative(url: string): { path: string; query: URLSearchParams } {
  const trimmed = url.replace(/^\/?(microsoft\/graph\/)?v1\.0\//i, '').replace(/^\//, '');
  const mark = trimmed.indexOf('?');
  return mark === -1
    ? { path: trimmed, query: new URLSearchParams() }
    : { path: trimmed.slice(0, mark), query: new URLSearchParams(trimmed.slice(mark + 1)) };
}

function itemResponse(id: string, reply: GraphReply) {
  const body =
    Buffer.isBuffer(reply.body) || typeof reply.body === 'string'
      ? Buffer.from(reply.body).toString('base64')
      : reply.body;
  const headers = Object.fromEntries(
    Object.entries(reply.headers).map(([name, value]) => [
      name.replace(/(^|-)([a-z])/g, (_, dash, c: string) => dash + c.toUpperCase()),
      value,
    ]),
  );
  return { id, status: reply.status, headers, ...(body === undefined ? {} : { body }) };
}

export function batchRoutes(): GraphRoute[] {
  const handle = async (request: GraphRequest) => {
    const items = parse(request.call.body);
    const replies = new Map<string, GraphReply>();
    const running = new Map<string, Promise<void>>();
    let active = 0;
    const waiters: (() => void)[] = [];
    const slot = async () => {
      while (active >= PARALLEL) await new Promise<void>((resolve) => waiters.push(resolve));
      active += 1;
    };
    const free = () => {
      active -= 1;
      waiters.shift()?.();
    };
    const byId = new Map(items.map((item) => [item.id.toLowerCase(), item]));
    const run = (item: BatchItem): Promise<void> => {
      const key = item.id.toLowerCase();
      let promise = running.get(key);
      if (promise) return promise;
      promise = (async () => {
        const dependencies = (item.dependsOn ?? []).map((id) => byId.get(id.toLowerCase()) as BatchItem);
        await Promise.all(dependencies.map(run));
        const failed = dependencies.some(
          (dependency) => (replies.get(dependency.id.toLowerCase())?.status ?? 500) >= 400,
        );
        if (failed) {
          replies.set(key, {
            status: 424,
            headers: { 'content-type': 'application/json' },
            body: { error: { code: 'FailedDependency', message: 'Failed Dependency' } },
          });
          return;
        }
        await slot();
        try {
          const { path, query } = relative(item.url);
          const headers = Object.fromEntries(
            Object.entries(item.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
          );
          replies.set(
            key,
            await request.dispatch({
              method: item.method.toUpperCase(),
              path,
              query,
              headers,
              body: item.body,
            }),
          );
        } finally {
          free();
        }
      })();
      running.set(key, promise);
      return promise;
    };
    await Promise.all(items.map(run));
    return ok({
      responses: items.map((item) => itemResponse(item.id, replies.get(item.id.toLowerCase()) as GraphReply)),
    });
  };
  return [{ method: 'POST', path: '$batch', op: 'graph.batch', scopes: [], throttled: false, handle }];
}
