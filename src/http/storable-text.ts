/**
 * Every request's text is refused, with a 400 naming the field, when PostgreSQL could not store it as
 * sent: a NUL character (`text` and `jsonb` refuse U+0000, and the whole statement fails) or an unpaired
 * UTF-16 surrogate (it cannot be encoded as UTF-8, so it would be silently replaced by U+FFFD).
 *
 * One hook for every route checks every string and object key of the body, the query string, the path
 * parameters and the headers, before schema validation, whether or not the route declares a schema; so
 * no route or field can forget it. The walk is iterative: a deeply nested body cannot exhaust the stack.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type FieldProblem } from '../domain/errors.ts';

const PARTS = ['params', 'query', 'body', 'headers'] as const;

/** Installs the check on every route of `app`. */
export function refuseUnstorableText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const problem = firstUnstorable(request);
    if (problem) throw new AppError('validation_failed', `${problem.field}: ${problem.message}`, [problem]);
  });
}

/** Whether PostgreSQL stores `text` exactly as given. */
export function isStorableText(text: string): boolean {
  return text.isWellFormed() && !text.includes('\u0000');
}

/** A place in a request part, linked to its parent so that a deep walk never copies paths. */
interface Place {
  value: unknown;
  key: string | undefined;
  parent: Place | undefined;
}

function firstUnstorable(request: FastifyRequest): FieldProblem | undefined {
  for (const part of PARTS) {
    const pending: Place[] = [{ value: request[part], key: undefined, parent: undefined }];
    for (let place = pending.pop(); place; place = pending.pop()) {
      const { value } = place;
      if (typeof value === 'string') {
        if (!isStorableText(value)) return problem(part, place, 'contains a NUL or an unpaired surrogate');
      } else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
        for (const [key, child] of Object.entries(value)) {
          const at = { value: child, key, parent: place };
          if (!isStorableText(key)) return problem(part, at, 'is a name with a NUL or an unpaired surrogate');
          pending.push(at);
        }
      }
    }
  }
  return undefined;
}

/** Named like schema errors (`emails.0`, `limit`); the part itself when the whole of it is at fault. */
function problem(part: string, place: Place, message: string): FieldProblem {
  const path: string[] = [];
  for (let at: Place | undefined = place; at?.key !== undefined; at = at.parent) path.push(at.key);
  return { field: path.length > 0 ? path.reverse().join('.') : part, message };
}
