/** The operator's audit of member-level events (R16): members' erasures and exports, across organizations. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listMemberEvents, MEMBER_EVENT_KINDS } from '../../db/member-audit.ts';
import type { AppContext } from '../../services/context.ts';
import { decodeCursor, EXACT_TIME, encodeCursor, UUID } from '../cursor.ts';
import { ERASURE_ID, EXPORT_ID, GRACE, ORG, withExamples } from '../examples/world.ts';
import { errors, NextCursor, Timestamp, Uuid } from '../schemas.ts';

const MemberEventView = Type.Object({
  kind: Type.Enum([...MEMBER_EVENT_KINDS]),
  id: Uuid,
  at: Timestamp,
  requestedBy: Type.Enum(['member', 'operator']),
  memberId: Uuid,
  organizationIds: Type.Array(Uuid, { description: 'Organizations whose mail was erased or exported.' }),
  messages: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Synced messages erased or exported; null for an export whose download broke off.',
  }),
  threads: Type.Union([Type.Integer(), Type.Null()], { description: 'Threads erased; null for exports.' }),
  inmailMessages: Type.Union([Type.Integer(), Type.Null()], {
    description: 'InMail messages exported; null for erasures.',
  }),
  finishedAt: Type.Union([Timestamp, Type.Null()], {
    description: 'When an export’s last byte was written (null: it broke off); an erasure’s time.',
  }),
});

export const operatorRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (
  app,
  { context },
) => {
  app.get(
    '/api/operator/audit',
    {
      config: { allow: ['operator'] },
      schema: {
        tags: ['erasure'],
        summary: 'Members’ erasures and exports, newest first (operator): who asked, when, how much, where',
        description:
          'Keyset-paginated: pass `nextCursor` as `cursor` with the same filters. Never any content or address.',
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
            cursor: Type.Optional(Type.String({ maxLength: 500 })),
            kind: Type.Optional(Type.Array(Type.Enum([...MEMBER_EVENT_KINDS]), { maxItems: 2 })),
            memberId: Type.Optional(Uuid),
            from: Type.Optional(Type.String({ format: 'date-time', description: 'Events at or after.' })),
            to: Type.Optional(Type.String({ format: 'date-time', description: 'Events before.' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: withExamples(Type.Object({ events: Type.Array(MemberEventView), nextCursor: NextCursor }), {
            events: [
              {
                kind: 'erasure',
                id: ERASURE_ID,
                at: '2026-03-20T08:00:00.000Z',
                requestedBy: 'member',
                memberId: GRACE.id,
                organizationIds: [ORG.id],
                messages: 2,
                threads: 1,
                inmailMessages: null,
                finishedAt: '2026-03-20T08:00:00.000Z',
              },
              {
                kind: 'export',
                id: EXPORT_ID,
                at: '2026-03-10T18:30:00.000Z',
                requestedBy: 'member',
                memberId: GRACE.id,
                organizationIds: [ORG.id],
                messages: 2,
                threads: null,
                inmailMessages: 2,
                finishedAt: '2026-03-10T18:30:01.000Z',
              },
            ],
            nextCursor: null,
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { limit = 100, cursor, kind, memberId, from, to } = request.query;
      const after = cursor ? decodeCursor(request, cursor, { at: EXACT_TIME, id: UUID }) : undefined;
      const events = await listMemberEvents(context.db, {
        limit: limit + 1,
        after,
        kinds: kind,
        memberId,
        from: from === undefined ? undefined : new Date(from),
        to: to === undefined ? undefined : new Date(to),
      });
      const page = events.slice(0, limit);
      const last = page.at(-1);
      return {
        events: page.map(({ position: _, ...event }) => event),
        nextCursor: events.length > limit && last ? encodeCursor(request, { ...last.position }) : null,
      };
    },
  );
};
