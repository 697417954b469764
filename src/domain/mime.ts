/**
 * A raw RFC 5322 message (as Gmail's `format=raw` or Graph's `$value` gives it) read into the shape we
 * store. Reading never throws: a malformed message yields whatever could be read, and says which
 * repairs were needed.
 *
 * What postal-mime does and what is added here:
 * - Declared charsets, RFC 2047 encoded words (broken ones are left as written), transfer encodings,
 *   nested multiparts and inline `message/rfc822` parts (their text joins the body): postal-mime.
 * - A text part without a charset: postal-mime decodes it as UTF-8, so Latin-1 bytes became U+FFFD;
 *   such parts are read as windows-1252 instead (`charset_fallback`).
 * - A multipart whose boundary is missing or wrong: postal-mime finds no part; the boundary the body
 *   really uses is tried (`boundary_guessed`), and failing that the body is kept as text (`raw_body`).
 * - postal-mime refuses a message past its limits (over 256 nested parts, over 2 MiB of headers): the
 *   top-level headers are read alone (`headers_only`).
 * - HTML is sanitized here (sanitizeBounded, as sanitizeEmailHtml does), so the shape is ready to
 *   store and nothing downstream holds unsafe markup; the text reading of an HTML-only message is
 *   taken from the sanitized HTML.
 * - Size caps: text and HTML are kept up to MAX_BODY_BYTES each (UTF-8), attachment metadata up to
 *   MAX_ATTACHMENTS entries, so a hostile message cannot bloat storage. Attachment contents are never
 *   kept: only name, type, size and Content-ID. HTML is also read only to MAX_HTML_DEPTH levels of
 *   nesting. A body that was cut ends with a visible note, and `truncated` says what was cut.
 * - Every string returned is storable in PostgreSQL (storable.ts): NUL dropped, lone surrogates
 *   replaced, control characters in one-line header values turned into spaces.
 */
import PostalMime, { type Address, type Attachment, type Email } from 'postal-mime';
import { htmlToText, sanitizeBounded } from './html.ts';
import { declareMissingCharsets, guessBoundary, headerSection, rawBodyText } from './mime-repair.ts';
import type { NamedAddress } from './participants.ts';
import { storableLine, storableText } from './storable.ts';
import { capUtf8, TOO_LARGE_NOTE } from './truncation.ts';

/** The most text, and separately the most HTML, kept from one message: 1 MiB of UTF-8 each. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** The most attachments described for one message. */
export const MAX_ATTACHMENTS = 500;
/** The most References ids kept; the first (the thread's root) is always among them. */
export const MAX_REFERENCES = 100;

const MAX_SUBJECT_CHARS = 1000;
const MAX_HEADER_ONLY_BYTES = 256 * 1024;

export type MimeRepair = 'charset_fallback' | 'boundary_guessed' | 'raw_body' | 'headers_only';

/** What is kept about an attachment: never its content. */
export interface AttachmentInfo {
  filename: string | null;
  contentType: string;
  /** Decoded size in bytes. */
  size: number;
  /** Without angle brackets, as a `cid:` URL names it. */
  contentId?: string;
  disposition: 'attachment' | 'inline';
}

/** A message in the shape it is stored in; `html` is already sanitized. */
export interface ParsedMessage {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  /** The Date header; `null` when missing or unreadable. */
  date: Date | null;
  from: NamedAddress | null;
  to: NamedAddress[];
  cc: NamedAddress[];
  bcc: NamedAddress[];
  replyTo: NamedAddress[];
  /** The text part, or a reading of the HTML part when there is no text part (`textFromHtml`). */
  text: string;
  html: string | null;
  textFromHtml: boolean;
  attachments: AttachmentInfo[];
  /**
   * What was cut: `text` and `html` past MAX_BODY_BYTES, `depth` HTML nested past MAX_HTML_DEPTH,
   * `attachments` past MAX_ATTACHMENTS entries. A cut body ends with a visible note saying so.
   */
  truncated: { text: boolean; html: boolean; depth: boolean; attachments: boolean };
  repairs: MimeRepair[];
}

/**
 * Reads a raw message (bytes, or a string taken as UTF-8) into its stored shape; never throws, however
 * malformed the input.
 */
export async function parseMessage(raw: Uint8Array | string): Promise<ParsedMessage> {
  let bytes =
    typeof raw === 'string'
      ? Buffer.from(raw, 'utf8')
      : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const repairs: MimeRepair[] = [];
  let email = await tryParse(bytes);

  if (email && isEmpty(email)) {
    const guessed = guessBoundary(bytes.toString('latin1'));
    const repaired = guessed === undefined ? undefined : Buffer.from(guessed, 'latin1');
    const reparsed = repaired === undefined ? undefined : await tryParse(repaired);
    if (repaired && reparsed && !isEmpty(reparsed)) {
      bytes = repaired;
      email = reparsed;
      repairs.push('boundary_guessed');
    }
  }
  if (email && hasReplacementCharacter(email)) {
    const declared = declareMissingCharsets(bytes.toString('latin1'));
    const reparsed = declared === undefined ? undefined : await tryParse(Buffer.from(declared, 'latin1'));
    if (reparsed) {
      email = reparsed;
      repairs.push('charset_fallback');
    }
  }
  if (!email) {
    const headers = headerSection(bytes.toString('latin1'), MAX_HEADER_ONLY_BYTES);
    email = (await tryParse(Buffer.from(headers, 'latin1'))) ?? emptyEmail();
    repairs.push('headers_only');
  } else if (isEmpty(email)) {
    const text = rawBodyText(bytes.toString('latin1'));
    if (text.trim() !== '') {
      email = { ...email, text };
      repairs.push('raw_body');
    }
  }
  return shape(email, repairs);
}

async function tryParse(bytes: Buffer): Promise<Email | undefined> {
  try {
    return await PostalMime.parse(bytes, { attachmentEncoding: 'arraybuffer' });
  } catch {
    // postal-mime rejects only past its safety limits; the caller falls back to the headers alone.
    return undefined;
  }
}

function shape(email: Email, repairs: MimeRepair[]): ParsedMessage {
  const html = sanitizeBounded(storableText(email.html ?? ''));
  const htmlValue = storableText(html.html);
  const plain = storableText(email.text ?? '');
  const textFromHtml = plain.trim() === '' && htmlValue !== '';
  const text = cappedText(textFromHtml ? storableText(htmlToText(htmlValue)) : plain);
  const attachments = email.attachments.map(attachmentInfo);
  return {
    messageId: firstId(email.messageId),
    inReplyTo: firstId(email.inReplyTo),
    references: references(email.references),
    subject: Array.from(storableLine(email.subject ?? ''))
      .slice(0, MAX_SUBJECT_CHARS)
      .join(''),
    date: dateOf(email.date),
    from: addresses(email.from ? [email.from] : [])[0] ?? null,
    to: addresses(email.to),
    cc: addresses(email.cc),
    bcc: addresses(email.bcc),
    replyTo: addresses(email.replyTo),
    text: text.value,
    html: htmlValue === '' ? null : htmlValue,
    textFromHtml,
    attachments: attachments.slice(0, MAX_ATTACHMENTS),
    truncated: {
      text: text.truncated,
      html: html.tooLarge,
      depth: html.tooDeep,
      attachments: attachments.length > MAX_ATTACHMENTS,
    },
    repairs,
  };
}

// A cut text ends with the note, within MAX_BODY_BYTES.
function cappedText(text: string): { value: string; truncated: boolean } {
  const note = `\n\n${TOO_LARGE_NOTE}`;
  const capped = capUtf8(text, MAX_BODY_BYTES - Buffer.byteLength(note));
  return capped.truncated ? { value: capped.value + note, truncated: true } : capped;
}

function isEmpty(email: Email): boolean {
  return !email.text?.trim() && !email.html?.trim() && email.attachments.length === 0;
}

function hasReplacementCharacter(email: Email): boolean {
  return (email.text ?? '').includes('\uFFFD') || (email.html ?? '').includes('\uFFFD');
}

function emptyEmail(): Email {
  return { headers: [], headerLines: [], attachments: [] };
}

// Groups ("Team: a@x, b@y;") are flattened into their members; entries without an address are dropped.
function addresses(list: readonly Address[] | undefined): NamedAddress[] {
  const flat: NamedAddress[] = [];
  for (const entry of list ?? []) {
    for (const mailbox of entry.group ?? [entry]) {
      const address = storableLine(mailbox.address ?? '');
      if (address === '') continue;
      const name = storableLine(mailbox.name);
      flat.push(name ? { address, name } : { address });
    }
  }
  return flat;
}

// Message ids are kept with their angle brackets, the form In-Reply-To and References use.
function messageIds(raw: string | undefined): string[] {
  const value = storableLine(raw ?? '');
  if (!value) return [];
  const bracketed = value.match(/<[^<>\s]+>/g);
  if (bracketed) return bracketed;
  return value
    .split(/[\s,]+/)
    .filter((id) => id !== '')
    .map((id) => `<${id.replace(/^<|>$/g, '')}>`);
}

function firstId(value: string | undefined): string | null {
  return messageIds(value)[0] ?? null;
}

function references(value: string | undefined): string[] {
  const ids = messageIds(value);
  if (ids.length <= MAX_REFERENCES) return ids;
  return [ids[0] as string, ...ids.slice(ids.length - (MAX_REFERENCES - 1))];
}

function dateOf(value: string | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function attachmentInfo(attachment: Attachment): AttachmentInfo {
  const content = attachment.content;
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  const contentId = storableLine(attachment.contentId ?? '').replace(/^<|>$/g, '');
  // A part without a Content-Disposition is inline when the HTML refers to it, an attachment otherwise.
  const disposition =
    attachment.disposition === 'inline' || (attachment.disposition === null && attachment.related)
      ? 'inline'
      : 'attachment';
  return {
    filename: safeFilename(attachment.filename),
    contentType: storableLine(attachment.mimeType ?? '') || 'application/octet-stream',
    size,
    ...(contentId ? { contentId } : {}),
    disposition,
  };
}

// A filename is shown and may one day name a download: no folders, no control characters, 255 at most.
function safeFilename(filename: string | null): string | null {
  if (filename === null) return null;
  const base = storableText(filename).split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/\p{Cc}/gu, '').trim();
  return clean === '' || clean === '.' || clean === '..' ? null : Array.from(clean).slice(0, 255).join('');
}
