/**
 * Demo mode only (`npm start`): the web app's "sign in as" picker, so a newcomer can be the admin, either
 * recruiter or the candidate without an identity provider of their own. Never registered otherwise, so
 * outside the demo these paths answer 404. Signing in is still a POST from our own origin (no other site
 * can sign a visitor's browser in as someone: login CSRF), and it makes an ordinary session.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Database } from '../../db/database.ts';
import { findMember, findMemberIdByEmail } from '../../db/members.ts';
import { findOrganizationByRef } from '../../db/organizations.ts';
import type { SessionOwner } from '../../db/sessions.ts';
import { findUserByEmail, listUsers } from '../../db/users.ts';
import { normalizeEmail } from '../../domain/email.ts';
import { AppError } from '../../domain/errors.ts';
import type { Sessions } from '../../services/sessions.ts';
import { ADA, GRACE, REX, withExamples } from '../examples/world.ts';
import { errors } from '../schemas.ts';
import { refuseForeignOrigin, type SessionCookies } from '../session-cookie.ts';

const Person = Type.Object({
  email: Type.String(),
  name: Type.String(),
  kind: Type.Enum(['user', 'member']),
  role: Type.Union([Type.Enum(['admin', 'member']), Type.Null()], { description: 'A user’s role.' }),
});

export const demoSignInRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  sessions: Sessions;
  cookies: SessionCookies;
  publicUrl: string;
  /** The demo organization's domain; its users are offered. */
  domain: string;
  /** The demo members (candidates) who may sign in too. */
  members: readonly string[];
}> = async (app, { db, sessions, cookies, publicUrl, domain, members }) => {
  const people = async () => {
    const [org] = await findOrganizationByRef(db, domain);
    const users = org ? await listUsers(db, org.id, { limit: 20 }) : [];
    const found = await Promise.all(
      members.map(async (email) => {
        const id = await findMemberIdByEmail(db, normalizeEmail(email));
        const member = id ? await findMember(db, id) : undefined;
        return id && member
          ? { email, name: member.name, kind: 'member' as const, role: null, id }
          : undefined;
      }),
    );
    return {
      org,
      users: users.map((user) => ({
        email: user.email,
        name: user.name,
        kind: 'user' as const,
        role: user.role,
      })),
      members: found.filter((member) => member !== undefined),
    };
  };

  app.get(
    '/api/demo/people',
    {
      config: { public: true },
      schema: {
        tags: ['demo'],
        summary: 'Demo mode: the people you can sign in as',
        response: {
          200: withExamples(Type.Object({ people: Type.Array(Person) }), {
            people: [
              { email: ADA.email, name: ADA.name, kind: 'user', role: 'admin' },
              { email: REX.email, name: REX.name, kind: 'user', role: 'member' },
              { email: GRACE.emails[0] as string, name: GRACE.name, kind: 'member', role: null },
            ],
          }),
        },
      },
    },
    async () => {
      const { users, members: candidates } = await people();
      return { people: [...users, ...candidates.map(({ id: _id, ...person }) => person)] };
    },
  );

  app.post(
    '/api/demo/sign-in',
    {
      config: { public: true },
      schema: {
        tags: ['demo'],
        summary: 'Demo mode: sign this browser in as one of the demo people',
        body: withExamples(
          Type.Object({ email: Type.String({ maxLength: 320 }) }, { additionalProperties: false }),
          {
            email: REX.email,
          },
        ),
        response: {
          200: withExamples(Type.Object({ kind: Type.Enum(['user', 'member']) }), { kind: 'user' }),
          ...errors(400, 403, 404),
        },
      },
    },
    async (request, reply) => {
      refuseForeignOrigin(request, publicUrl);
      const { org, members: candidates } = await people();
      const email = request.body.email.trim().toLowerCase();
      const user = org ? await findUserByEmail(db, org.id, email) : undefined;
      const member = candidates.find((candidate) => candidate.email === email);
      const owner: SessionOwner | undefined =
        org && user
          ? { kind: 'user', orgId: org.id, userId: user.id }
          : member && { kind: 'member', memberId: member.id };
      if (!owner) throw new AppError('not_found', `${email} is not one of the demo people`);
      const started = await sessions.start(owner);
      cookies.set(reply, started.secret, started.expiresAt);
      return { kind: owner.kind };
    },
  );
};
