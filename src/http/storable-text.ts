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
import { isStorable } from '../domain/storable.ts';

const PARTS = ['params', 'query', 'body', 'headers'] as const;

/** Installs the check on every route of `app`. */
export function refuseUnstorableText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const problem = firstUnstorable(request);
    if (problem) throw new AppError('validation_failed', `${problem.field}: ${problem.message}`, [problem]);
  });
}

/**
 * Walks one part breadth-first over append-only arrays (no object per node, no copied paths): each node
 * keeps its parent's index and its key, from which the failing field's path is rebuilt.
 */
function firstUnstorableIn(part: string, root: unknown): FieldProblem | undefined {
  const values: unknown[] = [root];
  const parents: number[] = [-1];
  const keys: string[] = [''];
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    if (typeof value === 'string') {
      if (!isStorable(value))
        return problem(part, keys, parents, index, 'contains a NUL or an unpaired surrogate');
    } else if (Array.isArray(value)) {
      for (let item = 0; item < value.length; item += 1) {
        values.push(value[item]);
        parents.push(index);
        keys.push(String(item));
      }
    } else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        values.push((value as Record<string, unknown>)[key]);
        parents.push(index);
        keys.push(key);
        if (!isStorable(key)) {
          return problem(
            part,
            keys,
            parents,
            keys.length - 1,
            'is a name with a NUL or an unpaired surrogate',
          );
        }
      }
    }
  }
  return undefined;
}

function firstUnstorable(request: FastifyRequest): FieldProblem | undefined {
  for (const part of PARTS) {
    const found = firstUnstorableIn(part, request[part]);
    if (found) return found;
  }
  return undefined;
}

/** Named like schema errors (`emails.0`, `limit`); the part itself when the whole of it is at fault. */
function problem(
  part: string,
  keys: string[],
  parents: number[],
  index: number,
  message: string,
): FieldProblem {
  const path: string[] = [];
  for (let at = index; at > 0; at = parents[at] ?? 0) path.push(keys[at] ?? '');
  return { field: path.length > 0 ? path.reverse().join('.') : part, message };
}
