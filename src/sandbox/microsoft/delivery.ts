/**
 * Turns a control API message body (structured, or `raw` RFC 5322 bytes) into a stored message. Raw bytes
 * are kept exactly as given; structured ones are composed into real MIME once. Either way the Graph
 * properties are read back out of the bytes with the same parser, so `$value` and the JSON always agree.
 * Threading follows Exchange: a message whose In-Reply-To or References names a message in the mailbox
 * joins its conversation (same conversationId, conversationIndex extended by five bytes).
 */
import { type AttachmentSpec, buildRaw, type ControlMessageBody, newMessageId, readRaw } from '../mime.ts';
import type { Ids } from './ids.ts';
import type { Mailbox, NewMessage, StoredMessage } from './mailbox.ts';

export type MessageBody = ControlMessageBody;

export type DeliveryKind = 'deliver' | 'send' | 'spam' | 'draft';

export class DeliveryError extends Error {}

/** Composes (or reads) the message and works out its conversation; nothing is stored yet. */
export async function compose(
  mailbox: Mailbox,
  body: MessageBody,
  kind: DeliveryKind,
  now: number,
  ids: Ids,
): Promise<NewMessage> {
  const date = body.date === undefined ? new Date(now) : new Date(body.date);
  if (Number.isNaN(date.getTime())) throw new DeliveryError(`date is not a date: ${body.date}`);
  let raw: Buffer;
  let parent: StoredMessage | undefined;
  if (body.raw !== undefined) {
    raw = Buffer.from(body.raw, 'base64');
    if (raw.length === 0) throw new DeliveryError('raw is empty');
  } else {
    const owner = { name: mailbox.user.name, address: mailbox.user.email };
    const incoming = kind === 'deliver' || kind === 'spam';
    if (incoming && !body.from?.address) throw new DeliveryError('from.address is required');
    const from = incoming && body.from ? body.from : owner;
    if (body.inReplyTo !== undefined) {
      parent = mailbox.message(body.inReplyTo);
      if (!parent) throw new DeliveryError(`inReplyTo names no message in this mailbox: ${body.inReplyTo}`);
    }
    const attachments: AttachmentSpec[] = (body.attachments ?? []).map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: Buffer.from(attachment.contentBase64, 'base64'),
    }));
    raw = await buildRaw(
      {
        from,
        to: body.to ?? (incoming ? [owner] : []),
        cc: body.cc ?? [],
        bcc: body.bcc ?? [],
        subject: body.subject ?? '',
        text: body.text,
        html: body.html,
        attachments,
        date,
        messageId: newMessageId(from.address.slice(from.address.indexOf('@') + 1) || 'sandbox.invalid'),
        inReplyTo: parent?.content.messageId || undefined,
        references: parent ? [...parent.content.references, parent.content.messageId].filter(Boolean) : [],
      },
      { keepBcc: !incoming },
    );
  }
  const content = await readRaw(raw);
  parent ??= [content.inReplyTo, ...content.references.toReversed()]
    .filter((id): id is string => Boolean(id))
    .map((id) => mailbox.conversationOf(id))
    .find(Boolean);
  const stamp = Buffer.alloc(5);
  stamp.writeUIntBE(Math.floor(now / 1000) % 2 ** 40, 0, 5);
  const conversationIndex = parent
    ? Buffer.concat([Buffer.from(parent.conversationIndex, 'base64'), stamp]).toString('base64')
    : Buffer.concat([Buffer.from([1]), stamp, Buffer.from(ids.guid().replace(/-/g, ''), 'hex')]).toString(
        'base64',
      );
  return {
    raw,
    content,
    receivedAt: body.raw !== undefined && body.date === undefined ? now : date.getTime(),
    sentAt: content.date.getTime() || date.getTime(),
    createdAt: now,
    isRead: kind === 'send' || kind === 'draft',
    isDraft: kind === 'draft',
    conversationId: parent?.conversationId ?? conversationId(ids),
    conversationIndex,
  };
}

/** Exchange conversation ids look like item ids. */
function conversationId(ids: Ids): string {
  return `AAQk${ids.regularMessageId().slice(5, 70)}=`;
}
