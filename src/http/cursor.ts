/**
 * Opaque page cursors, sealed with the token vault (AES-256-GCM) and bound, as its additional data, to
 * the route and the caller they were issued to.
 *
 * A cursor names a row (the previous page's last id or email) whose position the next page starts from.
 * A caller who could write one could make a listing look up the position of another user's or another
 * organization's row; a sealed cursor cannot be written, nor opened by another caller or on another
 * route, so a forged, tampered, foreign or garbage cursor is refused the same way: 400 `validation_failed`.
 * Cursors sealed under a key that rotation keeps still open; ones under a dropped key are refused.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../domain/errors.ts';
import type { Vault } from '../domain/vault.ts';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A position's time as PostgreSQL writes it exactly (`to_char(… 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, in
 * `db/history.ts` and `db/member-audit.ts`), so a cursor carries no other timestamp form.
 */
export const EXACT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

declare module 'fastify' {
  interface FastifyInstance {
    /** Seals and opens page cursors (see `cursor.ts`). */
    cursorVault: Vault;
  }
}

/** Makes the vault available to `encodeCursor` and `decodeCursor` in every route. */
export const cursors = fp(
  async (app: FastifyInstance, options: { vault: Vault }) => {
    app.decorate('cursorVault', options.vault);
  },
  { name: 'cursors' },
);

/** A cursor for the next page of this request's listing, which only this caller can use on this route. */
export function encodeCursor(request: FastifyRequest, value: Record<string, string>): string {
  return request.server.cursorVault.seal(JSON.stringify(value), scopeOf(request));
}

/** Reads a cursor this API issued to this caller on this route, checking each field against its pattern. */
export function decodeCursor<K extends string>(
  request: FastifyRequest,
  cursor: string,
  fields: Record<K, RegExp>,
): Record<K, string> {
  try {
    const value = JSON.parse(request.server.cursorVault.open(cursor, scopeOf(request))) as Record<
      string,
      unknown
    >;
    const valid = Object.entries<RegExp>(fields).every(
      ([field, pattern]) => typeof value[field] === 'string' && pattern.test(value[field]),
    );
    if (valid) return value as Record<K, string>;
  } catch {
    // not sealed for this caller and route, or not ours at all: answered below like any foreign cursor
  }
  throw new AppError('validation_failed', 'cursor: not a cursor this API issued', [
    { field: 'cursor', message: 'not a cursor this API issued' },
  ]);
}

/** Who the cursor is for (a user within their organization, a member, the operator) and which listing. */
function scopeOf(request: FastifyRequest): string {
  const principal = request.principal;
  const viewer =
    principal?.kind === 'user'
      ? `user:${principal.orgId}:${principal.userId}`
      : principal?.kind === 'member'
        ? `member:${principal.memberId}`
        : (principal?.kind ?? 'anonymous');
  return `cursor:${request.method} ${request.routeOptions.url}:${viewer}`;
}
