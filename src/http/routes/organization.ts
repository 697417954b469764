/** The organization's integration settings (admins change them) and its audit log. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AUDIT_ACTIONS, listAuditEvents } from '../../db/audit.ts';
import { countUsersWithLiveConnection } from '../../db/connections.ts';
import { findOrganization, findSettings } from '../../db/organizations.ts';
import { notFound } from '../../domain/errors.ts';
import { startFlow } from '../../services/connect.ts';
import type { AppContext } from '../../services/context.ts';
import { changeSettings } from '../../services/organization.ts';
import { userOf } from '../auth.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import {
  ADA,
  EXAMPLE_CURSOR,
  ORG,
  PUBLIC_URL,
  REX,
  REX_CONNECTION_ID,
  THREAD_ID,
  withExamples,
} from '../examples/world.ts';
import { rateLimit } from '../rate-limits.ts';
import { errors, NextCursor, Timestamp, Uuid } from '../schemas.ts';

const Provider = Type.Enum(['none', 'google', 'microsoft'], {
  description: '`none` is "Do Not Integrate" (R4). Changing it un-authorizes every connected user (R4, R5).',
});

const AuditActionName = Type.Enum([...AUDIT_ACTIONS], {
  description:
    '`provider_changed`, `settings_changed`, `mailbox_connected`, `mailbox_reconnected`, `mailbox_disconnected`, `microsoft_admin_consent_granted`, `thread_visibility_changed`, `thread_erased`, `member_mail_erased`, `member_mail_exported`.',
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
    tenantId: Type.Union([Type.String(), Type.Null()], {
      description:
        'The Entra tenant the organization is bound to (admin consent, or its first admin connecting); work accounts of other tenants are refused.',
    }),
    adminConsentAt: Type.Union([Timestamp, Type.Null()]),
    allowedTenantIds: Type.Array(Type.String(), {
      description: 'Other Entra tenants whose mailboxes may connect, as an admin allowed.',
    }),
  }),
});

const SETTINGS = {
  ...ORG,
  provider: 'google' as const,
  internalDomains: ['acme-labs.example'],
  backfillDays: 30,
  availableProviders: ['google' as const, 'microsoft' as const],
  microsoft: { tenantId: null, adminConsentAt: null, allowedTenantIds: [] },
};

const AuditEvent = Type.Object({
  id: Type.String(),
  at: Timestamp,
  actorUserId: Type.Union([Uuid, Type.Null()], {
    description: 'Null when no user of the organization did it (a member’s erasure or export).',
  }),
  action: AuditActionName,
  details: Type.Record(Type.String(), Type.Unknown()),
});

const AuditPage = withExamples(Type.Object({ events: Type.Array(AuditEvent), nextCursor: NextCursor }), {
  events: [
    {
      id: '1042',
      at: '2026-03-05T10:12:00.000Z',
      actorUserId: REX.id,
      action: 'thread_visibility_changed',
      details: { threadId: THREAD_ID, from: 'private', to: 'organization' },
    },
    {
      id: '1017',
      at: '2026-03-02T09:15:00.000Z',
      actorUserId: REX.id,
      action: 'mailbox_connected',
      details: { connectionId: REX_CONNECTION_ID, provider: 'google' },
    },
    {
      id: '1003',
      at: '2026-03-02T09:05:00.000Z',
      actorUserId: ADA.id,
      action: 'provider_changed',
      details: { from: 'none', to: 'google', deauthorizedUsers: 0 },
    },
  ],
  nextCursor: EXAMPLE_CURSOR,
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
      microsoft: {
        tenantId: settings.microsoftTenantId,
        adminConsentAt: settings.microsoftAdminConsentAt,
        allowedTenantIds: settings.microsoftAllowedTenantIds,
      },
    };
  };

  app.get(
    '/api/organization',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['organization'],
        summary: "Your organization's integration settings",
        response: { 200: withExamples(Settings, SETTINGS), ...errors(401, 403) },
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
        summary:
          'Change the provider, internal domains, backfill window or other allowed Microsoft tenants (admins)',
        description:
          'Choosing `none`, or switching between `google` and `microsoft`, un-authorizes every connected user at once: sync stops, tokens are erased and revoked at the provider. Synced mail stays.',
        body: withExamples(
          Type.Object(
            {
              provider: Type.Optional(Provider),
              internalDomains: Type.Optional(
                Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 50 }),
              ),
              backfillDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
              microsoftAllowedTenantIds: Type.Optional(
                Type.Array(
                  Type.String({
                    pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
                    description: 'An Entra tenant id (GUID).',
                  }),
                  { maxItems: 50 },
                ),
              ),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          { internalDomains: ['acme-labs.example'], backfillDays: 30 },
          { provider: 'microsoft' },
        ),
        response: {
          200: withExamples(
            Type.Object({
              organization: Settings,
              deauthorizedUsers: Type.Integer({
                description: 'How many users lost their connection through this change.',
              }),
            }),
            { organization: SETTINGS, deauthorizedUsers: 0 },
          ),
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

  app.get(
    '/api/organization/connected-users',
    {
      config: { allow: ['admin'] },
      schema: {
        tags: ['organization'],
        summary: 'How many users a provider change would un-authorize now (admins)',
        description:
          'Users whose mailbox connection is live (`connected` or `reauthorization_required`): choosing `none` or switching between `google` and `microsoft` ends every one of them (R4, R5). Read-only; a count, never who.',
        response: {
          200: withExamples(
            Type.Object({
              users: Type.Integer({ minimum: 0, description: 'Users with a live connection.' }),
            }),
            { users: 2 },
          ),
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({ users: await countUsersWithLiveConnection(context.db, userOf(request).orgId) }),
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
          201: withExamples(Type.Object({ url: Type.String(), expiresAt: Timestamp }), {
            url: `${PUBLIC_URL}/oauth/start/EXAMPLE-single-use-code-open-it-in-a-browser`,
            expiresAt: '2026-03-02T09:14:00.000Z',
          }),
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
        summary:
          "Your organization's audit log (admins), newest first: who changed what, never any mail content",
        description:
          'Keyset-paginated: pass `nextCursor` as `cursor` with the same filters. Member-level events (a member’s erasures and exports, across organizations) are the operator’s: `GET /api/operator/audit`.',
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
            cursor: Type.Optional(Type.String({ maxLength: 500 })),
            action: Type.Optional(
              Type.Array(AuditActionName, {
                maxItems: AUDIT_ACTIONS.length,
                description: 'Only these actions; repeat the parameter for several.',
              }),
            ),
            from: Type.Optional(Type.String({ format: 'date-time', description: 'Events at or after.' })),
            to: Type.Optional(Type.String({ format: 'date-time', description: 'Events before.' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: AuditPage,
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { limit = 100, cursor, action, from, to } = request.query;
      const before = cursor ? decodeCursor(request, cursor, { id: /^\d{1,19}$/ }).id : undefined;
      const events = await listAuditEvents(context.db, userOf(request).orgId, {
        limit: limit + 1,
        before,
        actions: action,
        from: from === undefined ? undefined : new Date(from),
        to: to === undefined ? undefined : new Date(to),
      });
      const page = events.slice(0, limit);
      const last = page.at(-1);
      return {
        events: page,
        nextCursor: events.length > limit && last ? encodeCursor(request, { id: last.id }) : null,
      };
    },
  );
};
