/** Search over synced mail as you may see it (R15): within one member's history, or across your organization. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { SEARCH_KEY, type SearchHit } from '../../db/search.ts';
import { VISIBILITIES } from '../../domain/visibility.ts';
import type { AppContext } from '../../services/context.ts';
import { MAX_QUERY_TERMS, searchMemberHistory, searchOrganization } from '../../services/search.ts';
import { userOf } from '../auth.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { CLEO, GRACE_MESSAGE_ID, REX, THREAD_ID, THREAD_SUBJECT, withExamples } from '../examples/world.ts';
import { errors, NextCursor, Timestamp, Uuid } from '../schemas.ts';

// The exact text `db/search.ts` writes for a position, so a cursor carries no other timestamp form.
const EXACT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const SearchHitView = Type.Object({
  kind: Type.Enum(['email', 'inmail']),
  threadId: Type.String({
    format: 'uuid',
    description:
      'The thread (`/api/threads/{id}`), or for InMail the conversation (`/api/inmail/conversations/{id}`).',
  }),
  messageId: Type.Optional(
    Type.String({
      format: 'uuid',
      description:
        'The message (`/api/messages/{id}`, or one of the conversation’s); absent when `access` is `metadata`.',
    }),
  ),
  at: Type.Unsafe<Date>({ ...Timestamp, description: 'When the message was received.' }),
  direction: Type.Enum(['sent', 'received'], { description: "From the recruiter's side." }),
  owner: Type.Object({ id: Uuid, name: Type.String() }),
  visibility: Type.Enum([...VISIBILITIES]),
  access: Type.Enum(['full', 'metadata']),
  subject: Type.Optional(Type.String({ description: 'Absent when `access` is `metadata`.' })),
  snippet: Type.Optional(Type.String({ description: "The message's; absent when `access` is `metadata`." })),
});

const SearchQuery = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: 200,
      description: `Words to find, in web search syntax (\`"a phrase"\`, \`or\`, \`-word\`); at most ${MAX_QUERY_TERMS} words. Subject and body are searched where you see content; participants' names and addresses everywhere you see the thread.`,
    }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

/** Rex searches for `grace`: her message to him, and a thread of Cleo's with her that he may know exists. */
const SearchResults = withExamples(Type.Object({ hits: Type.Array(SearchHitView), nextCursor: NextCursor }), {
  hits: [
    {
      kind: 'email',
      threadId: THREAD_ID,
      messageId: GRACE_MESSAGE_ID,
      at: '2026-03-03T08:12:41.000Z',
      direction: 'received',
      owner: { id: REX.id, name: REX.name },
      visibility: 'organization',
      access: 'full',
      subject: THREAD_SUBJECT,
      snippet:
        'Hello Rex, I saw the Staff engineer opening and attach my CV. I have led platform teams for six years…',
    },
    {
      kind: 'email',
      threadId: 'b8d2f4a6-0c1e-4a3b-9f5d-7e6c8a9b0d12',
      at: '2026-03-02T11:45:00.000Z',
      direction: 'received',
      owner: { id: CLEO.id, name: CLEO.name },
      visibility: 'metadata',
      access: 'metadata',
    },
  ],
  nextCursor: null,
});

const DESCRIPTION =
  'Synced mail and InMail (which the whole organization reads), newest first, not ranked. A `metadata` thread (R15) is found by its participants only, never by its words, and its hits carry no message id, subject or snippet; another user’s `private` thread is never found. The cursor holds its place while new mail arrives.';

type Search = (after: { at: string; key: string } | undefined, limit: number) => Promise<SearchHit[]>;

/** One page of hits through `search`, with the cursor to the next. */
async function page(request: FastifyRequest, query: { limit?: number; cursor?: string }, search: Search) {
  const limit = query.limit ?? 50;
  const after = query.cursor
    ? decodeCursor(request, query.cursor, { at: EXACT_TIME, key: SEARCH_KEY })
    : undefined;
  const hits = await search(after, limit + 1);
  const shown = hits.slice(0, limit);
  const last = shown.at(-1);
  return {
    hits: shown.map(({ position: _, messageId, subject, snippet, ...hit }) => ({
      ...hit,
      ...(messageId === null ? {} : { messageId }),
      ...(subject === null ? {} : { subject }),
      ...(snippet === null ? {} : { snippet }),
    })),
    nextCursor: hits.length > limit && last ? encodeCursor(request, { ...last.position }) : null,
  };
}

export const searchRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  app.get(
    '/api/search',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['search'],
        summary: 'Search the synced mail of your organization that you may see',
        description: DESCRIPTION,
        querystring: SearchQuery,
        response: { 200: SearchResults, ...errors(400, 401, 403) },
      },
    },
    (request) =>
      page(request, request.query, (after, limit) =>
        searchOrganization(context, userOf(request), { q: request.query.q, limit, after }),
      ),
  );

  app.get(
    '/api/members/:id/history/search',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['members'],
        summary:
          "Search a member's history as you may see it: the synced mail linked to the member and their InMail",
        description: `${DESCRIPTION} A member whom not anyone may find answers 404 like an unknown one.`,
        params: Type.Object({ id: Uuid }),
        querystring: SearchQuery,
        response: { 200: SearchResults, ...errors(400, 401, 403, 404) },
      },
    },
    (request) =>
      page(request, request.query, (after, limit) =>
        searchMemberHistory(context, userOf(request), request.params.id, {
          q: request.query.q,
          limit,
          after,
        }),
      ),
  );
};
