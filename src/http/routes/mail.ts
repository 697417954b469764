/** Synced mail as its owner (and, for shared threads, the organization) reads it; and R19's lookup. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../services/context.ts';
import { getThread, listThreads, whyNotSynced } from '../../services/mail.ts';
import { userOf } from '../auth.ts';
import { decodeCursor, encodeCursor, UUID } from '../cursor.ts';
import { rateLimit } from '../rate-limits.ts';
import { errors, NextCursor, Page, Timestamp, Uuid } from '../schemas.ts';

const Address = Type.Object({ address: Type.String(), name: Type.Optional(Type.String()) });
const MemberRef = Type.Object({ id: Uuid, name: Type.String() });

const ThreadView = Type.Object({
  id: Uuid,
  ownerUserId: Uuid,
  visibility: Type.Enum(['private', 'organization']),
  subject: Type.String(),
  lastMessageAt: Type.Union([Timestamp, Type.Null()]),
  messageCount: Type.Integer(),
  members: Type.Array(MemberRef, { description: 'The candidates the thread is linked to (R10).' }),
});

const MessageView = Type.Object({
  id: Uuid,
  providerMessageId: Type.String(),
  rfcMessageId: Type.Union([Type.String(), Type.Null()]),
  direction: Type.Enum(['sent', 'received']),
  from: Type.Union([Address, Type.Null()]),
  to: Type.Array(Address),
  cc: Type.Array(Address),
  bcc: Type.Array(Address),
  subject: Type.String(),
  sentAt: Type.Union([Timestamp, Type.Null()]),
  receivedAt: Timestamp,
  snippet: Type.String(),
  bodyText: Type.String(),
  bodyHtml: Type.Union([Type.String(), Type.Null()], {
    description: 'Sanitized; render it in a sandboxed frame.',
  }),
  attachments: Type.Array(
    Type.Object({
      filename: Type.Union([Type.String(), Type.Null()]),
      contentType: Type.String(),
      size: Type.Integer(),
      disposition: Type.String(),
    }),
    { description: 'Names, types and sizes only: contents are never kept.' },
  ),
  memberIds: Type.Array(Uuid),
});

export const mailRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  app.get(
    '/api/threads',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['mail'],
        summary: 'Synced threads you may see (your own, and ones shared with the organization), newest first',
        querystring: Type.Object({ ...Page, cursor: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: {
          200: Type.Object({ threads: Type.Array(ThreadView), nextCursor: NextCursor }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const user = userOf(request);
      const limit = request.query.limit ?? 50;
      const after = request.query.cursor
        ? decodeCursor(request, request.query.cursor, { id: UUID }).id
        : undefined;
      const threads = await listThreads(context, user, { limit: limit + 1, after });
      const page = threads.slice(0, limit);
      const last = page.at(-1);
      return {
        threads: page,
        nextCursor: threads.length > limit && last ? encodeCursor(request, { id: last.id }) : null,
      };
    },
  );

  app.get(
    '/api/threads/:id',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['mail'],
        summary: 'One thread with its messages, oldest first',
        params: Type.Object({ id: Uuid }),
        response: {
          200: Type.Object({ thread: ThreadView, messages: Type.Array(MessageView) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => getThread(context, userOf(request), request.params.id),
  );

  app.get(
    '/api/sync/why',
    {
      config: { allow: ['user'], rateLimit: rateLimit('whyLookups') },
      schema: {
        tags: ['mail'],
        summary: 'Why one of your messages did or did not sync (R19), by provider id or RFC Message-ID',
        querystring: Type.Object(
          {
            providerMessageId: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
            messageId: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
          },
          { minProperties: 1 },
        ),
        response: {
          200: Type.Object({
            status: Type.Enum(['synced', 'skipped', 'unknown']),
            explanation: Type.String(),
            rule: Type.Optional(Type.String()),
            decidedAt: Type.Optional(Timestamp),
            threadId: Type.Optional(Uuid),
            messageId: Type.Optional(Uuid),
          }),
          ...errors(400, 401, 403, 429),
        },
      },
    },
    async (request) => whyNotSynced(context, userOf(request), request.query),
  );
};
