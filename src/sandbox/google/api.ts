/**
 * What every Gmail and Calendar call goes through before its handler, in Google's order: the bearer token
 * (401 when missing, expired or revoked), injected faults, the `userId` path segment (`me` or the caller's
 * own address), the token's scopes (403), and for Gmail the per-user quota window (429). Every call is
 * counted with the units it spent and whether it failed. A `fields` mask trims the answer (fields.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  faultError,
  forbidden,
  type GoogleError,
  insufficientScopes,
  invalidArgument,
  sendError,
  unauthenticated,
  userRateLimited,
} from './errors.ts';
import { applyFieldMask, type FieldMask, InvalidFieldMask, parseFieldMask } from './fields.ts';
import type { IssuedToken } from './grants.ts';
import { OPERATIONS, type OperationId } from './operations.ts';
import type { GoogleState, GoogleUser } from './state.ts';

/** Set by the batch endpoint on the requests it runs for its parts (batch.ts). */
export const BATCH_PART_HEADER = 'x-sandbox-batch-part';

/** An error a handler throws to answer in Google's error shape. */
export class ApiError extends Error {
  readonly error: GoogleError;
  constructor(error: GoogleError) {
    super(error.message);
    this.error = error;
  }
}

export interface CallContext {
  user: GoogleUser;
  token: IssuedToken;
}

/** Path params across the routes; each handler reads only those its own route declares. */
interface PathParams {
  userId: string;
  id: string;
  messageId: string;
  calendarId: string;
  eventId: string;
}

/** The request as handlers see it: path params, repeatable query params, an unchecked body. */
export type ApiRequest = FastifyRequest<{
  Params: PathParams;
  Querystring: Record<string, string | string[] | undefined>;
  Body: unknown;
}>;

type Handler = (context: CallContext, request: ApiRequest, reply: FastifyReply) => unknown;

/** Wraps a handler with authentication, faults, scope and quota checks, and counting. */
export function operation(state: GoogleState, id: OperationId, handler: Handler) {
  const op = OPERATIONS[id];
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const now = state.core.clock.now();
    const header = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const bearer = header ?? (request.query as Record<string, string | undefined>).access_token;
    const token = bearer === undefined ? undefined : state.grants.access.get(bearer);
    const user = token ? state.users.get(token.grant.email) : undefined;
    const fail = (error: GoogleError, who: string) => {
      state.core.counters.record('google', who, id, 0, true);
      return sendError(reply, error);
    };
    if (!token || !user || token.grant.revoked || (token.expiresAt ?? 0) <= now)
      return fail(unauthenticated(), user?.email ?? '(unknown)');
    const params = request.params as Record<string, string | undefined>;
    const fault = await state.core.fault('google', id, user.email, params.messageId ?? params.id);
    if (fault?.status !== undefined)
      return fail(faultError(fault.status, fault.retryAfterSeconds, fault.reason), user.email);
    const userId = params.userId;
    if (userId !== undefined && userId !== 'me' && userId.toLowerCase() !== user.email) {
      return fail(forbidden(`Delegation denied for ${user.email}`), user.email);
    }
    if (!op.scopes.some((scope) => token.scopes.includes(scope)))
      return fail(insufficientScopes(op.service, op.method), user.email);
    if (op.quota) {
      const spent = state.quota.take(user.email, op.units);
      if (!spent.ok) return fail(userRateLimited(now + spent.retryAfterMs), user.email);
    }
    let mask: FieldMask | undefined;
    const fields = (request.query as Record<string, string | string[] | undefined>).fields;
    try {
      mask = typeof fields === 'string' && fields !== '' ? parseFieldMask(fields) : undefined;
    } catch (error) {
      if (!(error instanceof InvalidFieldMask)) throw error;
      return fail(invalidArgument(error.message), user.email);
    }
    // A part of a batch travels inside the batch's answer, whose bytes are counted as the batch's.
    if (request.headers[BATCH_PART_HEADER] === undefined)
      state.core.counters.attribute(request, 'google', user.email, id);
    try {
      const result = await handler({ user, token }, request as ApiRequest, reply);
      state.core.counters.record('google', user.email, id, op.units, reply.statusCode >= 400);
      if (reply.sent) return reply;
      if (mask) {
        const whole = typeof result === 'string' ? JSON.parse(result) : result;
        return reply.type('application/json; charset=UTF-8').send(applyFieldMask(whole, mask));
      }
      if (typeof result === 'string') return reply.type('application/json; charset=UTF-8').send(result);
      return reply.send(result);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      state.core.counters.record('google', user.email, id, op.units, true);
      return sendError(reply, error.error);
    }
  };
}
