/**
 * The member directory. The operator feeds it; recruiters read profiles and find a member by email only
 * when that member lets anyone do so (the rule sync applies, R10); members edit themselves via /api/me.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Database } from '../../db/database.ts';
import { MemberInputSchema } from '../../domain/member.ts';
import { createAccessToken } from '../../services/accounts.ts';
import { findMemberByEmail, getMember, getMemberProfile, upsertMember } from '../../services/directory.ts';
import { EXAMPLE_MEMBER_TOKEN, GRACE, withExamples } from '../examples/world.ts';
import { rateLimit } from '../rate-limits.ts';
import { errors, MemberProfile, MemberRecord, Uuid } from '../schemas.ts';

export const memberRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.put(
    '/api/members',
    {
      config: { allow: ['operator'] },
      schema: {
        tags: ['members'],
        summary: 'Create or update a member (operator): matched by externalId, else by any of the emails',
        body: withExamples(MemberInputSchema, {
          externalId: GRACE.externalId,
          name: GRACE.name,
          headline: GRACE.headline,
          emails: GRACE.emails,
          discoverability: GRACE.discoverability,
        }),
        response: { 200: MemberRecord, 201: MemberRecord, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { member, created } = await upsertMember(db, request.body);
      return reply.status(created ? 201 : 200).send(member);
    },
  );

  app.get(
    '/api/members/lookup',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['members'],
        summary: 'Find a member by email; only members whose discoverability is `anyone` are found',
        querystring: Type.Object(
          { email: Type.String({ minLength: 3, maxLength: 254 }) },
          { additionalProperties: false },
        ),
        response: { 200: MemberProfile, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => findMemberByEmail(db, request.query.email),
  );

  app.get(
    '/api/members/:id',
    {
      config: { allow: ['user', 'operator'] },
      schema: {
        tags: ['members'],
        summary:
          "A member's profile; recruiters see only members whom anyone may find, the operator everyone with addresses and settings",
        params: Type.Object({ id: Uuid }),
        response: {
          200: withExamples(Type.Union([MemberRecord, MemberProfile]), GRACE, {
            id: GRACE.id,
            name: GRACE.name,
            headline: GRACE.headline,
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      request.principal?.kind === 'operator'
        ? getMember(db, request.params.id)
        : getMemberProfile(db, request.params.id),
  );

  app.post(
    '/api/members/:id/tokens',
    {
      config: { allow: ['operator'], rateLimit: rateLimit('tokenMints') },
      schema: {
        tags: ['members'],
        summary: "Issue a member credential (operator), the platform's sign-in standing in; shown only here",
        params: Type.Object({ id: Uuid }),
        body: withExamples(
          Type.Object(
            { name: Type.String({ minLength: 1, maxLength: 100 }) },
            { additionalProperties: false },
          ),
          { name: 'member portal sign-in' },
        ),
        response: {
          201: withExamples(Type.Object({ token: Type.String() }), { token: EXAMPLE_MEMBER_TOKEN }),
          ...errors(400, 401, 403, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const member = await getMember(db, request.params.id);
      const token = await createAccessToken(db, { kind: 'member', memberId: member.id }, request.body.name);
      return reply.status(201).send({ token });
    },
  );
};
