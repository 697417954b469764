/**
 * The web app's cookies and its CSRF defence.
 *
 * The session cookie is HttpOnly (no script reads it), `SameSite=Lax` (a cross-site POST, fetch or frame
 * never carries it; a top-level link from elsewhere still lands signed in), `Secure` and `__Host-`
 * prefixed when the public URL is https (no sibling subdomain can plant one). The sign-in attempt's
 * cookie lives ten minutes and only for `/auth`.
 *
 * A request authenticated by the cookie that changes anything must also prove it comes from our own
 * page: the session's synchronizer token in `x-csrf-token` (compared in constant time), and an `Origin`
 * that is ours, or, without one, `Sec-Fetch-Site: same-origin`. Bearer-token requests carry no ambient
 * credential and are not asked.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ATTEMPT_LIFETIME_S = 600;

export interface SessionCookies {
  readonly name: string;
  read(request: FastifyRequest): string | undefined;
  set(reply: FastifyReply, secret: string, expiresAt: Date): FastifyReply;
  clear(reply: FastifyReply): FastifyReply;
  readAttempt(request: FastifyRequest): string | undefined;
  setAttempt(reply: FastifyReply, sealed: string): FastifyReply;
  clearAttempt(reply: FastifyReply): FastifyReply;
}

export function sessionCookies(publicUrl: string): SessionCookies {
  const secure = publicUrl.startsWith('https:');
  const name = secure ? '__Host-talentsync_session' : 'talentsync_session';
  const attempt = secure ? '__Host-talentsync_sso' : 'talentsync_sso';
  const attemptPath = secure ? '/' : '/auth';
  const base = { httpOnly: true, sameSite: 'lax', secure } as const;
  return {
    name,
    read: (request) => request.cookies[name],
    set: (reply, secret, expiresAt) =>
      reply.setCookie(name, secret, { ...base, path: '/', expires: expiresAt }),
    clear: (reply) => reply.clearCookie(name, { ...base, path: '/' }),
    readAttempt: (request) => request.cookies[attempt],
    setAttempt: (reply, sealed) =>
      reply.setCookie(attempt, sealed, { ...base, path: attemptPath, maxAge: ATTEMPT_LIFETIME_S }),
    clearAttempt: (reply) => reply.clearCookie(attempt, { ...base, path: attemptPath }),
  };
}

/** Throws 403 unless a cookie-authenticated, state-changing request is our own page's. */
export function refuseCrossSite(request: FastifyRequest, csrfToken: string, publicUrl: string): void {
  if (SAFE_METHODS.has(request.method)) return;
  refuseForeignOrigin(request, publicUrl);
  const sent = request.headers['x-csrf-token'];
  if (typeof sent !== 'string' || !sameSecret(sent, csrfToken)) {
    throw new AppError(
      'forbidden',
      'this request lacks the page’s CSRF token (x-csrf-token); reload the page',
    );
  }
}

/** Throws 403 unless the request says it comes from our own origin (sign-in forms and calls). */
export function refuseForeignOrigin(request: FastifyRequest, publicUrl: string): void {
  const origin = request.headers.origin;
  const ours = new URL(publicUrl).origin;
  const fetchSite = request.headers['sec-fetch-site'];
  const sameOrigin = origin !== undefined ? origin === ours : fetchSite === 'same-origin';
  if (!sameOrigin) throw new AppError('forbidden', 'requests from other sites are refused');
}

function sameSecret(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}
