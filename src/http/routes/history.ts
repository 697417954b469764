/** R17: a member's communication history, InMail and synced email in one timeline. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { VISIBILITIES } from '../../domain/visibility.ts';
import type { AppContext } from '../../services/context.ts';
import { memberHistory } from '../../services/history.ts';
import { userOf } from '../auth.ts';
import { decodeCursor, EXACT_TIME, encodeCursor, UUID } from '../cursor.ts';
import {
  CONVERSATION_ID,
  CONVERSATION_SUBJECT,
  EXAMPLE_CURSOR,
  GRACE,
  GRACE_ADDRESS,
  REX,
  REX_ADDRESS,
  THREAD_ID,
  THREAD_SUBJECT,
  withExamples,
} from '../examples/world.ts';
import { errors, NextCursor, Timestamp, Uuid } from '../schemas.ts';

const HistoryEntryView = Type.Object({
  kind: Type.Enum(['inmail', 'email']),
  id: Type.String({
    format: 'uuid',
    description:
      'The InMail conversation (`/api/inmail/conversations/{id}`) or the thread (`/api/threads/{id}`).',
  }),
  at: Type.Unsafe<Date>({
    ...Timestamp,
    description: 'The latest message: the entry’s place in the history.',
  }),
  direction: Type.Enum(['sent', 'received'], {
    description: "The latest message's, from the recruiter's side.",
  }),
  owner: Type.Object({ id: Uuid, name: Type.String() }),
  visibility: Type.Enum([...VISIBILITIES], {
    description: 'R15 for a thread; InMail is read by the whole organization.',
  }),
  access: Type.Enum(['full', 'metadata']),
  participants: Type.Array(
    Type.Object({ name: Type.Optional(Type.String()), address: Type.Optional(Type.String()) }),
    { description: "A thread's addresses; for InMail the recruiter and the member (by name only)." },
  ),
  messageCount: Type.Integer(),
  subject: Type.Optional(Type.String({ description: 'Absent when `access` is `metadata`.' })),
  snippet: Type.Optional(
    Type.String({ description: "The latest message's; absent when `access` is `metadata`." }),
  ),
});

export const historyRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  app.get(
    '/api/members/:id/history',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['members'],
        summary:
          "A member's history as you may see it (R17): InMail and synced email, one entry per thread, newest first",
        description:
          'Synced threads follow R15 (a `metadata` thread shows no subject or snippet). A member whom not anyone may find answers 404 like an unknown one. The cursor holds its place while new mail arrives: an entry that gains a message moves to the top, where a new first page shows it.',
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: withExamples(Type.Object({ entries: Type.Array(HistoryEntryView), nextCursor: NextCursor }), {
            entries: [
              {
                kind: 'inmail',
                id: CONVERSATION_ID,
                at: '2026-03-04T16:20:00.000Z',
                direction: 'received',
                owner: { id: REX.id, name: REX.name },
                visibility: 'organization',
                access: 'full',
                participants: [{ name: REX.name }, { name: GRACE.name }],
                messageCount: 2,
                subject: CONVERSATION_SUBJECT,
                snippet: 'Happy to! Any morning next week works for me.',
              },
              {
                kind: 'email',
                id: THREAD_ID,
                at: '2026-03-03T10:05:09.000Z',
                direction: 'sent',
                owner: { id: REX.id, name: REX.name },
                visibility: 'organization',
                access: 'full',
                participants: [GRACE_ADDRESS, REX_ADDRESS],
                messageCount: 2,
                subject: `Re: ${THREAD_SUBJECT}`,
                snippet:
                  'Thanks Grace, your background fits well. I will write to you on InMail to find a time to talk.',
              },
            ],
            nextCursor: EXAMPLE_CURSOR,
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = request.query.cursor
        ? decodeCursor(request, request.query.cursor, { at: EXACT_TIME, id: UUID })
        : undefined;
      const entries = await memberHistory(context, userOf(request), request.params.id, {
        limit: limit + 1,
        after,
      });
      const page = entries.slice(0, limit);
      const last = page.at(-1);
      return {
        entries: page.map(({ position: _, subject, snippet, ...entry }) => ({
          ...entry,
          ...(subject === null ? {} : { subject }),
          ...(snippet === null ? {} : { snippet }),
        })),
        nextCursor: entries.length > limit && last ? encodeCursor(request, { ...last.position }) : null,
      };
    },
  );
};
