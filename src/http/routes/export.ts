/**
 * R16 export (a data-subject access request): a member, or the operator for them, downloads everything
 * held about them from synced mail as one JSON document, streamed (`services/export.ts`).
 *
 * `GET`, not `POST`: the request reads and changes nothing the caller could ask to change (the export's
 * record and audit events are the platform's log of the read), so it is safe to repeat and a browser can
 * save it from a plain link. The answer is `no-store`, and named as an attachment.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../services/context.ts';
import { exportMember, type MemberExport, SUPPRESSION_MEANING } from '../../services/export.ts';
import { memberOf } from '../auth.ts';
import { GRACE_TEXT } from '../examples/mail.ts';
import {
  CONVERSATION_ID,
  CONVERSATION_SUBJECT,
  EXPORT_ID,
  GRACE,
  GRACE_ADDRESS,
  GRACE_MESSAGE_ID,
  INMAIL_FIRST_ID,
  INMAIL_REPLY_ID,
  ORG,
  REX,
  REX_ADDRESS,
  REX_REPLY_ID,
  THREAD_SUBJECT,
  withExamples,
} from '../examples/world.ts';
import { errors, Timestamp, Uuid } from '../schemas.ts';

const Address = Type.Object({ address: Type.String(), name: Type.Optional(Type.String()) });
const Organization = Type.Object({ id: Uuid, name: Type.String() });

/** The document's shape, for the OpenAPI document; the stream is written by hand in this shape. */
const ExportDocument = withExamples(
  Type.Object({
    exportId: Uuid,
    generatedAt: Timestamp,
    member: Type.Object({
      id: Uuid,
      name: Type.String(),
      headline: Type.String(),
      emails: Type.Array(Type.String()),
      discoverability: Type.String(),
    }),
    erasures: Type.Array(
      Type.Object({
        id: Uuid,
        at: Timestamp,
        requestedBy: Type.Enum(['member', 'operator']),
        organizationIds: Type.Array(Uuid),
        messages: Type.Integer(),
        threads: Type.Integer(),
      }),
    ),
    suppressions: Type.Object({
      addresses: Type.Integer({
        description: 'How many of your addresses are suppressed (kept as keyed hashes).',
      }),
      since: Type.Union([Timestamp, Type.Null()]),
      lastAt: Type.Union([Timestamp, Type.Null()]),
      meaning: Type.String(),
    }),
    messages: Type.Array(
      Type.Object({
        id: Uuid,
        organization: Organization,
        owner: Type.Object({ name: Type.String() }),
        visibility: Type.String(),
        direction: Type.Enum(['sent', 'received']),
        from: Type.Union([Address, Type.Null()]),
        to: Type.Array(Address),
        cc: Type.Array(Address),
        bcc: Type.Array(Address),
        subject: Type.String(),
        sentAt: Type.Union([Timestamp, Type.Null()]),
        receivedAt: Timestamp,
        bodyText: Type.String(),
        bodyHtml: Type.Union([Type.String(), Type.Null()]),
        truncated: Type.Boolean(),
        attachments: Type.Array(
          Type.Object({
            filename: Type.Union([Type.String(), Type.Null()]),
            contentType: Type.String(),
            size: Type.Integer(),
          }),
        ),
      }),
      { description: 'Every synced message involving any of your addresses, whatever its visibility.' },
    ),
    inmail: Type.Array(
      Type.Object({
        id: Uuid,
        organization: Organization,
        conversation: Type.Object({ id: Uuid, subject: Type.String() }),
        sender: Type.Enum(['user', 'member']),
        senderName: Type.Union([Type.String(), Type.Null()]),
        body: Type.String(),
        at: Timestamp,
      }),
    ),
    summary: Type.Object({
      messages: Type.Integer(),
      inmailMessages: Type.Integer(),
      organizations: Type.Integer(),
    }),
  }),
  {
    exportId: EXPORT_ID,
    generatedAt: '2026-03-10T18:30:00.000Z',
    member: {
      id: GRACE.id,
      name: GRACE.name,
      headline: GRACE.headline,
      emails: GRACE.emails,
      discoverability: GRACE.discoverability,
    },
    erasures: [],
    suppressions: { addresses: 0, since: null, lastAt: null, meaning: SUPPRESSION_MEANING },
    messages: [
      {
        id: GRACE_MESSAGE_ID,
        organization: { id: ORG.id, name: ORG.name },
        owner: { name: REX.name },
        visibility: 'organization',
        direction: 'received',
        from: GRACE_ADDRESS,
        to: [REX_ADDRESS],
        cc: [],
        bcc: [],
        subject: THREAD_SUBJECT,
        sentAt: '2026-03-03T08:12:38.000Z',
        receivedAt: '2026-03-03T08:12:41.000Z',
        bodyText: GRACE_TEXT,
        bodyHtml: null,
        truncated: false,
        attachments: [{ filename: 'Grace-Candidate-CV.pdf', contentType: 'application/pdf', size: 184_320 }],
      },
      {
        id: REX_REPLY_ID,
        organization: { id: ORG.id, name: ORG.name },
        owner: { name: REX.name },
        visibility: 'organization',
        direction: 'sent',
        from: REX_ADDRESS,
        to: [GRACE_ADDRESS],
        cc: [],
        bcc: [],
        subject: `Re: ${THREAD_SUBJECT}`,
        sentAt: '2026-03-03T10:05:07.000Z',
        receivedAt: '2026-03-03T10:05:09.000Z',
        bodyText:
          'Thanks Grace, your background fits well. I will write to you on InMail to find a time to talk.',
        bodyHtml: null,
        truncated: false,
        attachments: [],
      },
    ],
    inmail: [
      {
        id: INMAIL_FIRST_ID,
        organization: { id: ORG.id, name: ORG.name },
        conversation: { id: CONVERSATION_ID, subject: CONVERSATION_SUBJECT },
        sender: 'user',
        senderName: REX.name,
        body: 'Hi Grace, thanks for your note about the Staff engineer role. Could we find 30 minutes for a first call?',
        at: '2026-03-04T14:00:00.000Z',
      },
      {
        id: INMAIL_REPLY_ID,
        organization: { id: ORG.id, name: ORG.name },
        conversation: { id: CONVERSATION_ID, subject: CONVERSATION_SUBJECT },
        sender: 'member',
        senderName: GRACE.name,
        body: 'Happy to! Any morning next week works for me.',
        at: '2026-03-04T16:20:00.000Z',
      },
    ],
    summary: { messages: 2, inmailMessages: 2, organizations: 1 },
  },
);

const memberExport = {
  tags: ['erasure'],
  description:
    'Everything held about the member from synced mail, in every organization and whatever its visibility (the messages an erasure would erase), their InMail, and the erasures and suppressions on record, as one JSON document streamed in batches. Recorded and audited without content.',
  response: {
    200: { ...ExportDocument, description: 'The document (streamed).' },
    ...errors(400, 401, 403, 404),
  },
};

function download(reply: FastifyReply, started: MemberExport) {
  return reply
    .type('application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-disposition', `attachment; filename="talentsync-export-${started.exportId}.json"`)
    .send(Readable.from(started.chunks, { objectMode: false }));
}

export const exportRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  app.get(
    '/api/me/export',
    {
      config: { allow: ['member'] },
      schema: { ...memberExport, summary: 'Download everything held about you from synced mail (R16)' },
    },
    async (request, reply) =>
      download(reply, await exportMember(context, 'member', memberOf(request).memberId)),
  );

  app.get(
    '/api/members/:id/export',
    {
      config: { allow: ['operator'] },
      schema: {
        ...memberExport,
        summary: 'Download everything held about a member from synced mail, on their behalf (operator; R16)',
        params: Type.Object({ id: Uuid }),
      },
    },
    async (request, reply) => download(reply, await exportMember(context, 'operator', request.params.id)),
  );
};
