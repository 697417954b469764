/**
 * The Gmail batch endpoint (the "Batching requests" guide): a `multipart/mixed` body whose parts are
 * `application/http` requests (request line, headers, optional body), at most 100 of them. Each inner
 * request runs as if sent alone (it counts, costs units and can fail as its own operation) with the outer
 * request's headers unless it sets its own; the answer is `multipart/mixed`, one `application/http`
 * response per part in the same order, `Content-ID: <response-…>` echoing the part's own Content-ID.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { BATCH_PART_HEADER } from './api.ts';
import { errorBody, faultError, type GoogleError, notFound, sendError } from './errors.ts';
import { parseParams, splitMultipart } from './payload.ts';
import type { GoogleState } from './state.ts';

const MAX_PARTS = 100;

interface InnerRequest {
  contentId: string | undefined;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

function splitHead(part: Buffer): { head: string; body: Buffer } {
  const text = part.toString('latin1');
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { head: text, body: Buffer.alloc(0) };
  return { head: text.slice(0, match.index), body: part.subarray(match.index + match[0].length) };
}

function headerMap(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function parsePart(part: Buffer): InnerRequest | undefined {
  const outer = splitHead(part);
  const partHeaders = headerMap(outer.head.split(/\r?\n/));
  const inner = splitHead(outer.body);
  const [requestLine = '', ...lines] = inner.head.replace(/^\s+/, '').split(/\r?\n/);
  const match = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec(requestLine.trim());
  if (!match) return undefined;
  const body = inner.body.toString('latin1').replace(/\s+$/, '');
  return {
    contentId: partHeaders['content-id'],
    method: match[1] ?? 'GET',
    path: (match[2] ?? '/').replace(/^https?:\/\/[^/]+/, ''),
    // The inner Content-Length no longer holds once the body is trimmed; inject sets its own.
    headers: Object.fromEntries(
      Object.entries(headerMap(lines)).filter(([name]) => name !== 'content-length'),
    ),
    body: Buffer.from(body, 'latin1'),
  };
}

function httpPart(
  boundary: string,
  contentId: string | undefined,
  status: number,
  headers: Record<string, string>,
  body: string,
): string {
  const id = contentId ? `Content-ID: <response-${contentId.replace(/^<|>$/g, '')}>\r\n` : '';
  const lines = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `--${boundary}\r\nContent-Type: application/http\r\n${id}\r\n` +
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}\r\n`
  );
}

/** Registers `POST /batch/gmail/v1`. */
export function batchRoutes(app: FastifyInstance, state: GoogleState): void {
  app.addContentTypeParser(/^multipart\/mixed/i, { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );

  app.post('/batch/gmail/v1', async (request, reply) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const email = bearer ? state.grants.access.get(bearer)?.grant.email : undefined;
    const who = email ?? '(unknown)';
    const fail = (error: GoogleError) => {
      state.core.counters.record('google', who, 'gmail.batch', 0, true);
      return sendError(reply, error);
    };
    const fault = await state.core.fault('google', 'gmail.batch', email);
    if (fault?.status !== undefined)
      return fail(faultError(fault.status, fault.retryAfterSeconds, fault.reason));
    const type = parseParams(request.headers['content-type'] ?? '');
    const boundary = type.params.boundary;
    if (!/^multipart\/mixed$/i.test(type.value) || !boundary || !Buffer.isBuffer(request.body)) {
      return fail({
        code: 400,
        message: 'Invalid multipart request with 0 mime parts.',
        reason: 'badRequest',
      });
    }
    const parts = splitMultipart(request.body, boundary);
    if (parts.length > MAX_PARTS) {
      return fail({
        code: 400,
        message: `Too many requests in batch: ${parts.length} (at most ${MAX_PARTS}).`,
        reason: 'badRequest',
      });
    }
    if (parts.length === 0)
      return fail({
        code: 400,
        message: 'Invalid multipart request with 0 mime parts.',
        reason: 'badRequest',
      });
    const outerHeaders: Record<string, string> = {};
    if (request.headers.authorization) outerHeaders.authorization = request.headers.authorization;
    const answers = await Promise.all(
      parts.map(async (part) => {
        const inner = parsePart(part);
        if (!inner) return { contentId: undefined, status: 400, headers: {}, body: '' };
        const path = inner.path.startsWith('/google/') ? inner.path : `/google${inner.path}`;
        if (!path.startsWith('/google/gmail/v1/')) {
          return {
            contentId: inner.contentId,
            status: 404,
            headers: { 'Content-Type': 'application/json; charset=UTF-8' },
            body: JSON.stringify(errorBody(notFound())),
          };
        }
        const response = await app.inject({
          method: inner.method as 'GET',
          url: path,
          headers: { ...outerHeaders, ...inner.headers, [BATCH_PART_HEADER]: '1' },
          ...(inner.body.length > 0 ? { payload: inner.body } : {}),
        });
        const headers: Record<string, string> = {};
        const contentType = response.headers['content-type'];
        if (typeof contentType === 'string') headers['Content-Type'] = contentType;
        const retryAfter = response.headers['retry-after'];
        if (typeof retryAfter === 'string') headers['Retry-After'] = retryAfter;
        return { contentId: inner.contentId, status: response.statusCode, headers, body: response.body };
      }),
    );
    state.core.counters.record('google', who, 'gmail.batch', 0, false);
    if (email) state.core.counters.attribute(request, 'google', email, 'gmail.batch');
    const responseBoundary = `batch_${randomBytes(12).toString('base64url')}`;
    const text = answers
      .map((answer) =>
        httpPart(responseBoundary, answer.contentId, answer.status, answer.headers, answer.body),
      )
      .join('');
    return reply
      .type(`multipart/mixed; boundary=${responseBoundary}`)
      .send(`${text}--${responseBoundary}--\r\n`);
  });
}
