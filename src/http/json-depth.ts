/**
 * JSON bodies nested deeper than any request of ours needs are refused before they are parsed.
 *
 * Within the 1 MiB body limit, `[[[[…]]]]` nests half a million levels; parsing it takes a quarter of a
 * second of the event loop, and every later walk over it as long again. The routes that read such bodies
 * include the public webhooks, so the check runs first, as one linear scan of the text, and the body is
 * then parsed by Fastify's own parser (with its prototype-poisoning checks).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors.ts';

/** Deeper than every body the API and the providers' notifications send. */
export const MAX_JSON_DEPTH = 32;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Replaces the JSON body parser with one that first refuses nesting deeper than `MAX_JSON_DEPTH`. */
export function limitJsonDepth(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (!nestsDeeperThan(text, MAX_JSON_DEPTH)) return parse(request, text, done);
    const error = new AppError('bad_request', `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
    done(error as unknown as FastifyError, undefined);
  });
}

/** Whether JSON text opens more than `limit` arrays or objects inside one another (strings are skipped). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      depth += 1;
      if (depth > limit) return true;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      depth -= 1;
    }
  }
  return false;
}
