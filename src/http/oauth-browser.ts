/**
 * The cookies of the OAuth pages. The binding cookie ties a flow to the browser whose user signed in to
 * start it (the callback and the personal-mailbox confirmation need it); the sign-in cookie is the
 * double-submit secret of the sign-in form, so that another site cannot post someone's link and token
 * from a victim's browser and bind it to a flow (login CSRF). Both are httpOnly and SameSite, so a
 * cross-site POST never carries them. Over https they carry the `__Host-` prefix, so that a sibling
 * subdomain cannot plant one of its own (cookie tossing); the prefix requires `Path=/`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const LIFETIME_S = 600;

export interface OAuthCookies {
  /** Binds the browser to its flow for the rest of it (ten minutes at most). */
  bind(reply: FastifyReply, browserKey: string): FastifyReply;
  /** Ends the binding once the flow is over. */
  unbind(reply: FastifyReply): FastifyReply;
  /** The binding cookie this browser sent, if any. */
  browserKey(request: FastifyRequest): string | undefined;
  /** Sets the sign-in form's secret (the same value goes in a hidden field). */
  setSignInSecret(reply: FastifyReply, value: string): FastifyReply;
  /** True when the posted form's secret equals this browser's sign-in cookie. */
  signInSecretMatches(request: FastifyRequest, posted: unknown): boolean;
  /** Drops the sign-in secret once the form has served. */
  clearSignInSecret(reply: FastifyReply): FastifyReply;
}

/** The OAuth cookies of a deployment served over https (`secure`) or plain http (tests, the demo). */
export function oauthCookies(secure: boolean): OAuthCookies {
  const binding = secure ? '__Host-talentsync_oauth' : 'talentsync_oauth';
  const signIn = secure ? '__Host-talentsync_signin' : 'talentsync_signin';
  const bindingPath = secure ? '/' : '/oauth';
  const signInPath = secure ? '/' : '/oauth/start';
  return {
    bind: (reply, browserKey) =>
      reply.setCookie(binding, browserKey, {
        path: bindingPath,
        httpOnly: true,
        sameSite: 'lax',
        secure,
        maxAge: LIFETIME_S,
      }),
    unbind: (reply) => reply.clearCookie(binding, { path: bindingPath, secure }),
    browserKey: (request) => request.cookies[binding],
    setSignInSecret: (reply, value) =>
      reply.setCookie(signIn, value, {
        path: signInPath,
        httpOnly: true,
        sameSite: 'strict',
        secure,
        maxAge: LIFETIME_S,
      }),
    signInSecretMatches(request, posted) {
      const cookie = request.cookies[signIn];
      if (typeof posted !== 'string' || !cookie) return false;
      const [a, b] = [Buffer.from(posted), Buffer.from(cookie)];
      return a.length === b.length && timingSafeEqual(a, b);
    },
    clearSignInSecret: (reply) => reply.clearCookie(signIn, { path: signInPath, secure }),
  };
}
