/**
 * The Graph v1.0 request pipeline, shared by direct HTTP calls and `$batch` items. For each call, in order:
 * find the operation (unknown segment → 400, wrong method → 405), authenticate the bearer token (401
 * InvalidAuthenticationToken, with `WWW-Authenticate`), map `users/{id}` to the caller (others' mailboxes
 * → 403), admit it under Outlook's per app and mailbox throttle (429), apply injected faults, check the
 * token's scopes (403), run it, and count it. Operation ids are those of docs/sandbox.md.
 */
import type { MicrosoftContext } from './context.ts';
import type { User } from './directory.ts';
import type { AccessToken } from './grants.ts';
import {
  faultError,
  type GraphCall,
  GraphFailure,
  type GraphReply,
  graphError,
  parsePrefer,
  pathSegments,
} from './graph-http.ts';
import type { Mailbox } from './mailbox.ts';
import { SelectError } from './message-json.ts';
import { allows } from './scopes.ts';
import type { Throttle } from './throttle.ts';

export interface GraphRequest {
  call: GraphCall;
  params: Record<string, string>;
  token: AccessToken;
  user: User;
  mailbox: Mailbox;
  prefer: Map<string, string>;
  requestId: string;
  now: number;
  /** Runs another call as the same caller (for `$batch`). */
  dispatch(call: GraphCall): Promise<GraphReply>;
}

export interface GraphRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Segments below the version, `{name}` capturing; `users/{id}/…` is served by the `me/…` routes. */
  path: string;
  op: string;
  /** Any one of these permissions is enough; empty means any valid token. */
  scopes: readonly string[];
  /** Outlook operations count against the mailbox's throttle; `$batch` itself does not. */
  throttled?: boolean;
  handle(request: GraphRequest): GraphReply | Promise<GraphReply>;
}

export interface GraphApi {
  handle(call: GraphCall): Promise<GraphReply>;
}

const GRAPH_AUDIENCES = new Set([
  '00000003-0000-0000-c000-000000000000',
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
]);

/** Whether a JWT payload names Graph as its audience (`unknown` when it cannot be read). */
function audienceOf(payload: string): 'graph' | 'other' | 'unknown' {
  try {
    const { aud } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { aud?: unknown };
    if (typeof aud !== 'string') return 'unknown';
    return GRAPH_AUDIENCES.has(aud) ? 'graph' : 'other';
  } catch {
    return 'unknown';
  }
}

export function createGraphApi(ctx: MicrosoftContext, throttle: Throttle, routes: GraphRoute[]): GraphApi {
  const { core } = ctx;
  const compiled = routes.map((route) => ({ route, parts: route.path.split('/') }));

  const match = (segments: string[]) => {
    const found: { route: GraphRoute; params: Record<string, string>; literals: number }[] = [];
    for (const { route, parts } of compiled) {
      if (parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const fits = parts.every((part, i) => {
        const segment = segments[i] ?? '';
        if (part.startsWith('{')) {
          params[part.slice(1, -1)] = segment;
          return true;
        }
        return part.toLowerCase() === segment.toLowerCase();
      });
      if (fits) found.push({ route, params, literals: parts.filter((part) => !part.startsWith('{')).length });
    }
    // `…/messages/delta` must win over `…/messages/{message}`: the most literal match first.
    return found.sort((a, b) => b.literals - a.literals);
  };

  const authenticate = (call: GraphCall, now: number, requestId: string): AccessToken | GraphReply => {
    const challenge = {
      'www-authenticate':
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
    };
    const header = call.headers.authorization ?? '';
    const token = /^bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const reject = (message: string) =>
      graphError(401, 'InvalidAuthenticationToken', message, now, requestId, challenge);
    if (!token) return reject('Access token is empty.');
    const record = ctx.grants.accessToken(token);
    if (!record) {
      // Graph's words: a value that is not a JWT at all, or a JWT it does not accept (another audience, a
      // bad signature, a token the sandbox never issued or forgot on reset).
      const parts = token.split('.');
      if (parts.length < 3) return reject('IDX14100: JWT is not well formed, there are no dots (.).');
      return reject(
        audienceOf(parts[1] ?? '') === 'other'
          ? 'Access token validation failure. Invalid audience.'
          : 'Access token validation failure.',
      );
    }
    if (record.grant.revokedAt !== undefined) {
      return reject(
        'Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp',
      );
    }
    if (now >= record.expiresAt) return reject('Lifetime validation failed, the token is expired.');
    return record;
  };

  const api: GraphApi = {
    async handle(call) {
      const now = core.clock.now();
      const requestId = call.headers['client-request-id'] ?? ctx.ids.guid();
      const stamp = (reply: GraphReply): GraphReply => ({
        ...reply,
        headers: { ...reply.headers, 'request-id': requestId, 'client-request-id': requestId },
      });
      const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
        graphError(status, code, message, core.clock.now(), requestId, headers);
      const token = authenticate(call, now, requestId);
      if ('status' in token) return stamp(token);
      const { user } = token.grant;
      let segments = pathSegments(call.path);
      if (segments[0]?.toLowerCase() === 'users' && segments.length > 1) {
        if (![user.id, user.oid, user.email].includes((segments[1] ?? '').toLowerCase())) {
          return stamp(error(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'));
        }
        segments = ['me', ...segments.slice(2)];
      }
      const candidates = match(segments);
      const found = candidates.find((candidate) => candidate.route.method === call.method);
      if (!found) {
        return stamp(
          candidates.length > 0
            ? error(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.')
            : error(400, 'BadRequest', `Resource not found for the segment '${segments.at(-1) ?? ''}'.`),
        );
      }
      const { route, params } = found;
      let release = () => {};
      const finish = (reply: GraphReply) => {
        release();
        core.counters.record('microsoft', user.email, route.op, 1, reply.status >= 400);
        return { ...stamp(reply), counted: { user: user.email, op: route.op } };
      };
      if (route.throttled !== false) {
        const admission = throttle.admit(token.grant.clientId, user.email);
        if (!admission.admitted) {
          return finish(
            error(429, 'ApplicationThrottled', admission.message, {
              'retry-after': String(admission.retryAfterSeconds),
            }),
          );
        }
        release = admission.release;
      }
      try {
        const fault = await core.fault('microsoft', route.op, user.email, params.message);
        if (fault?.status !== undefined) {
          const [code, message] = faultError(fault.status);
          const retry = fault.retryAfterSeconds;
          return finish(
            error(fault.status, code, message, retry === undefined ? {} : { 'retry-after': String(retry) }),
          );
        }
        if (route.scopes.length > 0 && !allows(token.scopes, route.scopes)) {
          // Directory operations (/me) and Outlook ones word a missing permission differently.
          return finish(
            route.op === 'graph.me'
              ? error(
                  403,
                  'Authorization_RequestDenied',
                  'Insufficient privileges to complete the operation.',
                )
              : error(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'),
          );
        }
        const reply = await route.handle({
          call,
          params,
          token,
          user,
          mailbox: ctx.mailboxes.of(user),
          prefer: parsePrefer(call.headers.prefer),
          requestId,
          now: core.clock.now(),
          dispatch: (inner) =>
            api.handle({
              ...inner,
              headers: { ...inner.headers, authorization: call.headers.authorization ?? '' },
            }),
        });
        return finish(reply);
      } catch (thrown) {
        if (thrown instanceof GraphFailure)
          return finish(error(thrown.status, thrown.code, thrown.message, thrown.headers));
        if (thrown instanceof SelectError)
          return finish(error(400, 'RequestBroker--ParseUri', thrown.message));
        core.logger.error({ err: thrown, path: call.path }, 'microsoft sandbox: Graph operation failed');
        return finish(error(500, 'UnknownError', 'An internal server error occurred.'));
      }
    },
  };
  return api;
}
