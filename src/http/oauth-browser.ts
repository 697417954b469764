/**
 * The cookies of the OAuth pages. The binding cookie ties a flow to the browser whose user signed in to
 * start it (the callback and the personal-mailbox confirmation need it); the sign-in cookie is the
 * double-submit secret of the sign-in form, so that another site cannot post someone's link and token
 * from a victim's browser and bind it to a flow (login CSRF). Both are httpOnly and SameSite, so a
 * cross-site POST never carries them.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const BINDING_COOKIE = 'talentsync_oauth';
const SIGN_IN_COOKIE = 'talentsync_signin';

/** Binds the browser to its flow for the rest of it (ten minutes at most). */
export function bindBrowser(reply: FastifyReply, browserKey: string, secure: boolean): FastifyReply {
  return reply.setCookie(BINDING_COOKIE, browserKey, {
    path: '/oauth',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: 600,
  });
}

/** Ends the binding once the flow is over. */
export function unbindBrowser(reply: FastifyReply): FastifyReply {
  return reply.clearCookie(BINDING_COOKIE, { path: '/oauth' });
}

/** Sets the sign-in form's secret (the same value goes in a hidden field). */
export function setSignInSecret(reply: FastifyReply, value: string, secure: boolean): FastifyReply {
  return reply.setCookie(SIGN_IN_COOKIE, value, {
    path: '/oauth/start',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: 600,
  });
}

/** True when the posted form's secret equals this browser's sign-in cookie. */
export function signInSecretMatches(request: FastifyRequest, posted: unknown): boolean {
  const cookie = request.cookies[SIGN_IN_COOKIE];
  if (typeof posted !== 'string' || !cookie) return false;
  const [a, b] = [Buffer.from(posted), Buffer.from(cookie)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Drops the sign-in secret once the form has served. */
export function clearSignInSecret(reply: FastifyReply): FastifyReply {
  return reply.clearCookie(SIGN_IN_COOKIE, { path: '/oauth/start' });
}
