/**
 * The names people and organizations are shown by (members, recruiter users, organizations): one rule for
 * all, so a name that the import refuses is refused by the API and the CLI too.
 *
 * A name is normalized first (NFC, every run of Unicode whitespace made one space, trimmed) and then
 * checked on what is left. It must be something a person can see: a recruiter reading a list of
 * candidates must never meet a blank entry, two entries that look the same but differ in hidden
 * characters, or text whose display order was reversed by a bidi override. So a name is refused when it
 * - is empty after normalizing (it was whitespace only), or longer than the database's 200 characters;
 * - holds a control character (NUL among them: PostgreSQL cannot store it), an unpaired surrogate, a
 *   noncharacter, a bidi control, or any other invisible format character (zero-width space, word
 *   joiner, BOM, soft hyphen, Unicode tags, Hangul fillers, the blank Braille pattern);
 * - has no letter, digit, punctuation or symbol at all (combining marks alone draw nothing).
 * Two invisible characters stay allowed because real names and emoji need them, in the only places
 * they do anything: a zero-width (non-)joiner between two visible characters (Persian, Indic scripts,
 * 👩‍💻), and one variation selector right after a visible character (❤️). Anywhere else, or in runs, they
 * would only hide data in a name (the "emoji smuggling" trick).
 */

import { AppError } from './errors.ts';

export const MAX_NAME_LENGTH = 200;

export type DisplayNameResult = { ok: true; name: string } | { ok: false; message: string };

const WHITESPACE_RUN = /\p{White_Space}+/gu;
const EDGE_SPACE = /^ | $/g;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;
const JOINER = '\\u200C\\u200D';
const SELECTOR = '\\u180B-\\u180D\\u180F\\uFE00-\\uFE0F\\u{E0100}-\\u{E01EF}';
/** Refused anywhere; joiners and selectors are taken out of this set and checked by place below. */
const INVISIBLE =
  /[\p{Cc}\p{Cs}\p{Cf}\p{Noncharacter_Code_Point}\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\u2800]/u;
const MISPLACED_JOINER = new RegExp(
  `(?:^|[^\\p{L}\\p{N}\\p{P}\\p{S}\\p{M}])[${JOINER}]|[${JOINER}](?:$|[^\\p{L}\\p{N}\\p{P}\\p{S}\\p{M}])`,
  'u',
);
const MISPLACED_SELECTOR = new RegExp(`(?:^|[^\\p{L}\\p{N}\\p{P}\\p{S}])[${SELECTOR}]`, 'u');
const ALLOWED_INVISIBLE = new RegExp(`[${JOINER}${SELECTOR}]`, 'gu');

/** Normalizes a display name and answers it, or why it cannot be used. */
export function parseDisplayName(raw: string): DisplayNameResult {
  // Unpaired surrogates first: `normalize` keeps them, and the database driver would silently store
  // U+FFFD in their place.
  if (!raw.isWellFormed()) return refused('must not contain invisible or control characters');
  // Not String#trim: it also drops U+FEFF, which must be refused like any invisible character instead.
  const name = raw.normalize('NFC').replace(WHITESPACE_RUN, ' ').replace(EDGE_SPACE, '');
  if (name === '') return refused('must not be empty or whitespace only');
  if ([...name].length > MAX_NAME_LENGTH) return refused(`must be at most ${MAX_NAME_LENGTH} characters`);
  const hidden = INVISIBLE.exec(name.replace(ALLOWED_INVISIBLE, ''));
  if (hidden || MISPLACED_JOINER.test(name) || MISPLACED_SELECTOR.test(name)) {
    const found = hidden ? ` (found U+${codePoint(hidden[0])})` : '';
    return refused(`must not contain invisible or control characters${found}`);
  }
  if (!VISIBLE.test(name)) return refused('must contain a letter, digit, punctuation mark or symbol');
  return { ok: true, name };
}

function refused(message: string): DisplayNameResult {
  return { ok: false, message };
}

function codePoint(character: string): string {
  return (character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

/** The normalized name, or a validation error naming `field` (for callers that answer errors). */
export function requireDisplayName(raw: string, field = 'name'): string {
  const parsed = parseDisplayName(raw);
  if (parsed.ok) return parsed.name;
  throw new AppError('validation_failed', `${field}: ${parsed.message}`, [
    { field, message: parsed.message },
  ]);
}
