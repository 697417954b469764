/**
 * Gmail push (the "Push Notifications" guide): users.watch points the mailbox at a Pub/Sub topic, and
 * Pub/Sub pushes `{ message: { data: base64({ emailAddress, historyId }) } }` to our webhook with an
 * OpenID Connect JWT in `Authorization` (Pub/Sub "Authentication for push subscriptions"). A watch lasts
 * 7 days; watching again renews it. The notification only says "something changed up to historyId": sync
 * reads the changes from its own cursor.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import type { GoogleConfig } from '../../config.ts';
import { ProviderError } from '../errors.ts';
import { send } from '../http.ts';
import type { PushChannel, PushState } from '../types.ts';
import { mapGoogleApiError } from './errors.ts';
import { readHistoryId } from './history.ts';

/**
 * The largest Pub/Sub push body read. A Gmail notification is `{ emailAddress, historyId }` wrapped in the
 * push envelope (message id, publish time, subscription name): a few hundred bytes.
 */
export const GMAIL_PUSH_BODY_LIMIT = 16 * 1024;

/** Who may push to us, as the Pub/Sub push subscription is configured. */
export interface GooglePushVerifierSettings {
  /** Google's signing keys: https://www.googleapis.com/oauth2/v3/certs (or the sandbox's). */
  jwksUrl: string;
  /** Accepted `iss`: Google signs as `https://accounts.google.com` or `accounts.google.com`. */
  issuers: string[];
  /** The `aud` the subscription was given (by default its push endpoint URL). */
  audience: string;
  /** The service account the subscription pushes as (`email` claim). */
  serviceAccountEmail: string;
}

/** A Pub/Sub push as the webhook received it. */
export interface GooglePushRequest {
  authorization: string | undefined;
  body: unknown;
}

/** What an authentic Gmail notification says: whose mailbox changed, up to which history id. */
export interface GooglePushNotification {
  address: string;
  historyId: string;
}

/** Gmail watches: start, renew (watch again) and stop. */
export function createGooglePush(config: GoogleConfig, settings: { topicName: string }): PushChannel {
  const api = `${config.apiRoot}/gmail/v1/users/me`;

  async function watch(accessToken: string): Promise<PushState> {
    // No labelIds: "By default, if unspecified, all changes are pushed out" (users.watch), and sync needs
    // all of them — Trash and restores show up as label changes outside INBOX.
    const response = await send(`${api}/watch`, {
      method: 'POST',
      accessToken,
      json: { topicName: settings.topicName },
    });
    if (response.status !== 200) throw mapGoogleApiError(response, 'users.watch');
    const expiration = Number((response.body as { expiration?: unknown }).expiration);
    if (!Number.isFinite(expiration) || expiration <= 0) {
      throw new ProviderError('permanent', 'Google users.watch answered no expiration');
    }
    return { expiresAt: new Date(expiration) };
  }

  return {
    start: (accessToken) => watch(accessToken),
    renew: (accessToken) => watch(accessToken),
    async stop(accessToken) {
      const response = await send(`${api}/stop`, { method: 'POST', accessToken });
      if (response.status >= 200 && response.status < 300) return;
      const error = mapGoogleApiError(response, 'users.stop');
      if (error.kind !== 'not_found') throw error; // nothing to stop is as good as stopped
    },
  };
}

/**
 * A checker for Pub/Sub pushes: answers the notification when the JWT is Google's (signature against the
 * JWKS, issuer, audience, unexpired) for our push service account, and the body is a Gmail notification;
 * throws `permanent` (code `push_unauthenticated` or `push_malformed`) otherwise, `transient` when
 * Google's keys cannot be fetched.
 */
export function createGooglePushVerifier(
  settings: GooglePushVerifierSettings,
): (request: GooglePushRequest) => Promise<GooglePushNotification> {
  // jose caches the key set and refetches it (at most every 30 s) when a token names an unknown key id.
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl));
  const account = settings.serviceAccountEmail.toLowerCase();

  return async (request) => {
    const token = /^Bearer\s+(\S+)$/i.exec(request.authorization?.trim() ?? '')?.[1];
    if (!token) throw unauthenticated('no bearer token');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, keys, {
        issuer: settings.issuers,
        audience: settings.audience,
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      if (keysUnreachable(error)) {
        throw new ProviderError(
          'transient',
          `Google's signing keys are unreachable: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      throw unauthenticated((error as Error).message, error);
    }
    if (typeof claims.email !== 'string' || claims.email.toLowerCase() !== account) {
      throw unauthenticated(`pushed by ${String(claims.email)}, not ${settings.serviceAccountEmail}`);
    }
    if (claims.email_verified !== true) throw unauthenticated('the pushing account’s email is not verified');
    return readNotification(request.body);
  };
}

/** The Gmail notification inside a Pub/Sub push body. */
function readNotification(body: unknown): GooglePushNotification {
  const data = (body as { message?: { data?: unknown } } | null)?.message?.data;
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(data)) {
    throw malformed('the push has no base64 message.data');
  }
  let parsed: unknown;
  try {
    // historyId may come as a JSON number: read its digits from the source text, so no id past 2^53 is
    // rounded (JSON.parse source text access, Node 21+).
    parsed = JSON.parse(
      Buffer.from(data, 'base64').toString('utf8'),
      (key, value, context?: { source?: string }) =>
        key === 'historyId' && typeof value === 'number' && context?.source ? context.source : value,
    );
  } catch (error) {
    throw malformed('message.data is not JSON', error);
  }
  const { emailAddress, historyId } = (parsed ?? {}) as { emailAddress?: unknown; historyId?: unknown };
  const id = readHistoryId(historyId);
  if (typeof emailAddress !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(emailAddress.trim()) || !id) {
    throw malformed('message.data is not a Gmail notification ({ emailAddress, historyId })');
  }
  return { address: emailAddress.trim().toLowerCase(), historyId: id };
}

/** Fetching the key set failed (timeout, network, a non-JWKS answer): Google's trouble, worth a retry. */
function keysUnreachable(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    /JSON Web Key Set HTTP response/.test(error.message)
  );
}

const unauthenticated = (why: string, cause?: unknown) =>
  new ProviderError('permanent', `push refused: ${why}`, { code: 'push_unauthenticated', cause });

const malformed = (why: string, cause?: unknown) =>
  new ProviderError('permanent', `push refused: ${why}`, { code: 'push_malformed', cause });
