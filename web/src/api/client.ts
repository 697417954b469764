/**
 * The one way the app calls the API: typed by `Routes` (generated from the API's OpenAPI document, see
 * src/cli/web-build.ts), same-origin with the session cookie, and the session's CSRF token on every
 * state-changing call. Errors carry the API's own message, in words, for the page to show.
 */
import type { Routes } from './types.ts';

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  /** The whole error answer, for the few that carry more than a message (a taken time's `remaining`). */
  readonly body: unknown;
  /** Per-field problems of a refused request (`validation_failed`), in words. */
  readonly details: { field: string; message: string }[];
  constructor(
    status: number,
    code: string,
    message: string,
    body?: unknown,
    details: { field: string; message: string }[] = [],
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
    this.details = details;
  }
}

let csrfToken: string | undefined;

/** Set from the session (`GET /api/session`); sent as `x-csrf-token` on every call that changes state. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

type Call<K extends keyof Routes> = {
  params?: Record<string, string>;
  /** A list repeats its parameter (`?action=a&action=b`). */
  query?: Record<string, string | number | undefined | readonly string[]>;
} & (Routes[K] extends { body: infer B } ? { body: B } : { body?: never });

/** Calls `route` (`'GET /api/threads/:id'`), filling its `:params`, and answers its parsed JSON. */
export async function api<K extends keyof Routes>(
  route: K,
  ...[call]: Routes[K] extends { body: unknown } ? [Call<K>] : [Call<K>?]
): Promise<Routes[K]['response']> {
  const [method = 'GET', pattern = ''] = String(route).split(' ');
  const path = pattern.replace(/:(\w+)/g, (_, name: string) =>
    encodeURIComponent(call?.params?.[name] ?? ''),
  );
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(call?.query ?? {})) {
    if (Array.isArray(value)) for (const item of value) search.append(key, item);
    else if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (call?.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(`${path}${search.size ? `?${search}` : ''}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(call?.body === undefined ? {} : { body: JSON.stringify(call.body) }),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = (
      parsed as
        | { error?: { code?: string; message?: string; details?: { field: string; message: string }[] } }
        | undefined
    )?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'error',
      error?.message ?? `the server answered ${response.status}`,
      parsed,
      error?.details,
    );
  }
  return parsed as Routes[K]['response'];
}
