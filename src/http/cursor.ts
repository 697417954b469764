/** Opaque page cursors: base64url JSON that callers hand back unchanged. */
import { AppError } from '../domain/errors.ts';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(value: Record<string, string>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Reads a cursor this API issued, checking each expected field against its pattern. */
export function decodeCursor<K extends string>(cursor: string, fields: Record<K, RegExp>): Record<K, string> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const valid = Object.entries<RegExp>(fields).every(
      ([field, pattern]) => typeof value[field] === 'string' && pattern.test(value[field]),
    );
    if (valid) return value as Record<K, string>;
  } catch {
    // not JSON: answered below like any other foreign cursor
  }
  throw new AppError('validation_failed', 'cursor: not a cursor this API issued', [
    { field: 'cursor', message: 'not a cursor this API issued' },
  ]);
}
