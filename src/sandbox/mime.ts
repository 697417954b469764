/**
 * Messages as the sandbox stores them: the structured description a test gives (or a raw RFC 5322 message
 * it brings), turned once into the real MIME bytes that both providers serve (Gmail `raw`/`full`, Graph
 * `$value`) and the parsed header values they expose (Gmail `metadata`, Graph message properties).
 */
import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import PostalMime from 'postal-mime';

export interface Address {
  name?: string | undefined;
  address: string;
}

export interface AttachmentSpec {
  filename: string;
  contentType: string;
  /** The content, base64-encoded in control API bodies. */
  content: Buffer;
  /** Set for inline parts referenced from the HTML by `cid:`. */
  contentId?: string | undefined;
}

/**
 * A message as the control API takes it (docs/sandbox.md, "Message body for deliver / send / spam /
 * draft"): described by its parts, or `raw` (base64 of RFC 5322 bytes) for hostile-mail tests.
 */
export interface ControlMessageBody {
  from?: Address;
  to?: Address[];
  cc?: Address[];
  bcc?: Address[];
  subject?: string;
  text?: string;
  html?: string;
  attachments?: { filename: string; contentType: string; contentBase64: string; contentId?: string }[];
  date?: string;
  inReplyTo?: string;
  raw?: string;
}

/** A message described by its parts; `raw` wins when a test brings its own bytes. */
export interface MessageSpec {
  from: Address;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo?: Address[] | undefined;
  subject: string;
  text?: string | undefined;
  html?: string | undefined;
  attachments: AttachmentSpec[];
  date: Date;
  messageId: string;
  inReplyTo?: string | undefined;
  references: string[];
  headers?: Record<string, string> | undefined;
}

/** A message ready to serve: its bytes, and the values read back out of them. */
export interface BuiltMessage {
  raw: Buffer;
  /** Every header in order, as (name, unfolded value) pairs: Gmail's `payload.headers`. */
  headers: { name: string; value: string }[];
  from: Address | undefined;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  subject: string;
  date: Date;
  messageId: string;
  inReplyTo: string | undefined;
  references: string[];
  text: string | undefined;
  html: string | undefined;
  attachments: { filename: string; contentType: string; size: number; contentId: string | undefined }[];
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function newMessageId(domain: string): string {
  return `<${randomBytes(12).toString('hex')}@${domain}>`;
}

/** Builds the MIME bytes of a described message (Bcc kept only when `keepBcc`, as on a sender's copy). */
export async function buildRaw(spec: MessageSpec, options: { keepBcc?: boolean } = {}): Promise<Buffer> {
  const composer = new MailComposer({
    from: spec.from,
    to: spec.to,
    cc: spec.cc,
    bcc: spec.bcc,
    replyTo: spec.replyTo,
    subject: spec.subject,
    text: spec.text,
    html: spec.html,
    date: spec.date,
    messageId: spec.messageId,
    inReplyTo: spec.inReplyTo,
    references: spec.references,
    headers: spec.headers,
    attachments: spec.attachments.map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: attachment.content,
      cid: attachment.contentId,
    })),
  });
  const node = composer.compile();
  if (options.keepBcc) node.keepBcc = true;
  return node.build();
}

/** Reads a raw message back into the values providers expose. Unparseable input still yields headers. */
export async function readRaw(raw: Buffer): Promise<BuiltMessage> {
  const parsed = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
  const addresses = (list: unknown): Address[] =>
    (
      (list as
        | { name?: string; address?: string; group?: { name?: string; address?: string }[] }[]
        | undefined) ?? []
    )
      .flatMap((entry) => entry.group ?? [entry])
      .filter(
        (entry): entry is { name?: string; address: string } =>
          typeof entry.address === 'string' && entry.address !== '',
      )
      .map((entry) =>
        entry.name ? { name: entry.name, address: entry.address } : { address: entry.address },
      );
  const from = addresses(parsed.from ? [parsed.from] : [])[0];
  return {
    raw,
    headers: rawHeaders(raw),
    from,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    bcc: addresses(parsed.bcc),
    replyTo: addresses(parsed.replyTo),
    subject: parsed.subject ?? '',
    date: parsed.date ? new Date(parsed.date) : new Date(0),
    messageId: parsed.messageId ?? '',
    inReplyTo: parsed.inReplyTo,
    references: (parsed.references ?? '').split(/\s+/).filter(Boolean),
    text: parsed.text,
    html: parsed.html,
    attachments: parsed.attachments.map((attachment) => ({
      filename: attachment.filename ?? '',
      contentType: attachment.mimeType,
      size:
        typeof attachment.content === 'string' ? attachment.content.length : attachment.content.byteLength,
      contentId: attachment.contentId,
    })),
  };
}

/**
 * The top-level header block of a raw message, unfolded, in order, undecoded (as Gmail shows them). Raw
 * 8-bit header bytes are read as UTF-8 when they are valid UTF-8 (RFC 6532 internationalized headers, as
 * Gmail shows them), else byte for byte as Latin-1.
 */
export function rawHeaders(raw: Buffer): { name: string; value: string }[] {
  const end = raw.toString('latin1').search(/\r?\n\r?\n/);
  const head = end === -1 ? raw : raw.subarray(0, end);
  let block: string;
  try {
    block = UTF8.decode(head);
  } catch {
    block = head.toString('latin1');
  }
  const headers: { name: string; value: string }[] = [];
  for (const line of block.split(/\r?\n/)) {
    const last = headers.at(-1);
    if (/^[ \t]/.test(line) && last) {
      last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return headers;
}
