/**
 * A stored message as Graph's `message` resource (Graph v1.0 "message resource type"): property names,
 * order and formats as Graph sends them (UTC dates without fractions, `{emailAddress: {name, address}}`
 * recipients, `W/"changeKey"` etags). The body is HTML unless the caller prefers text
 * (`Prefer: outlook.body-content-type`); the other form is derived once and cached. `$select` picks
 * properties (id and etag always come); `internetMessageHeaders` and `uniqueBody` come only when selected.
 */
import type { Address } from '../mime.ts';
import type { StoredMessage } from './mailbox.ts';

export type BodyType = 'html' | 'text';

export interface JsonOptions {
  immutableIds: boolean;
  bodyType: BodyType;
  /** Canonical property names from `$select`, or undefined for the default set. */
  select: string[] | undefined;
}

const DEFAULT = [
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'categories',
  'receivedDateTime',
  'sentDateTime',
  'hasAttachments',
  'internetMessageId',
  'subject',
  'bodyPreview',
  'importance',
  'parentFolderId',
  'conversationId',
  'conversationIndex',
  'isDeliveryReceiptRequested',
  'isReadReceiptRequested',
  'isRead',
  'isDraft',
  'webLink',
  'inferenceClassification',
  'body',
  'sender',
  'from',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'flag',
];
const SELECTABLE = new Map(
  [...DEFAULT, 'id', 'uniqueBody', 'internetMessageHeaders'].map((name) => [name.toLowerCase(), name]),
);

/** True when a JSON rendering with this `$select` carries message content (body or its preview). */
export function revealsContent(select: string[] | undefined): boolean {
  return (select ?? DEFAULT).some(
    (name) => name === 'body' || name === 'uniqueBody' || name === 'bodyPreview',
  );
}

/** Canonical names for a `$select` value; throws with Graph's message on an unknown property. */
export function parseSelect(value: string | null | undefined): string[] | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  return value.split(',').map((raw) => {
    const name = SELECTABLE.get(raw.trim().toLowerCase());
    if (!name) throw new SelectError(raw.trim());
    return name;
  });
}

export class SelectError extends Error {
  constructor(property: string) {
    super(`Could not find a property named '${property}' on type 'Microsoft.OutlookServices.Message'.`);
  }
}

/** Graph's UTC date format: no fractional seconds. */
export function graphDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

const recipient = (address: Address) => ({
  emailAddress: { name: address.name || address.address, address: address.address },
});

const cache = new WeakMap<StoredMessage, { html: string; text: string; preview: string }>();

/** The message's body in both forms, and its preview (first 255 characters of the text, spaces collapsed). */
export function bodies(message: StoredMessage): { html: string; text: string; preview: string } {
  let entry = cache.get(message);
  if (!entry) {
    const { html, text } = message.content;
    const asText = text ?? htmlToText(html ?? '');
    entry = {
      html: html ?? textToHtml(text ?? ''),
      text: asText,
      preview: asText.replace(/\s+/g, ' ').trim().slice(0, 255),
    };
    cache.set(message, entry);
  }
  return entry;
}

function textToHtml(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return (
    '<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n' +
    `<body>\r\n<div>${escaped.replace(/\r?\n/g, '<br>\r\n')}</div>\r\n</body>\r\n</html>\r\n`
  );
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h\d)>/gi, '\r\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

function importance(message: StoredMessage): 'low' | 'normal' | 'high' {
  const header = (name: string) =>
    message.content.headers.find((entry) => entry.name.toLowerCase() === name)?.value.toLowerCase() ?? '';
  const priority = header('x-priority');
  const value = header('importance');
  if (value === 'high' || /^[12]/.test(priority)) return 'high';
  if (value === 'low' || /^[45]/.test(priority)) return 'low';
  return 'normal';
}

/** The message in Graph's JSON form. */
export function messageJson(message: StoredMessage, options: JsonOptions): Record<string, unknown> {
  const { content } = message;
  const body = bodies(message);
  const from = content.from ? recipient(content.from) : null;
  const id = options.immutableIds ? message.immutableId : message.regularId;
  const value = (name: string): unknown => {
    switch (name) {
      case 'createdDateTime':
        return graphDate(message.createdAt);
      case 'lastModifiedDateTime':
        return graphDate(message.modifiedAt);
      case 'changeKey':
        return message.changeKey;
      case 'categories':
        return [];
      case 'receivedDateTime':
        return graphDate(message.receivedAt);
      case 'sentDateTime':
        return graphDate(message.sentAt);
      case 'hasAttachments':
        return content.attachments.some((attachment) => !attachment.contentId);
      case 'internetMessageId':
        return content.messageId;
      case 'subject':
        return content.subject;
      case 'bodyPreview':
        return body.preview;
      case 'importance':
        return importance(message);
      case 'parentFolderId':
        return message.folderId;
      case 'conversationId':
        return message.conversationId;
      case 'conversationIndex':
        return message.conversationIndex;
      case 'isDeliveryReceiptRequested':
        return false;
      case 'isReadReceiptRequested':
        return content.headers.some((entry) => entry.name.toLowerCase() === 'disposition-notification-to');
      case 'isRead':
        return message.isRead;
      case 'isDraft':
        return message.isDraft;
      case 'webLink':
        return `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`;
      case 'inferenceClassification':
        return 'focused';
      case 'body':
      case 'uniqueBody':
        return {
          contentType: options.bodyType,
          content: options.bodyType === 'html' ? body.html : body.text,
        };
      case 'sender':
      case 'from':
        return from;
      case 'toRecipients':
        return content.to.map(recipient);
      case 'ccRecipients':
        return content.cc.map(recipient);
      case 'bccRecipients':
        return content.bcc.map(recipient);
      case 'replyTo':
        return content.replyTo.map(recipient);
      case 'flag':
        return { flagStatus: 'notFlagged' };
      case 'internetMessageHeaders':
        return content.headers.map((entry) => ({ name: entry.name, value: entry.value }));
      default:
        return undefined;
    }
  };
  const json: Record<string, unknown> = { '@odata.etag': `W/"${message.changeKey}"`, id };
  for (const name of options.select ?? DEFAULT) {
    if (name !== 'id') json[name] = value(name);
  }
  return json;
}
