/** Recognizing PostgreSQL errors by their SQLSTATE, for the few a caller can answer meaningfully. */

/** 23505: a unique constraint refused the write. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/** 23503: a foreign key refused the write (the row referred to does not exist). */
export function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23503';
}

/**
 * True when PostgreSQL refused a value itself rather than the state of the database: a data exception
 * (class 22: a NUL byte, invalid text, a value out of range), a program limit (class 54: an index row too
 * large) or a check constraint. Writing the same value again fails the same way.
 */
export function isRefusedValue(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54') || code === '23514');
}
