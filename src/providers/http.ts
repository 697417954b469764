/**
 * HTTP to provider APIs: JSON in and out, a timeout on every call, and network failures turned into
 * `transient` errors. Each adapter turns error responses into `ProviderError`s through its own table.
 */
import { ProviderError } from './errors.ts';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ApiRequest {
  method?: string;
  accessToken?: string | undefined;
  headers?: Record<string, string>;
  json?: unknown;
  timeoutMs?: number;
}

/** Sends one request; resolves with any HTTP answer (the caller checks the status), rejects only on no answer. */
export async function send(url: string | URL, request: ApiRequest = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (request.accessToken) headers.authorization = `Bearer ${request.accessToken}`;
  if (request.json !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? 'GET',
      headers,
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
      signal: AbortSignal.timeout(request.timeoutMs ?? 30_000),
      redirect: 'error',
    });
  } catch (error) {
    throw new ProviderError('transient', `no answer from ${new URL(url).host}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const text = await response.text();
  let body: unknown = text;
  if (text && (response.headers.get('content-type') ?? '').includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: response.status, headers: response.headers, body };
}
