/**
 * Gmail's `full` format: the MIME tree of the stored raw message as a `MessagePart` tree. Per the Gmail
 * reference (users.messages, MessagePart): the top part has partId "" and carries every top-level header;
 * children are numbered "0", "1", and their children "0.0", "0.1"; `body.data` is the part's content after
 * undoing its Content-Transfer-Encoding (charset untouched), base64url-encoded; `body.size` counts those
 * bytes; parts with a filename are attachments, served by `messages.attachments.get` through `attachmentId`.
 */
import { createHash } from 'node:crypto';
import { rawHeaders } from '../mime.ts';

export interface Header {
  name: string;
  value: string;
}

export interface MessagePart {
  partId: string;
  mimeType: string;
  filename: string;
  headers: Header[];
  body: { size: number; data?: string; attachmentId?: string };
  parts?: MessagePart[];
}

/** A parsed payload: the tree to serve, and attachment contents by id. */
export interface Payload {
  tree: MessagePart;
  attachments: Map<string, Buffer>;
  /** The first text/plain body and the first text/html body, decoded as UTF-8 or latin1 (for snippets). */
  text: string | undefined;
  html: string | undefined;
}

/** Parses a raw RFC 5322 message into Gmail's payload tree; `seed` makes attachment ids stable per message. */
export function buildPayload(raw: Buffer, seed: string): Payload {
  const attachments = new Map<string, Buffer>();
  const found: { text?: string; html?: string } = {};
  const tree = parsePart(raw, '', seed, attachments, found, 0);
  return { tree, attachments, text: found.text, html: found.html };
}

function parsePart(
  bytes: Buffer,
  partId: string,
  seed: string,
  attachments: Map<string, Buffer>,
  found: { text?: string; html?: string },
  depth: number,
): MessagePart {
  const split = splitHeaderBody(bytes);
  const headers = rawHeaders(split.head);
  const type = parseParams(header(headers, 'content-type') ?? 'text/plain');
  const mimeType = /^[\w.+-]+\/[\w.+-]+$/.test(type.value) ? type.value.toLowerCase() : 'text/plain';
  const disposition = parseParams(header(headers, 'content-disposition') ?? '');
  const filename = decodeWords(disposition.params.filename ?? type.params.name ?? '');
  const part: MessagePart = { partId, mimeType, filename, headers, body: { size: 0 } };
  const boundary = type.params.boundary;
  if (mimeType.startsWith('multipart/') && boundary && depth < 20) {
    part.parts = splitMultipart(split.body, boundary).map((child, index) =>
      parsePart(
        child,
        partId === '' ? String(index) : `${partId}.${index}`,
        seed,
        attachments,
        found,
        depth + 1,
      ),
    );
    return part;
  }
  const content = decodeTransfer(split.body, header(headers, 'content-transfer-encoding'));
  if (filename !== '' || disposition.value.toLowerCase() === 'attachment') {
    const attachmentId = `ANGjdJ_${createHash('sha256').update(`${seed}:${partId}`).digest('base64url')}`;
    attachments.set(attachmentId, content);
    part.body = { attachmentId, size: content.length };
    return part;
  }
  if (content.length > 0) part.body = { size: content.length, data: content.toString('base64url') };
  const charset = (type.params.charset ?? 'utf-8').toLowerCase();
  const decoded = content.toString(charset === 'utf-8' || charset === 'utf8' ? 'utf8' : 'latin1');
  if (mimeType === 'text/plain') found.text ??= decoded;
  if (mimeType === 'text/html') found.html ??= decoded;
  return part;
}

function header(headers: Header[], name: string): string | undefined {
  return headers.find((entry) => entry.name.toLowerCase() === name)?.value;
}

function splitHeaderBody(bytes: Buffer): { head: Buffer; body: Buffer } {
  // A part may have no headers at all: its first line is already the blank separator.
  if (bytes[0] === 0x0a) return { head: Buffer.alloc(0), body: bytes.subarray(1) };
  if (bytes[0] === 0x0d && bytes[1] === 0x0a) return { head: Buffer.alloc(0), body: bytes.subarray(2) };
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf))
    return { head: bytes.subarray(0, crlf), body: bytes.subarray(crlf + 4) };
  if (lf !== -1) return { head: bytes.subarray(0, lf), body: bytes.subarray(lf + 2) };
  return { head: bytes, body: Buffer.alloc(0) };
}

/** The value and parameters of a structured header such as Content-Type (RFC 2045, RFC 2231 `*=`). */
export function parseParams(value: string): { value: string; params: Record<string, string> } {
  const [first = '', ...rest] = value.split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  const params: Record<string, string> = {};
  for (const item of rest) {
    const eq = item.indexOf('=');
    if (eq === -1) continue;
    let name = item.slice(0, eq).trim().toLowerCase();
    let val = item.slice(eq + 1).trim();
    if (val.startsWith('"') && val.endsWith('"')) val = val.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name.endsWith('*')) {
      name = name.slice(0, -1).replace(/\*\d+$/, '');
      const match = /^([^']*)'[^']*'(.*)$/.exec(val);
      const bytes = Buffer.from((match ? match[2] : val) ?? '', 'latin1')
        .toString('latin1')
        .replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      val = Buffer.from(bytes, 'latin1').toString(
        match && /utf-?8/i.test(match[1] ?? '') ? 'utf8' : 'latin1',
      );
    } else name = name.replace(/\*\d+$/, '');
    params[name] = (params[name] ?? '') + val;
  }
  return { value: first.trim(), params };
}

/** Decodes RFC 2047 encoded-words (`=?utf-8?B?...?=`), as Gmail shows filenames. */
function decodeWords(text: string): string {
  return text.replace(
    /=\?([^?]+)\?([bq])\?([^?]*)\?=/gi,
    (_, charset: string, kind: string, data: string) => {
      const bytes =
        kind.toLowerCase() === 'b'
          ? Buffer.from(data, 'base64')
          : decodeQuotedPrintable(Buffer.from(data.replace(/_/g, ' '), 'latin1'));
      return bytes.toString(/utf-?8/i.test(charset) ? 'utf8' : 'latin1');
    },
  );
}

/** The body parts of a multipart body (RFC 2046 5.1.1), preamble and epilogue dropped. */
export function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const parts: Buffer[] = [];
  let start = -1;
  // A delimiter line is the boundary followed by `--`, whitespace or the line end, never more characters
  // (RFC 2046 5.1.1), so a boundary that prefixes a nested part's boundary does not split it.
  const find = (from: number): number => {
    for (
      let at = text.indexOf(`\n${delimiter}`, from);
      at !== -1;
      at = text.indexOf(`\n${delimiter}`, at + 1)
    ) {
      if (
        /^(--|[ \t]*\r?\n|[ \t]*$)/.test(text.slice(at + 1 + delimiter.length, at + 3 + delimiter.length + 2))
      )
        return at;
    }
    return -1;
  };
  let index = text.startsWith(delimiter) ? 0 : find(0);
  while (index !== -1) {
    const at = text[index] === '\n' ? index + 1 : index;
    if (start !== -1) {
      let end = index;
      if (text[end - 1] === '\r') end -= 1;
      parts.push(body.subarray(start, end));
    }
    const after = at + delimiter.length;
    if (text.startsWith('--', after)) break;
    const lineEnd = text.indexOf('\n', after);
    if (lineEnd === -1) break;
    start = lineEnd + 1;
    index = find(start - 1);
  }
  return parts;
}

function decodeTransfer(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

function decodeQuotedPrintable(body: Buffer): Buffer {
  const text = body.toString('latin1').replace(/=\r?\n/g, '');
  const out = Buffer.alloc(text.length);
  let length = 0;
  for (let i = 0; i < text.length; i += 1) {
    const hex = text[i] === '=' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[length++] = Number.parseInt(hex, 16);
      i += 2;
    } else out[length++] = text.charCodeAt(i) & 0xff;
  }
  return out.subarray(0, length);
}
