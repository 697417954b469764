/**
 * Graph's view of a message too large to download whole: its size, from the MAPI property
 * PidTagMessageSize (`Integer 0x0E08`, read as a single-value extended property), and its summary, from
 * the message's `body` and the attachments listing with `$select=name,contentType,size,isInline`
 * ("List attachments"), neither of which carries an attachment's bytes.
 */
import type { MessageSummary } from '../types.ts';

/** The `$expand` that reads a message's size. */
export const SIZE_EXPAND = "singleValueExtendedProperties($filter=id eq 'Integer 0x0E08')";
export const ATTACHMENT_SELECT = 'name,contentType,size,isInline';

/** The size PidTagMessageSize gives in a message answered with SIZE_EXPAND, if any. */
export function sizeOf(body: unknown): number | undefined {
  const properties = (body as { singleValueExtendedProperties?: unknown } | undefined)
    ?.singleValueExtendedProperties;
  if (!Array.isArray(properties)) return undefined;
  for (const property of properties as { id?: unknown; value?: unknown }[]) {
    if (typeof property.id !== 'string' || !/^integer 0x0*e08$/i.test(property.id.trim())) continue;
    const size = Number(property.value);
    if (Number.isSafeInteger(size) && size >= 0) return size;
  }
  return undefined;
}

/** The summary from a message's `body` and its attachments listing, the body cut at `maxPartBytes`. */
export function summaryOf(message: unknown, attachments: unknown, maxPartBytes: number): MessageSummary {
  const body = (message as { body?: { contentType?: unknown; content?: unknown } } | undefined)?.body;
  const content = Buffer.from(typeof body?.content === 'string' ? body.content : '', 'utf8');
  const type = body?.contentType === 'text' ? 'text/plain' : 'text/html';
  const listed = (attachments as { value?: unknown } | undefined)?.value;
  return {
    parts: [{ contentType: `${type}; charset=utf-8`, content: content.subarray(0, maxPartBytes) }],
    attachments: (Array.isArray(listed) ? listed : []).map((entry: Record<string, unknown>) => ({
      filename: typeof entry.name === 'string' ? entry.name : null,
      contentType: typeof entry.contentType === 'string' ? entry.contentType : 'application/octet-stream',
      size: typeof entry.size === 'number' ? entry.size : 0,
      inline: entry.isInline === true,
    })),
    cut: content.length > maxPartBytes,
  };
}
