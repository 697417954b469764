/** The organization's integration settings (admins change them) and its audit log. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listAuditEvents } from '../../db/audit.ts';
import { findOrganization, findSettings } from '../../db/organizations.ts';
import { notFound } from '../../domain/errors.ts';
import { startFlow } from '../../services/connect.ts';
import type { AppContext } from '../../services/context.ts';
import { changeSettings } from '../../services/organization.ts';
import { userOf } from '../auth.ts';
import { rateLimit } from '../rate-limits.ts';
import { errors, Timestamp, Uuid } from '../schemas.ts';

const Provider = Type.Enum(['none', 'google', 'microsoft'], {
  description: '`none` is "Do Not Integrate" (R4). Changing it un-authorizes every connected user (R4, R5).',
});

const Settings = Type.Object({
  id: Uuid,
  name: Type.String(),
  primaryDomain: Type.String(),
  provider: Provider,
  internalDomains: Type.Array(Type.String(), {
    description: 'Extra domains whose addresses count as colleagues (R11).',
  }),
  backfillDays: Type.Integer({
    description: 'Days before authorization whose mail is also synced (R9); 0 by default.',
  }),
  availableProviders: Type.Array(Type.Enum(['google', 'microsoft']), {
    description: 'Providers configured on this server.',
  }),
  microsoft: Type.Object({
    tenantId: Type.Union([Type.String(), Type.Null()]),
    adminConsentAt: Type.Union([Timestamp, Type.Null()]),
  }),
});

export const organizationRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (
  app,
  { context },
) => {
  const view = async (orgId: string) => {
    const [organization, settings] = await Promise.all([
      findOrganization(context.db, orgId),
      findSettings(context.db, orgId),
    ]);
    if (!organization || !settings) throw notFound('organization');
    return {
      id: organization.id,
      name: organization.name,
      primaryDomain: organization.primaryDomain,
      provider: settings.provider,
      internalDomains: settings.internalDomains,
      backfillDays: settings.backfillDays,
      availableProviders: (['google', 'microsoft'] as const).filter((name) => context.providers[name]),
      microsoft: { tenantId: settings.microsoftTenantId, adminConsentAt: settings.microsoftAdminConsentAt },
    };
  };

  app.get(
    '/api/organization',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['organization'],
        summary: "Your organization's integration settings",
        response: { 200: Settings, ...errors(401, 403) },
      },
    },
    async (request) => view(userOf(request).orgId),
  );

  app.patch(
    '/api/organization',
    {
      config: { allow: ['admin'] },
      schema: {
        tags: ['organization'],
        summary: 'Change the provider, internal domains or backfill window (admins)',
        description:
          'Choosing `none`, or switching between `google` and `microsoft`, un-authorizes every connected user at once: sync stops, tokens are erased and revoked at the provider. Synced mail stays.',
        body: Type.Object(
          {
            provider: Type.Optional(Provider),
            internalDomains: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 50 }),
            ),
            backfillDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: {
          200: Type.Object({
            organization: Settings,
            deauthorizedUsers: Type.Integer({
              description: 'How many users lost their connection through this change.',
            }),
          }),
          ...errors(400, 401, 403, 409),
        },
      },
    },
    async (request) => {
      const admin = userOf(request);
      const { deauthorized } = await changeSettings(context, admin, request.body);
      return { organization: await view(admin.orgId), deauthorizedUsers: deauthorized };
    },
  );

  app.post(
    '/api/organization/microsoft-admin-consent',
    {
      config: { allow: ['admin'], rateLimit: rateLimit('connectStarts') },
      schema: {
        tags: ['organization'],
        summary:
          'Start tenant-wide admin consent for Microsoft 365 (admins): open the returned URL in a browser',
        response: {
          201: Type.Object({ url: Type.String(), expiresAt: Timestamp }),
          ...errors(400, 401, 403, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const { url, expiresAt } = await startFlow(context, userOf(request), 'admin_consent');
      return reply.status(201).send({ url, expiresAt });
    },
  );

  app.get(
    '/api/organization/audit',
    {
      config: { allow: ['admin'] },
      schema: {
        tags: ['organization'],
        summary: 'The latest audit events (admins): who changed what, without any mail content',
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            events: Type.Array(
              Type.Object({
                id: Type.String(),
                at: Timestamp,
                actorUserId: Type.Union([Uuid, Type.Null()]),
                action: Type.String(),
                details: Type.Record(Type.String(), Type.Unknown()),
              }),
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({
      events: await listAuditEvents(context.db, userOf(request).orgId, request.query.limit ?? 100),
    }),
  );
};
