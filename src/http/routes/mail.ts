/** Synced mail as its owner (and, for shared threads, the organization) reads it; sharing a thread (R15); R19's lookup. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { VISIBILITIES } from '../../domain/visibility.ts';
import type { AppContext } from '../../services/context.ts';
import { getMessage, getThread, listThreads, whyNotSynced } from '../../services/mail.ts';
import { setThreadVisibility } from '../../services/thread-visibility.ts';
import { userOf } from '../auth.ts';
import { decodeCursor, encodeCursor, UUID } from '../cursor.ts';
import { CLEO_THREAD, GRACE_MESSAGE, GRACE_MESSAGE_WITH_BODY, REX_REPLY, THREAD } from '../examples/mail.ts';
import { EXAMPLE_CURSOR, GRACE_MESSAGE_ID, THREAD_ID, withExamples } from '../examples/world.ts';
import { rateLimit } from '../rate-limits.ts';
import { errors, NextCursor, Page, Timestamp, Uuid } from '../schemas.ts';

const Address = Type.Object({ address: Type.String(), name: Type.Optional(Type.String()) });
const MemberRef = Type.Object({ id: Uuid, name: Type.String() });

const VisibilityLevel = Type.Enum([...VISIBILITIES], {
  description:
    'R15: `private` (the owner only), `metadata` (colleagues see that the thread exists: participants, dates, message count, owner; never subject, snippet, bodies or attachments), `organization` (everyone in the organization, in full).',
});
const AccessLevel = Type.Enum(['full', 'metadata'], {
  description: "What you see of it: everything, or (a colleague's `metadata` thread) its existence only.",
});

const ThreadView = Type.Object({
  id: Uuid,
  ownerUserId: Uuid,
  visibility: VisibilityLevel,
  access: AccessLevel,
  subject: Type.Optional(Type.String({ description: 'Absent when `access` is `metadata`.' })),
  firstMessageAt: Type.Union([Timestamp, Type.Null()]),
  lastMessageAt: Type.Union([Timestamp, Type.Null()]),
  messageCount: Type.Integer(),
  participants: Type.Array(Address, {
    description: 'Every address on its messages, once (Bcc only when `access` is `full`).',
  }),
  members: Type.Array(MemberRef, { description: 'The candidates the thread is linked to (R10).' }),
});

const onlyFull = (description?: string) => ({
  description: `Absent when \`access\` is \`metadata\`.${description ? ` ${description}` : ''}`,
});

const messageFields = {
  id: Uuid,
  threadId: Uuid,
  access: AccessLevel,
  providerMessageId: Type.Optional(Type.String(onlyFull())),
  rfcMessageId: Type.Optional(Type.Union([Type.String(), Type.Null()], onlyFull())),
  direction: Type.Enum(['sent', 'received']),
  from: Type.Union([Address, Type.Null()]),
  to: Type.Array(Address),
  cc: Type.Array(Address),
  bcc: Type.Array(Address, {
    description: 'Recipients the sender hid from the others: empty when `access` is `metadata`.',
  }),
  subject: Type.Optional(Type.String(onlyFull())),
  sentAt: Type.Union([Timestamp, Type.Null()]),
  receivedAt: Timestamp,
  snippet: Type.Optional(Type.String(onlyFull())),
  attachments: Type.Optional(
    Type.Array(
      Type.Object({
        filename: Type.Union([Type.String(), Type.Null()]),
        contentType: Type.String(),
        size: Type.Integer(),
        disposition: Type.String(),
      }),
      onlyFull('Names, types and sizes only: contents are never kept.'),
    ),
  ),
  truncated: Type.Optional(
    Type.Boolean(
      onlyFull(
        'True when less than the whole message was kept: a body over 1 MiB or nested too deeply was cut (it ends with a `[message truncated: …]` note), or attachments were left out.',
      ),
    ),
  ),
  memberIds: Type.Array(Uuid),
};

/** A message as a thread lists it; its body is read with `GET /api/messages/{id}`. */
const ThreadMessageView = Type.Object(messageFields);

/** A message read alone, with its body. */
const MessageView = Type.Object({
  ...messageFields,
  bodyText: Type.Optional(Type.String(onlyFull())),
  bodyHtml: Type.Optional(
    Type.Union([Type.String(), Type.Null()], onlyFull('Sanitized; render it in a sandboxed frame.')),
  ),
});

export const mailRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  app.get(
    '/api/threads',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['mail'],
        summary:
          'Synced threads you may see (your own, ones shared with the organization, and the existence of ones shared as metadata), newest first',
        querystring: Type.Object(
          { ...Page, cursor: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
        response: {
          200: withExamples(Type.Object({ threads: Type.Array(ThreadView), nextCursor: NextCursor }), {
            threads: [THREAD, CLEO_THREAD],
            nextCursor: EXAMPLE_CURSOR,
          }),
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
        summary: 'One thread with its messages, oldest first, without their bodies',
        description:
          'Each message carries its subject, snippet, participants, times and attachment list (where you see content); read a body with `GET /api/messages/{id}`, so a long thread costs its headers only.',
        params: Type.Object({ id: Uuid }),
        response: {
          200: withExamples(Type.Object({ thread: ThreadView, messages: Type.Array(ThreadMessageView) }), {
            thread: THREAD,
            messages: [GRACE_MESSAGE, REX_REPLY],
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => getThread(context, userOf(request), request.params.id),
  );

  app.get(
    '/api/messages/:id',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['mail'],
        summary:
          'One synced message with its body (text and sanitized HTML) and attachment names, types and sizes',
        description:
          "R15 as for its thread: a message of a thread you cannot see answers 404, like a missing one; a message of a colleague's `metadata` thread answers like `GET /api/threads/{id}` does, without any content (`access` is `metadata`), since the thread already shows that the message exists.",
        params: Type.Object({ id: Uuid }),
        response: {
          200: withExamples(MessageView, GRACE_MESSAGE_WITH_BODY),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => getMessage(context, userOf(request), request.params.id),
  );

  app.put(
    '/api/threads/:id/visibility',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['mail'],
        summary: 'Set who sees one of your threads (R15); audited',
        description:
          'Only the owner changes it (403 for a colleague who sees the thread, admins included); a thread you cannot see answers 404, like a missing one. Messages that arrive later follow the thread.',
        params: Type.Object({ id: Uuid }),
        body: withExamples(Type.Object({ visibility: VisibilityLevel }, { additionalProperties: false }), {
          visibility: 'organization',
        }),
        response: {
          200: withExamples(Type.Object({ id: Uuid, visibility: VisibilityLevel }), {
            id: THREAD_ID,
            visibility: 'organization',
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      setThreadVisibility(context, userOf(request), request.params.id, request.body.visibility),
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
          { minProperties: 1, additionalProperties: false },
        ),
        response: {
          200: withExamples(
            Type.Object({
              status: Type.Enum(['synced', 'skipped', 'unknown']),
              explanation: Type.String(),
              rule: Type.Optional(Type.String()),
              decidedAt: Type.Optional(Timestamp),
              threadId: Type.Optional(Uuid),
              messageId: Type.Optional(Uuid),
            }),
            {
              status: 'synced',
              threadId: THREAD_ID,
              messageId: GRACE_MESSAGE_ID,
              explanation: 'This message is synced.',
            },
            {
              status: 'skipped',
              rule: 'internal_only',
              explanation:
                'Everyone on the message is inside your organization; mail among colleagues is never synced (R11).',
              decidedAt: '2026-03-03T11:20:02.000Z',
            },
          ),
          ...errors(400, 401, 403, 429),
        },
      },
    },
    async (request) => whyNotSynced(context, userOf(request), request.query),
  );
};
