/** Checks that what the MIME reader returns can be stored in PostgreSQL as it is. */
import assert from 'node:assert/strict';
import type pg from 'pg';

/** Every string inside `value` (objects and arrays walked), each with the path it was found at. */
export function stringsOf(value: unknown, at = '$'): { path: string; value: string }[] {
  if (typeof value === 'string') return [{ path: at, value }];
  if (value === null || typeof value !== 'object' || value instanceof Date) return [];
  return Object.entries(value).flatMap(([key, child]) => stringsOf(child, `${at}.${key}`));
}

/**
 * Sends every string of `value` to PostgreSQL as `text` and as one `jsonb` document, and asserts that
 * each comes back unchanged: a NUL fails the query, and a lone surrogate comes back as U+FFFD.
 */
export async function assertRoundTrips(pool: pg.Pool, value: unknown): Promise<void> {
  const strings = stringsOf(value);
  const texts = strings.map((entry) => entry.value);
  const { rows } = await pool.query<{ value: string }>('select unnest($1::text[]) as value', [texts]);
  assert.equal(rows.length, strings.length);
  rows.forEach((row, index) => {
    assert.equal(row.value, texts[index], `${strings[index]?.path} changed on its way through PostgreSQL`);
  });
  const json = await pool.query<{ value: unknown }>('select $1::jsonb as value', [JSON.stringify(value)]);
  assert.deepEqual(json.rows[0]?.value, JSON.parse(JSON.stringify(value)));
}
