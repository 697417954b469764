/**
 * InMail. Recruiters start conversations and write in their own; every user of the organization reads
 * its conversations; a member reads and answers the conversations addressed to them.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Database } from '../../db/database.ts';
import { getConversation, listConversationPage, reply, startConversation } from '../../services/inmail.ts';
import { personOf, userOf } from '../auth.ts';
import { decodeCursor, encodeCursor, UUID } from '../cursor.ts';
import {
  CONVERSATION_ID,
  CONVERSATION_SUBJECT,
  EXAMPLE_CURSOR,
  GRACE,
  INMAIL_FIRST_ID,
  INMAIL_REPLY_ID,
  ORG,
  REX,
  withExamples,
} from '../examples/world.ts';
import { errors, NextCursor, Page, Timestamp, Uuid } from '../schemas.ts';

const MessageView = Type.Object({
  id: Uuid,
  sender: Type.Enum(['user', 'member']),
  userId: Type.Union([Uuid, Type.Null()]),
  body: Type.String(),
  createdAt: Timestamp,
});

const ConversationView = Type.Object({
  id: Uuid,
  organizationName: Type.String(),
  userId: Uuid,
  userName: Type.String(),
  memberId: Uuid,
  memberName: Type.String(),
  subject: Type.String(),
  createdAt: Timestamp,
  lastMessageAt: Timestamp,
});

const FIRST_MESSAGE = {
  id: INMAIL_FIRST_ID,
  sender: 'user' as const,
  userId: REX.id,
  body: 'Hi Grace, thanks for your note about the Staff engineer role. Could we find 30 minutes for a first call?',
  createdAt: '2026-03-04T14:00:00.000Z',
};
const REPLY = {
  id: INMAIL_REPLY_ID,
  sender: 'member' as const,
  userId: null,
  body: 'Happy to! Any morning next week works for me.',
  createdAt: '2026-03-04T16:20:00.000Z',
};
const CONVERSATION = {
  id: CONVERSATION_ID,
  organizationName: ORG.name,
  userId: REX.id,
  userName: REX.name,
  memberId: GRACE.id,
  memberName: GRACE.name,
  subject: CONVERSATION_SUBJECT,
  createdAt: FIRST_MESSAGE.createdAt,
  lastMessageAt: REPLY.createdAt,
};

const ConversationWithMessages = withExamples(
  Type.Intersect([ConversationView, Type.Object({ messages: Type.Array(MessageView) })]),
  { ...CONVERSATION, messages: [FIRST_MESSAGE, REPLY] },
);
const Body = Type.String({ minLength: 1, maxLength: 20000 });

export const inmailRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.post(
    '/api/inmail/conversations',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['inmail'],
        summary: 'Start an InMail conversation with a member',
        body: withExamples(
          Type.Object(
            { memberId: Uuid, subject: Type.String({ minLength: 1, maxLength: 300 }), body: Body },
            { additionalProperties: false },
          ),
          { memberId: GRACE.id, subject: CONVERSATION_SUBJECT, body: FIRST_MESSAGE.body },
        ),
        response: {
          201: withExamples(ConversationWithMessages, {
            ...CONVERSATION,
            lastMessageAt: FIRST_MESSAGE.createdAt,
            messages: [FIRST_MESSAGE],
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, response) => {
      return response.status(201).send(await startConversation(db, userOf(request), request.body));
    },
  );

  app.get(
    '/api/inmail/conversations',
    {
      config: { allow: ['user', 'member'] },
      schema: {
        tags: ['inmail'],
        summary: "Conversations, latest activity first: your organization's, or a member's own",
        querystring: Type.Object(
          {
            ...Page,
            cursor: Type.Optional(Type.String({ maxLength: 500 })),
            memberId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: {
          200: withExamples(
            Type.Object({ conversations: Type.Array(ConversationView), nextCursor: NextCursor }),
            { conversations: [CONVERSATION], nextCursor: EXAMPLE_CURSOR },
          ),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = request.query.cursor
        ? decodeCursor(request, request.query.cursor, { id: UUID }).id
        : undefined;
      const conversations = await listConversationPage(db, personOf(request), {
        limit: limit + 1,
        after,
        memberId: request.query.memberId,
      });
      const page = conversations.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = conversations.length > limit && last ? encodeCursor(request, { id: last.id }) : null;
      return { conversations: page, nextCursor };
    },
  );

  app.get(
    '/api/inmail/conversations/:id',
    {
      config: { allow: ['user', 'member'] },
      schema: {
        tags: ['inmail'],
        summary: 'One conversation with its messages, oldest first',
        params: Type.Object({ id: Uuid }),
        response: { 200: ConversationWithMessages, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => getConversation(db, personOf(request), request.params.id),
  );

  app.post(
    '/api/inmail/conversations/:id/messages',
    {
      config: { allow: ['user', 'member'] },
      schema: {
        tags: ['inmail'],
        summary: 'Write in a conversation: the recruiter who started it, or the member',
        params: Type.Object({ id: Uuid }),
        body: withExamples(Type.Object({ body: Body }, { additionalProperties: false }), {
          body: REPLY.body,
        }),
        response: { 201: withExamples(MessageView, REPLY), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, response) => {
      return response
        .status(201)
        .send(await reply(db, personOf(request), request.params.id, request.body.body));
    },
  );
};
