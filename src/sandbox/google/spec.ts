/**
 * Control-API message bodies (docs/sandbox.md, "Message body for deliver / send / spam / draft") turned
 * into raw RFC 5322 bytes: described messages are composed by nodemailer's MailComposer; a `raw` message is
 * stored exactly as given, for hostile-mail tests.
 */
import { type Address, buildRaw, type ControlMessageBody, type MessageSpec, newMessageId } from '../mime.ts';
import type { Mailbox } from './mailbox.ts';

export type MessageBody = ControlMessageBody;

const address = {
  type: 'object',
  required: ['address'],
  properties: { name: { type: 'string' }, address: { type: 'string', minLength: 3 } },
} as const;

/** JSON schema of a message body. */
export const messageBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: address,
    to: { type: 'array', items: address },
    cc: { type: 'array', items: address },
    bcc: { type: 'array', items: address },
    subject: { type: 'string' },
    text: { type: 'string' },
    html: { type: 'string' },
    attachments: {
      type: 'array',
      items: {
        type: 'object',
        required: ['filename', 'contentType', 'contentBase64'],
        properties: {
          filename: { type: 'string' },
          contentType: { type: 'string' },
          contentBase64: { type: 'string' },
          contentId: { type: 'string' },
        },
      },
    },
    date: { type: 'string' },
    inReplyTo: { type: 'string' },
    raw: { type: 'string', minLength: 1 },
  },
} as const;

/** JSON schema of `deliver-many`'s list: 1 to 1,000 message bodies. */
export const manySchema = { type: 'array', minItems: 1, maxItems: 1000, items: messageBodySchema } as const;

/** An error in a control-API request, answered as `{ "error": message }` with its status. */
export class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The raw bytes and internal date of a message body, as `owner` would receive (or send) it. */
export async function composeRaw(
  body: MessageBody,
  mailbox: Mailbox,
  options: { sender: Address | undefined; keepBcc: boolean; now: number },
): Promise<{ raw: Buffer; internalDate: number }> {
  if (body.raw !== undefined) {
    const raw = Buffer.from(body.raw, 'base64');
    if (raw.length === 0) throw new ControlError(400, 'raw is not base64 of a message');
    const dateHeader = /^date:[ \t]*(.+)$/im.exec(raw.subarray(0, 64 * 1024).toString('latin1'))?.[1];
    const parsed = dateHeader ? Date.parse(dateHeader) : Number.NaN;
    return { raw, internalDate: Number.isNaN(parsed) ? options.now : parsed };
  }
  const from = options.sender ?? body.from;
  if (!from) throw new ControlError(400, 'from is required');
  const date = body.date === undefined ? new Date(options.now) : new Date(body.date);
  if (Number.isNaN(date.getTime())) throw new ControlError(400, `date is not a date: ${body.date}`);
  let subject = body.subject ?? '';
  let inReplyTo: string | undefined;
  let references: string[] = [];
  if (body.inReplyTo !== undefined) {
    const parent = mailbox.messages.get(body.inReplyTo);
    if (!parent) throw new ControlError(404, `no message ${body.inReplyTo} in ${mailbox.email}`);
    inReplyTo = parent.messageId;
    references = [...parent.references.filter((id) => id !== parent.messageId), parent.messageId];
    if (body.subject === undefined)
      subject = /^re:/i.test(parent.subject) ? parent.subject : `Re: ${parent.subject}`;
  }
  const spec: MessageSpec = {
    from,
    to: body.to && body.to.length > 0 ? body.to : [{ address: mailbox.email }],
    cc: body.cc ?? [],
    bcc: body.bcc ?? [],
    subject,
    text: body.text,
    html: body.html,
    attachments: (body.attachments ?? []).map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: Buffer.from(attachment.contentBase64, 'base64'),
      contentId: attachment.contentId,
    })),
    date,
    messageId: newMessageId(from.address.split('@')[1] ?? 'sandbox.example'),
    inReplyTo,
    references,
  };
  return { raw: await buildRaw(spec, { keepBcc: options.keepBcc }), internalDate: date.getTime() };
}
