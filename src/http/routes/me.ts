/** The caller: who they are, their own profile, and their access tokens. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listAccessTokens, revokeAccessToken, type TokenOwner } from '../../db/access-tokens.ts';
import type { Database } from '../../db/database.ts';
import { findOrganization } from '../../db/organizations.ts';
import { findUser, updateUser } from '../../db/users.ts';
import { requireDisplayName } from '../../domain/display-name.ts';
import { AppError, notFound } from '../../domain/errors.ts';
import type { Principal } from '../../domain/principal.ts';
import { createAccessToken } from '../../services/accounts.ts';
import { getMember, updateOwnProfile } from '../../services/directory.ts';
import { memberOf, userOf } from '../auth.ts';
import { EXAMPLE_TOKEN, GRACE, ORG, REX, withExamples } from '../examples/world.ts';
import { rateLimit } from '../rate-limits.ts';
import { Discoverability, errors, MemberRecord, OrganizationView, Timestamp, UserView } from '../schemas.ts';

const Me = withExamples(
  Type.Union([
    Type.Object({ kind: Type.Literal('user'), user: UserView, organization: OrganizationView }),
    Type.Object({ kind: Type.Literal('member'), member: MemberRecord }),
    Type.Object({ kind: Type.Literal('operator') }),
  ]),
  { kind: 'user', user: REX, organization: ORG },
  { kind: 'member', member: GRACE },
);

const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});

const Tokens = withExamples(Type.Object({ tokens: Type.Array(TokenView) }), {
  tokens: [
    {
      id: '4299d82f22a0c75d',
      name: 'demo start',
      createdAt: REX.createdAt,
      lastUsedAt: '2026-03-05T08:59:12.000Z',
      revokedAt: null,
    },
    {
      id: '0f6b1e9a7c3d2458',
      name: 'laptop script',
      createdAt: '2026-03-03T11:00:00.000Z',
      lastUsedAt: null,
      revokedAt: '2026-03-04T17:30:00.000Z',
    },
  ],
});

const TokenName = withExamples(
  Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
  { name: 'reporting script' },
);
const NewToken = withExamples(Type.Object({ token: Type.String() }), { token: EXAMPLE_TOKEN });

const anyone = ['user', 'member', 'operator'] as const;

export const meRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/api/me',
    {
      config: { allow: [...anyone] },
      schema: { tags: ['me'], summary: 'Who the token belongs to', response: { 200: Me, ...errors(401) } },
    },
    async (request) => describeMe(db, request.principal as Principal),
  );

  app.patch(
    '/api/me',
    {
      config: { allow: ['user', 'member'] },
      schema: {
        tags: ['me'],
        summary: 'Change your own name; members also their headline and email discoverability',
        body: withExamples(
          Type.Object(
            {
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              headline: Type.Optional(Type.String({ maxLength: 500 })),
              discoverability: Type.Optional(Discoverability),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          { name: REX.name },
          { headline: 'Staff engineer, open to platform roles', discoverability: 'connections' },
        ),
        response: { 200: Me, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const principal = request.principal as Principal;
      if (principal.kind === 'member') {
        await updateOwnProfile(db, memberOf(request).memberId, request.body);
      } else {
        const user = userOf(request);
        const { name, ...rest } = request.body;
        const memberOnly = Object.keys(rest);
        if (memberOnly.length > 0) {
          throw new AppError(
            'validation_failed',
            'a recruiter can change only their name here',
            memberOnly.map((field) => ({ field, message: 'only members have this setting' })),
          );
        }
        await updateUser(db, user.orgId, user.userId, {
          name: name === undefined ? undefined : requireDisplayName(name),
        });
      }
      return describeMe(db, principal);
    },
  );

  app.get(
    '/api/me/tokens',
    {
      config: { allow: [...anyone] },
      schema: {
        tags: ['me'],
        summary: 'Your access tokens (never their secrets)',
        response: { 200: Tokens, ...errors(401) },
      },
    },
    async (request) => ({ tokens: await listAccessTokens(db, ownerOf(request.principal as Principal)) }),
  );

  app.post(
    '/api/me/tokens',
    {
      config: { allow: [...anyone], rateLimit: rateLimit('tokenMints') },
      schema: {
        tags: ['me'],
        summary: 'Create another access token for yourself; its text is shown only in this response',
        body: TokenName,
        response: { 201: NewToken, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const token = await createAccessToken(db, ownerOf(request.principal as Principal), request.body.name);
      return reply.status(201).send({ token });
    },
  );

  app.delete(
    '/api/me/tokens/:id',
    {
      config: { allow: [...anyone] },
      schema: {
        tags: ['me'],
        summary: 'Revoke one of your access tokens (it stops working at once)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null({ description: 'Revoked.' }), ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const revoked = await revokeAccessToken(db, ownerOf(request.principal as Principal), request.params.id);
      if (!revoked) throw notFound('token');
      return reply.status(204).send(null);
    },
  );
};

function ownerOf(principal: Principal): TokenOwner {
  if (principal.kind === 'user') return { kind: 'user', orgId: principal.orgId, userId: principal.userId };
  if (principal.kind === 'member') return { kind: 'member', memberId: principal.memberId };
  return { kind: 'operator' };
}

async function describeMe(db: Database, principal: Principal) {
  if (principal.kind === 'operator') return { kind: 'operator' as const };
  if (principal.kind === 'member')
    return { kind: 'member' as const, member: await getMember(db, principal.memberId) };
  const [user, organization] = await Promise.all([
    findUser(db, principal.orgId, principal.userId),
    findOrganization(db, principal.orgId),
  ]);
  if (!user || !organization) throw notFound('user');
  return { kind: 'user' as const, user, organization };
}
