/**
 * A message's attachments as Graph lists them ("List attachments": `GET /me/messages/{id}/attachments`),
 * described, never with their bytes here, and the one extended property the sandbox knows: the message's
 * size, MAPI's PidTagMessageSize (`Integer 0x0E08`), read through
 * `$expand=singleValueExtendedProperties($filter=id eq 'Integer 0x0E08')` ("Get singleValueLegacyExtendedProperty").
 */
import { GraphFailure } from './graph-http.ts';
import type { StoredMessage } from './mailbox.ts';
import { graphDate } from './message-json.ts';

const ATTACHMENT_PROPERTIES = [
  'id',
  'lastModifiedDateTime',
  'name',
  'contentType',
  'size',
  'isInline',
  'contentId',
];
/** PidTagMessageSize as Graph writes the id back (lowercase hex, no leading zero). */
const MESSAGE_SIZE = 'Integer 0xe08';

/** The attachments' JSON entries, honouring `$select` (id always comes). */
export function attachmentsJson(message: StoredMessage, select: string | null): Record<string, unknown>[] {
  const picked = select ? select.split(',').map((name) => canonical(name.trim())) : ATTACHMENT_PROPERTIES;
  return message.content.attachments.map((attachment, index) => {
    const entry: Record<string, unknown> = {
      id: `${message.immutableId}.att${index}`,
      lastModifiedDateTime: graphDate(message.modifiedAt),
      name: attachment.filename,
      contentType: attachment.contentType,
      size: attachment.size,
      isInline: attachment.contentId !== undefined,
      contentId: attachment.contentId ?? null,
    };
    const json: Record<string, unknown> = { '@odata.type': '#microsoft.graph.fileAttachment' };
    for (const name of ['id', ...picked]) json[name] = entry[name];
    return json;
  });
}

function canonical(name: string): string {
  const found = ATTACHMENT_PROPERTIES.find((property) => property.toLowerCase() === name.toLowerCase());
  if (!found) {
    throw new GraphFailure(
      400,
      'RequestBroker--ParseUri',
      `Could not find a property named '${name}' on type 'microsoft.graph.attachment'.`,
    );
  }
  return found;
}

/**
 * The `singleValueExtendedProperties` an `$expand` asks for: the message size when its filter names
 * PidTagMessageSize, none for another property; any other expansion is refused, as the sandbox has none.
 */
export function expandedProperties(
  message: StoredMessage,
  expand: string | null,
): Record<string, unknown> | undefined {
  if (expand === null || expand.trim() === '') return undefined;
  const match = /^singleValueExtendedProperties\(\$filter=id eq '([^']+)'\)$/i.exec(expand.trim());
  if (!match) {
    throw new GraphFailure(
      400,
      'BadRequest',
      `Parsing OData Select and Expand failed: '${expand}' is not supported here.`,
    );
  }
  const wanted = (match[1] ?? '').replace(/\s+/g, ' ').toLowerCase().replace(/0x0*/, '0x');
  const value =
    wanted === MESSAGE_SIZE.toLowerCase() ? [{ id: MESSAGE_SIZE, value: String(message.raw.length) }] : [];
  return { singleValueExtendedProperties: value };
}
