/**
 * Repairs for raw messages that postal-mime reads wrongly or not at all. Each works on the raw message
 * held as a binary string (one character per byte, Node's `latin1`), so that it changes no byte it
 * does not mean to, and each returns `undefined` when it has nothing to repair.
 */
import { isUtf8 } from 'node:buffer';

/** The charset assumed for a text part that declares none and is not UTF-8. */
export const FALLBACK_CHARSET = 'windows-1252';

const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;
const CONTENT_TYPE = /(?:^|\n)(content-type[ \t]*:([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*))/i;
const TRANSFER_ENCODING = /(?:^|\n)content-transfer-encoding[ \t]*:[ \t]*([^\r\n;]*)/i;
const BOUNDARY_PARAM = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/gi;
// RFC 2046 boundaries are at most 70 characters; a guessed one may be longer, not endless.
const MAX_GUESSED_BOUNDARY = 200;

interface Block {
  start: number;
  headersEnd: number;
  bodyStart: number;
}

interface ContentType {
  type: string;
  hasCharset: boolean;
  boundary: string | undefined;
  /** Where the whole header (all its folded lines) starts and ends, relative to the block. */
  headerStart: number;
  headerEnd: number;
}

// RFC 2045 makes us-ascii the default charset; postal-mime decodes an undeclared part as UTF-8, which
// turns the Latin-1 or Windows-1252 bytes of older clients into U+FFFD. Each part is judged on its own
// decoded bytes, so valid UTF-8 (the usual undeclared charset today) is left to postal-mime's default.
/** Declares windows-1252 on every text part that has no charset and whose bytes are not valid UTF-8. */
export function declareMissingCharsets(binary: string): string | undefined {
  const delimiters = delimiterLines(binary);
  const edits: { at: number; text: string }[] = [];
  const starts = [0, ...delimiters.filter((line) => !line.closing).map((line) => line.end)];
  // Each part is read up to the next delimiter only, so that the work stays linear in the message
  // however many parts it has.
  for (let index = 0; index < starts.length; index++) {
    const start = starts[index] as number;
    const block = headerBlock(binary, start, firstDelimiterAt(delimiters, start)?.start);
    const headers = binary.slice(block.start, block.headersEnd);
    const contentType = contentTypeOf(headers);
    if (contentType?.type === 'message/rfc822') starts.push(block.bodyStart);
    const isText = !contentType || contentType.type === 'text/plain' || contentType.type === 'text/html';
    if (!isText || contentType?.hasCharset) continue;
    const next = firstDelimiterAt(delimiters, block.bodyStart);
    const bytes = decodeTransfer(binary.slice(block.bodyStart, next?.start ?? binary.length), headers);
    if (isUtf8(bytes)) continue;
    edits.push(
      contentType
        ? { at: block.start + contentType.headerEnd, text: `; charset="${FALLBACK_CHARSET}"` }
        : { at: block.start, text: `Content-Type: text/plain; charset="${FALLBACK_CHARSET}"\r\n` },
    );
  }
  if (edits.length === 0) return undefined;
  const pieces: string[] = [];
  let copied = 0;
  for (const edit of edits.sort((a, b) => a.at - b.at)) {
    pieces.push(binary.slice(copied, edit.at), edit.text);
    copied = edit.at;
  }
  pieces.push(binary.slice(copied));
  return pieces.join('');
}

// The first delimiter line that starts at or after `at` (delimiters are in order): a binary search.
function firstDelimiterAt<T extends { start: number }>(delimiters: readonly T[], at: number): T | undefined {
  let low = 0;
  let high = delimiters.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((delimiters[middle] as T).start < at) low = middle + 1;
    else high = middle;
  }
  return delimiters[low];
}

/**
 * A multipart message whose boundary parameter is missing or names no line of the body gets the
 * boundary its body actually uses: the first line that starts with `--`.
 */
export function guessBoundary(binary: string): string | undefined {
  const block = headerBlock(binary, 0);
  const headers = binary.slice(0, block.headersEnd);
  const contentType = contentTypeOf(headers);
  if (!contentType?.type.startsWith('multipart/')) return undefined;
  const body = binary.slice(block.bodyStart);
  if (
    contentType.boundary &&
    body.split(/\r?\n/).some((line) => line.startsWith(`--${contentType.boundary}`))
  ) {
    return undefined;
  }
  const found = body
    .split(/\r?\n/)
    .filter((line) => line.startsWith('--'))
    .map(boundaryOf)
    .find((boundary) => boundary !== undefined);
  if (found === undefined) return undefined;
  const header = `Content-Type: ${contentType.type}; boundary="${found}"`;
  return headers.slice(0, contentType.headerStart) + header + binary.slice(contentType.headerEnd);
}

// The boundary a delimiter line (`--b`, `--b--`, trailing blanks allowed) names, if it can be one.
function boundaryOf(line: string): string | undefined {
  const rest = withoutTrailingBlanks(line.slice(2));
  const open = rest.endsWith('--') && rest.length > 2 ? rest.slice(0, -2) : rest;
  return open.length <= MAX_GUESSED_BOUNDARY && /^[^\s"]+$/.test(open) ? open : undefined;
}

/** The top-level header section alone (at most `maxBytes`), as a message without a body. */
export function headerSection(binary: string, maxBytes: number): string {
  const block = headerBlock(binary, 0);
  const headers = binary.slice(0, Math.min(block.headersEnd, maxBytes));
  // Cut back to the last whole line, so that no header is cut in the middle of an encoded word.
  const lastBreak = headers.lastIndexOf('\n');
  const whole = block.headersEnd > maxBytes && lastBreak > 0 ? headers.slice(0, lastBreak) : headers;
  return `${whole}\r\n\r\n`;
}

/**
 * The body of a message read as plain text: everything after the header section, or the whole message
 * when it does not start with a header; UTF-8 when valid, else windows-1252.
 */
export function rawBodyText(binary: string): string {
  const hasHeaders = HEADER_LINE.test(binary);
  const body = hasHeaders ? binary.slice(headerBlock(binary, 0).bodyStart) : binary;
  const bytes = Buffer.from(body, 'latin1');
  return new TextDecoder(isUtf8(bytes) ? 'utf-8' : FALLBACK_CHARSET).decode(bytes);
}

// The header section of the block at `start`, looked for before `limit` (where the next part begins).
function headerBlock(binary: string, start: number, limit = binary.length): Block {
  const leading = /^\r?\n/.exec(binary.slice(start, start + 2));
  // A block that opens with an empty line has no headers at all.
  if (leading) return { start, headersEnd: start, bodyStart: start + leading[0].length };
  const match = /\r?\n\r?\n/.exec(binary.slice(start, limit));
  if (!match) return { start, headersEnd: limit, bodyStart: limit };
  return { start, headersEnd: start + match.index, bodyStart: start + match.index + match[0].length };
}

function contentTypeOf(headers: string): ContentType | undefined {
  const match = CONTENT_TYPE.exec(headers);
  if (!match) return undefined;
  const whole = match[1] as string;
  const value = match[2] as string;
  const headerStart = match.index + match[0].length - whole.length;
  BOUNDARY_PARAM.lastIndex = 0;
  const boundary = BOUNDARY_PARAM.exec(value);
  return {
    type: (value.split(';')[0] ?? '').trim().toLowerCase(),
    hasCharset: /charset\s*=/i.test(value),
    boundary: boundary ? (boundary[1] ?? boundary[2]) : undefined,
    headerStart,
    headerEnd: headerStart + whole.length,
  };
}

// Lines that open or close a part: `--boundary` or `--boundary--`, for any boundary the message declares,
// with trailing spaces or tabs. Read line by line: a pattern with a lazy line and trailing blanks
// (`^--([^\r\n]*?)[ \t]*\r?\n`) retried the blanks from every position of a long line.
function delimiterLines(binary: string): { start: number; end: number; closing: boolean }[] {
  const boundaries = new Set<string>();
  for (const match of binary.matchAll(BOUNDARY_PARAM)) boundaries.add((match[1] ?? match[2]) as string);
  if (boundaries.size === 0) return [];
  const lines: { start: number; end: number; closing: boolean }[] = [];
  for (let start = 0; start < binary.length; ) {
    const newline = binary.indexOf('\n', start);
    const end = newline === -1 ? binary.length : newline + 1;
    if (binary.startsWith('--', start)) {
      const rest = withoutTrailingBlanks(binary.slice(start + 2, newline === -1 ? end : newline));
      const closing = rest.endsWith('--') && boundaries.has(rest.slice(0, -2));
      if (closing || boundaries.has(rest)) lines.push({ start, end, closing });
    }
    start = end;
  }
  return lines;
}

function withoutTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && ' \t\r'.includes(line[end - 1] as string)) end--;
  return line.slice(0, end);
}

function decodeTransfer(body: string, headers: string): Buffer {
  const encoding = TRANSFER_ENCODING.exec(headers)?.[1]?.trim().toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  if (encoding === 'quoted-printable') {
    const decoded = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(decoded, 'latin1');
  }
  return Buffer.from(body, 'latin1');
}
