/**
 * Text in a form PostgreSQL can store. A `text` (or `jsonb`) value in a UTF-8 database cannot hold NUL,
 * and a lone UTF-16 surrogate has no UTF-8 form at all (the driver would write U+FFFD for it, so what is
 * stored would silently differ from what was parsed). Mail can carry both: `=00` in a quoted-printable
 * body or an encoded word, raw NUL bytes in 8-bit parts and headers, or a broken UTF-16 encoded word.
 * Invalid UTF-8 needs no cleaning here: every decoder we use writes U+FFFD for bytes it cannot read.
 */

// NUL is dropped rather than replaced, as mail clients show it: as nothing.
const NUL = '\u0000';
// Other control characters in a header value are folding, tab or junk: in one line, each run is a space.
const CONTROLS = /[\p{Cc}\u2028\u2029]+/gu;

/** `text` without NUL and with each lone surrogate replaced by U+FFFD: storable in a `text` column. */
export function storableText(text: string): string {
  // Most text is clean: two scans that allocate nothing, instead of two copies.
  if (isStorable(text)) return text;
  return text.replaceAll(NUL, '').toWellFormed();
}

/** A one-line header value (subject, name, address, id, file name): storable, controls as spaces, trimmed. */
export function storableLine(text: string): string {
  return text.replaceAll(NUL, '').replace(CONTROLS, ' ').toWellFormed().trim();
}

/** Whether PostgreSQL can store `text` as it is. */
export function isStorable(text: string): boolean {
  return !text.includes(NUL) && text.isWellFormed();
}
