/** A user's mailbox connection (R6–R8, R12), and the admins' view of every user's connection health. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { startFlow } from '../../services/connect.ts';
import { disconnect, myConnection, organizationConnections } from '../../services/connections.ts';
import type { AppContext } from '../../services/context.ts';
import { userOf } from '../auth.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { ADA, CLEO, PUBLIC_URL, REX, REX_CONNECTION_ID, withExamples } from '../examples/world.ts';
import { rateLimit } from '../rate-limits.ts';
import { errors, NextCursor, Page, Timestamp, Uuid } from '../schemas.ts';

const ConnectionView = Type.Object({
  id: Uuid,
  provider: Type.Enum(['google', 'microsoft']),
  address: Type.String(),
  status: Type.Enum(['connected', 'reauthorization_required', 'disconnected', 'deauthorized']),
  warning: Type.Union([Type.String(), Type.Null()], { description: 'Set for a personal mailbox (R8).' }),
  authorizedAt: Timestamp,
  statusChangedAt: Timestamp,
  lastError: Type.Union([Type.String(), Type.Null()], { description: 'The latest problem, in words.' }),
  lastErrorAt: Type.Union([Timestamp, Type.Null()]),
  sync: Type.Object({
    lastSyncAt: Type.Union([Timestamp, Type.Null()], { description: 'End of the last sync that caught up.' }),
    messagesSynced: Type.Integer(),
    error: Type.Union([Type.String(), Type.Null()], { description: 'The last sync problem, in words.' }),
    backoffUntil: Type.Union([Timestamp, Type.Null()], {
      description: 'Set while the provider asked us to wait.',
    }),
    pushActive: Type.Boolean(),
  }),
});

/** Rex's mailbox, connected on the first day and synced a minute ago. */
const REX_CONNECTION = {
  id: REX_CONNECTION_ID,
  provider: 'google' as const,
  address: REX.email,
  status: 'connected' as const,
  warning: null,
  authorizedAt: '2026-03-02T09:15:00.000Z',
  statusChangedAt: '2026-03-02T09:15:00.000Z',
  lastError: null,
  lastErrorAt: null,
  sync: {
    lastSyncAt: '2026-03-05T09:41:07.000Z',
    messagesSynced: 214,
    error: null,
    backoffUntil: null,
    pushActive: true,
  },
};

export const connectionRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (
  app,
  { context },
) => {
  app.get(
    '/api/connection',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['connection'],
        summary: 'Your mailbox connection, or null',
        response: {
          200: withExamples(
            Type.Object({ connection: Type.Union([ConnectionView, Type.Null()]) }),
            { connection: REX_CONNECTION },
            { connection: null },
          ),
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({ connection: await myConnection(context, userOf(request)) }),
  );

  app.post(
    '/api/connection',
    {
      config: { allow: ['user'], rateLimit: rateLimit('connectStarts') },
      schema: {
        tags: ['connection'],
        summary: 'Start connecting your mailbox: open the returned URL in a browser within 10 minutes',
        description:
          'The URL is single-use and yours alone: its page asks you to sign in with your access token before anything goes to the provider, and only your own mailbox, one on your organization’s domains, or (after you confirm) a personal one can be connected. Refused (409 `provider_not_selected`) while the organization has no provider: an admin must choose one first (R3).',
        response: {
          201: withExamples(Type.Object({ url: Type.String(), expiresAt: Timestamp }), {
            url: `${PUBLIC_URL}/oauth/start/EXAMPLE-single-use-code-open-it-in-a-browser`,
            expiresAt: '2026-03-02T09:24:00.000Z',
          }),
          ...errors(400, 401, 403, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const { url, expiresAt } = await startFlow(context, userOf(request), 'connect');
      return reply.status(201).send({ url, expiresAt });
    },
  );

  app.delete(
    '/api/connection',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['connection'],
        summary: 'Disconnect your mailbox: sync stops, access is revoked, synced mail stays (R12)',
        response: {
          200: withExamples(Type.Object({ connection: ConnectionView }), {
            connection: {
              ...REX_CONNECTION,
              status: 'disconnected',
              statusChangedAt: '2026-03-06T17:00:00.000Z',
              sync: { ...REX_CONNECTION.sync, pushActive: false },
            },
          }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => ({ connection: await disconnect(context, userOf(request)) }),
  );

  app.get(
    '/api/connections',
    {
      config: { allow: ['admin'] },
      schema: {
        tags: ['connection'],
        summary: "Every user's connection health (admins); never any mail content",
        querystring: Type.Object(
          { ...Page, cursor: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
        response: {
          200: withExamples(
            Type.Object({
              users: Type.Array(
                Type.Object({
                  user: Type.Object({ id: Uuid, email: Type.String(), name: Type.String() }),
                  connection: Type.Union([ConnectionView, Type.Null()]),
                }),
              ),
              nextCursor: NextCursor,
            }),
            {
              users: [
                { user: { id: ADA.id, email: ADA.email, name: ADA.name }, connection: null },
                {
                  user: { id: CLEO.id, email: CLEO.email, name: CLEO.name },
                  connection: {
                    ...REX_CONNECTION,
                    id: '9b2f6c1e-4d3a-4f7b-8e21-5c6d7a8b9c0d',
                    address: CLEO.email,
                    status: 'reauthorization_required',
                    statusChangedAt: '2026-03-04T22:10:00.000Z',
                    lastError: 'Google refused the stored grant: Cleo must connect her mailbox again.',
                    lastErrorAt: '2026-03-04T22:10:00.000Z',
                    sync: {
                      ...REX_CONNECTION.sync,
                      lastSyncAt: '2026-03-04T22:05:00.000Z',
                      messagesSynced: 88,
                      pushActive: false,
                    },
                  },
                },
                { user: { id: REX.id, email: REX.email, name: REX.name }, connection: REX_CONNECTION },
              ],
              nextCursor: null,
            },
          ),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = request.query.cursor
        ? decodeCursor(request, request.query.cursor, { email: /^.{1,254}$/ }).email
        : undefined;
      const rows = await organizationConnections(context, userOf(request).orgId, { limit: limit + 1, after });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        users: page,
        nextCursor: rows.length > limit && last ? encodeCursor(request, { email: last.user.email }) : null,
      };
    },
  );
};
