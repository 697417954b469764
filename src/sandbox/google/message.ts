/**
 * One stored Gmail message: its raw RFC 5322 bytes as delivered, and everything served from them, built
 * once so `messages.get` does no MIME work per request (the payload tree, the snippet, the base64url raw
 * and the JSON fragments of `full` and `raw` are cached on first use).
 */
import { buildPayload, type Header, type MessagePart, type Payload } from './payload.ts';

export interface StoredMessage {
  id: string;
  threadId: string;
  /** Label ids in the order Gmail lists them. */
  labelIds: string[];
  /** The id of the last history record that changed this message. */
  historyId: number;
  /** Epoch ms: when Gmail accepted it (the `Date` header for control-API deliveries). */
  internalDate: number;
  raw: Buffer;
  headers: Header[];
  snippet: string;
  /** Lower-cased values the `q` parser matches on. */
  search: {
    from: string;
    to: string;
    cc: string;
    bcc: string;
    subject: string;
    text: string;
    /** Attachment filenames (`has:attachment`, `filename:`). */
    filenames: string[];
  };
  /** RFC Message-ID and the ids it replies to, for threading. */
  messageId: string;
  references: string[];
  subject: string;
  cache: {
    payload?: Payload;
    rawJson?: string;
    payloadJson?: string;
  };
}

/** Builds a stored message from raw bytes; labels, ids and history are the mailbox's business. */
export function storeMessage(
  raw: Buffer,
  ids: { id: string; threadId: string; internalDate: number },
): StoredMessage {
  const payload = buildPayload(raw, ids.id);
  const headers = payload.tree.headers;
  const get = (name: string) => headers.find((entry) => entry.name.toLowerCase() === name)?.value ?? '';
  const messageId = get('message-id').trim();
  const references = `${get('references')} ${get('in-reply-to')}`.match(/<[^>]+>/g) ?? [];
  const subject = decodeHeader(get('subject'));
  const text = payload.text ?? htmlToText(payload.html ?? '');
  return {
    ...ids,
    labelIds: [],
    historyId: 0,
    raw,
    headers,
    snippet: snippetOf(text),
    search: {
      from: decodeHeader(get('from')).toLowerCase(),
      to: decodeHeader(get('to')).toLowerCase(),
      cc: decodeHeader(get('cc')).toLowerCase(),
      bcc: decodeHeader(get('bcc')).toLowerCase(),
      subject: subject.toLowerCase(),
      text: text.toLowerCase(),
      filenames: attachmentNames(payload.tree),
    },
    messageId,
    references,
    subject,
    cache: { payload },
  };
}

/** The lower-cased filenames of a payload's attachments. */
function attachmentNames(part: MessagePart): string[] {
  const own = part.body.attachmentId !== undefined ? [part.filename.toLowerCase()] : [];
  return [...own, ...(part.parts ?? []).flatMap(attachmentNames)];
}

/** The payload tree (built on demand if the cache was dropped). */
export function payloadOf(message: StoredMessage): Payload {
  message.cache.payload ??= buildPayload(message.raw, message.id);
  return message.cache.payload;
}

/** The JSON text of `"raw": "<base64url>"`'s value, cached. */
export function rawJson(message: StoredMessage): string {
  message.cache.rawJson ??= JSON.stringify(message.raw.toString('base64url'));
  return message.cache.rawJson;
}

/** The JSON text of the `full` payload tree, cached. */
export function payloadJson(message: StoredMessage): string {
  message.cache.payloadJson ??= JSON.stringify(payloadOf(message).tree);
  return message.cache.payloadJson;
}

/** The `metadata` payload: mimeType and the top-level headers, optionally only the named ones. */
export function metadataPayload(
  message: StoredMessage,
  only: string[],
): Pick<MessagePart, 'mimeType' | 'headers'> {
  const wanted = new Set(only.map((name) => name.toLowerCase()));
  const tree = payloadOf(message).tree;
  return {
    mimeType: tree.mimeType,
    headers:
      wanted.size === 0 ? tree.headers : tree.headers.filter((entry) => wanted.has(entry.name.toLowerCase())),
  };
}

/** Gmail's snippet: about 200 characters of body text, whitespace collapsed, HTML-escaped. */
function snippetOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > 200 ? flat.slice(0, 200).replace(/\s+\S*$/, '') : flat;
  return cut
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function htmlToText(html: string): string {
  return html
    .replace(/<(style|script)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** Decodes RFC 2047 encoded-words in a header value, for matching and threading only. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bq])\?([^?]*)\?=/gi, (_, charset: string, kind: string, data: string) => {
      const bytes =
        kind.toLowerCase() === 'b'
          ? Buffer.from(data, 'base64')
          : Buffer.from(
              data
                .replace(/_/g, ' ')
                .replace(/=([0-9a-f]{2})/gi, (__, hex: string) =>
                  String.fromCharCode(Number.parseInt(hex, 16)),
                ),
              'latin1',
            );
      return bytes.toString(/utf-?8/i.test(charset) ? 'utf8' : 'latin1');
    });
}
