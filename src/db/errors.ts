/** Recognizing PostgreSQL errors by their SQLSTATE, for the few a caller can answer meaningfully. */

/** 23505: a unique constraint refused the write. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/** 23503: a foreign key refused the write (the row referred to does not exist). */
export function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23503';
}
