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
import { exportMember, type MemberExport } from '../../services/export.ts';
import { memberOf } from '../auth.ts';
import { errors, Timestamp, Uuid } from '../schemas.ts';

const Address = Type.Object({ address: Type.String(), name: Type.Optional(Type.String()) });
const Organization = Type.Object({ id: Uuid, name: Type.String() });

/** The document's shape, for the OpenAPI document; the stream is written by hand in this shape. */
const ExportDocument = Type.Object({
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
});

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
