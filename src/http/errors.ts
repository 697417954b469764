/**
 * The one place errors become responses: `{ error: { code, message, details? } }`.
 * Our own `AppError`s carry their status; schema validation names the field; a database that is down or
 * too slow is a 503 with `Retry-After` (the client did nothing wrong, and trying again later will work);
 * anything else unexpected is logged in full and answered with a generic 500 that reveals nothing.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../db/database.ts';
import { AppError, type ErrorCode, type FieldProblem } from '../domain/errors.ts';

/** What a client is told to wait after a 503: about as long as a database restart or failover takes. */
export const RETRY_AFTER_SECONDS = 5;

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  415: 'bad_request',
  429: 'rate_limited',
  503: 'unavailable',
};

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return reply.status(error.status).send(body(error.code, error.message, error.details));
    }
    if (error.validation) {
      const details = error.validation.map((issue) => fieldProblem(error.validationContext, issue));
      const message = details.map((detail) => `${detail.field}: ${detail.message}`).join('; ');
      return reply.status(400).send(body('validation_failed', message, details));
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply
        .status(503)
        .send(body('database_unavailable', 'the database is unavailable right now; try again shortly'));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send(body(BY_STATUS[status] ?? 'bad_request', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(body('internal', 'something went wrong on our side; it has been logged'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(body('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}

/** Fastify's `frameworkErrors`: a URL the router cannot decode (`%FF`, a lone `%`) gets the error shape too. */
export function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.status(400).send(body('bad_request', error.message));
}

function body(code: ErrorCode, message: string, details?: FieldProblem[]) {
  return { error: details?.length ? { code, message, details } : { code, message } };
}

/** Turns an Ajv issue into the name of the field at fault (`emails.0`, `limit`) and what is wrong with it. */
function fieldProblem(
  context: string | undefined,
  issue: { instancePath: string; message?: string | undefined; params: Record<string, unknown> },
): FieldProblem {
  const named =
    issue.params.missingProperty ?? issue.params.additionalProperty ?? issue.params.requiredProperties;
  const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const field =
    [path, Array.isArray(named) ? named[0] : named].filter(Boolean).join('.') || context || 'request';
  const message = issue.params.additionalProperty
    ? 'is not an accepted field'
    : (issue.message ?? 'is invalid');
  return { field, message };
}
