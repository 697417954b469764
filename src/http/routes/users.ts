/** An organization's users, managed by its admins. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Database } from '../../db/database.ts';
import { countAdmins, findUser, listUsers, updateUser } from '../../db/users.ts';
import { requireDisplayName } from '../../domain/display-name.ts';
import { AppError, notFound } from '../../domain/errors.ts';
import { createUser } from '../../services/accounts.ts';
import { userOf } from '../auth.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { ADA, CLEO, EXAMPLE_CURSOR, EXAMPLE_TOKEN, REX, withExamples } from '../examples/world.ts';
import { rateLimit } from '../rate-limits.ts';
import { errors, NextCursor, Page, UserView, Uuid } from '../schemas.ts';

const Role = Type.Enum(['admin', 'member']);

export const userRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/api/users',
    {
      config: { allow: ['admin'] },
      schema: {
        tags: ['users'],
        summary: "Your organization's users, by email (admins)",
        querystring: Type.Object(
          { ...Page, cursor: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
        response: {
          200: withExamples(Type.Object({ users: Type.Array(UserView), nextCursor: NextCursor }), {
            users: [ADA, CLEO],
            nextCursor: EXAMPLE_CURSOR,
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { orgId } = userOf(request);
      const limit = request.query.limit ?? 50;
      const after = request.query.cursor
        ? decodeCursor(request, request.query.cursor, { email: /^.{1,254}$/ }).email
        : undefined;
      const users = await listUsers(db, orgId, { limit: limit + 1, after });
      const page = users.slice(0, limit);
      const last = page.at(-1);
      return {
        users: page,
        nextCursor: users.length > limit && last ? encodeCursor(request, { email: last.email }) : null,
      };
    },
  );

  app.post(
    '/api/users',
    {
      config: { allow: ['admin'], rateLimit: rateLimit('tokenMints') },
      schema: {
        tags: ['users'],
        summary: 'Add a user to your organization (admins); their first access token is shown only here',
        body: withExamples(
          Type.Object(
            {
              email: Type.String({ format: 'email', maxLength: 254 }),
              name: Type.String({ minLength: 1, maxLength: 200 }),
              role: Role,
            },
            { additionalProperties: false },
          ),
          { email: REX.email, name: REX.name, role: REX.role },
        ),
        response: {
          201: withExamples(Type.Object({ user: UserView, token: Type.String() }), {
            user: REX,
            token: EXAMPLE_TOKEN,
          }),
          ...errors(400, 401, 403, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const { orgId } = userOf(request);
      return reply.status(201).send(await createUser(db, orgId, request.body));
    },
  );

  app.get(
    '/api/users/:id',
    {
      config: { allow: ['admin'] },
      schema: {
        tags: ['users'],
        summary: 'One user of your organization (admins)',
        params: Type.Object({ id: Uuid }),
        response: { 200: UserView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = await findUser(db, userOf(request).orgId, request.params.id);
      if (!user) throw notFound('user');
      return user;
    },
  );

  app.patch(
    '/api/users/:id',
    {
      config: { allow: ['admin'] },
      schema: {
        tags: ['users'],
        summary: "Change a user's name or role (admins); the last admin cannot step down",
        params: Type.Object({ id: Uuid }),
        body: withExamples(
          Type.Object(
            { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), role: Type.Optional(Role) },
            { additionalProperties: false, minProperties: 1 },
          ),
          { role: 'admin' },
        ),
        response: {
          200: withExamples(UserView, { ...CLEO, role: 'admin' }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const { orgId } = userOf(request);
      const updated = await db.transaction().execute(async (trx) => {
        const current = await findUser(trx, orgId, request.params.id);
        if (!current) throw notFound('user');
        const { name, role } = request.body;
        const user = await updateUser(trx, orgId, current.id, {
          name: name === undefined ? undefined : requireDisplayName(name),
          role,
        });
        if (
          current.role === 'admin' &&
          request.body.role === 'member' &&
          (await countAdmins(trx, orgId)) === 0
        ) {
          throw new AppError('conflict', 'an organization needs at least one admin');
        }
        return user;
      });
      if (!updated) throw notFound('user');
      return updated;
    },
  );
};
