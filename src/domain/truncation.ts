/**
 * Cutting mail text to a size, and the notes that say so where the reader will see them. A mail that
 * was cut says it was: the stored body ends with a visible note, and `ParsedMessage.truncated` says
 * which part was cut and why, so the engine can tell the owner.
 */

/** Ends a body that was cut because it was larger than we keep. */
export const TOO_LARGE_NOTE = '[message truncated: too large]';
/** Ends HTML that was cut where it nested deeper than we read. */
export const TOO_DEEP_NOTE = '[message truncated: too deeply nested]';

/** Cuts `text` to at most `maxBytes` of UTF-8, never inside a character. */
export function capUtf8(text: string, maxBytes: number): { value: string; truncated: boolean } {
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short strings need no measuring.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) {
    return { value: text, truncated: false };
  }
  const bytes = Buffer.from(text, 'utf8').subarray(0, maxBytes);
  // Decoding drops a character cut in half as U+FFFD at the very end; take it off.
  const value = bytes.toString('utf8').replace(/\uFFFD$/, '');
  return { value, truncated: true };
}
