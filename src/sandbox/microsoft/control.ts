/**
 * The Microsoft part of the control API (`/_sandbox/microsoft/…`, docs/sandbox.md): apps, users, tenants,
 * grants, subscriptions and lifecycle events here; mailboxes and calendars in control-mail.ts. JSON in,
 * JSON out; errors are `{"error": "message"}` with 400, 404 or 409.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { MicrosoftContext } from './context.ts';
import { calendarControlRoutes } from './control-calendar.ts';
import { controlError, mailControlRoutes } from './control-mail.ts';
import type { User } from './directory.ts';
import { expiryText, type LifecycleEvent, type Notifier } from './notifications.ts';

const LIFECYCLE_EVENTS = new Set<LifecycleEvent>([
  'reauthorizationRequired',
  'subscriptionRemoved',
  'missed',
]);

const isEmail = (value: unknown): value is string =>
  typeof value === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value);

const settingsJson = (ctx: MicrosoftContext) => ({
  usedRefreshTokens: ctx.settings.usedRefreshTokens,
  allowHttpNotificationUrls: ctx.settings.allowHttpNotificationUrls,
});

const userJson = (user: User) => ({
  id: user.id,
  email: user.email,
  userPrincipalName: user.email,
  mail: user.mail,
  name: user.name,
  tenantId: user.tenantId,
});

export function controlRoutes(ctx: MicrosoftContext, notifier: Notifier): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.setErrorHandler((error: { statusCode?: number; message?: string }, _request, reply) =>
      controlError(reply, error.statusCode ?? 500, error.message ?? 'internal error'),
    );

    app.post<{ Body: { clientId?: unknown; clientSecret?: unknown; redirectUris?: unknown } }>(
      '/clients',
      async (request, reply) => {
        const { clientId, clientSecret, redirectUris } = request.body ?? {};
        if (typeof clientId !== 'string' || clientId === '')
          return controlError(reply, 400, 'clientId is required');
        if (typeof clientSecret !== 'string') return controlError(reply, 400, 'clientSecret is required');
        if (
          !Array.isArray(redirectUris) ||
          redirectUris.some((uri) => typeof uri !== 'string' || !URL.canParse(uri))
        ) {
          return controlError(reply, 400, 'redirectUris must be a list of absolute URLs');
        }
        ctx.directory.registerClient({ clientId, clientSecret, redirectUris: redirectUris as string[] });
        return reply.status(201).send({ clientId, redirectUris });
      },
    );

    app.get('/settings', async () => settingsJson(ctx));
    app.post<{ Body: { usedRefreshTokens?: unknown; allowHttpNotificationUrls?: unknown } }>(
      '/settings',
      async (request, reply) => {
        const { usedRefreshTokens, allowHttpNotificationUrls } = request.body ?? {};
        const known = new Set(['usedRefreshTokens', 'allowHttpNotificationUrls']);
        const unknown = Object.keys(request.body ?? {}).find((name) => !known.has(name));
        if (unknown !== undefined) return controlError(reply, 400, `unknown setting: ${unknown}`);
        if (
          usedRefreshTokens !== undefined &&
          usedRefreshTokens !== 'allow' &&
          usedRefreshTokens !== 'refuse'
        )
          return controlError(reply, 400, "usedRefreshTokens must be 'allow' or 'refuse'");
        if (allowHttpNotificationUrls !== undefined && typeof allowHttpNotificationUrls !== 'boolean')
          return controlError(reply, 400, 'allowHttpNotificationUrls must be a boolean');
        if (usedRefreshTokens !== undefined) ctx.settings.usedRefreshTokens = usedRefreshTokens;
        if (typeof allowHttpNotificationUrls === 'boolean')
          ctx.settings.allowHttpNotificationUrls = allowHttpNotificationUrls;
        return settingsJson(ctx);
      },
    );

    app.post<{ Body: { email?: unknown; name?: unknown; mail?: unknown } }>(
      '/users',
      async (request, reply) => {
        const { email, name, mail } = request.body ?? {};
        if (!isEmail(email)) return controlError(reply, 400, 'email must be an email address');
        if (name !== undefined && typeof name !== 'string')
          return controlError(reply, 400, 'name must be a string');
        if (mail !== undefined && mail !== null && !isEmail(mail))
          return controlError(reply, 400, 'mail must be an email address or null');
        const existed = ctx.directory.user(email) !== undefined;
        const user = ctx.directory.ensureUser(email, name);
        // An admin may set `mail` to any address (Entra does not check it against the tenant's domains).
        if (mail !== undefined) user.mail = mail === null ? null : mail.toLowerCase();
        ctx.mailboxes.of(user);
        return reply.status(existed ? 200 : 201).send(userJson(user));
      },
    );

    app.get<{ Params: { email: string } }>('/users/:email', async (request, reply) => {
      const user = ctx.directory.user(request.params.email);
      if (!user) return controlError(reply, 404, `no such user: ${request.params.email}`);
      return {
        ...userJson(user),
        oid: user.oid,
        grants: ctx.grants.ofUser(user).map((grant) => ({
          clientId: grant.clientId,
          scopes: [...grant.scopes],
          revoked: grant.revokedAt !== undefined,
        })),
      };
    });

    app.post<{ Params: { email: string } }>('/users/:email/revoke', async (request, reply) => {
      const user = ctx.directory.user(request.params.email);
      if (!user) return controlError(reply, 404, `no such user: ${request.params.email}`);
      return { revoked: ctx.grants.revokeUser(user, ctx.core.clock.now()) };
    });

    app.post<{ Body: { domain?: unknown } }>('/tenants', async (request, reply) => {
      const { domain } = request.body ?? {};
      if (typeof domain !== 'string' || !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(domain)) {
        return controlError(reply, 400, 'domain must be a domain name');
      }
      const existed = ctx.directory.tenant(domain) !== undefined;
      const tenant = ctx.directory.createTenant(domain);
      return reply.status(existed ? 200 : 201).send({ tenantId: tenant.id, domain: tenant.domain });
    });

    app.post<{ Params: { tenantId: string }; Body: { required?: unknown } }>(
      '/tenants/:tenantId/require-admin-consent',
      async (request, reply) => {
        const tenant = ctx.directory.tenant(request.params.tenantId);
        if (!tenant) return controlError(reply, 404, `no such tenant: ${request.params.tenantId}`);
        if (typeof request.body?.required !== 'boolean')
          return controlError(reply, 400, 'required must be a boolean');
        if (tenant.consumer) return controlError(reply, 409, 'the consumer tenant has no admin consent');
        tenant.requireAdminConsent = request.body.required;
        return { tenantId: tenant.id, requireAdminConsent: tenant.requireAdminConsent };
      },
    );

    app.get('/subscriptions', async () => ({
      subscriptions: [...notifier.subscriptions.keys()]
        .map((id) => notifier.live(id))
        .filter((subscription) => subscription !== undefined)
        .map((subscription) => ({
          id: subscription.id,
          user: subscription.userEmail,
          clientId: subscription.clientId,
          resource: subscription.resource,
          changeType: [...subscription.changeTypes].join(','),
          notificationUrl: subscription.notificationUrl,
          lifecycleNotificationUrl: subscription.lifecycleNotificationUrl ?? null,
          clientState: subscription.clientState ?? null,
          expirationDateTime: expiryText(subscription.expiresAt),
        })),
    }));

    app.post<{ Params: { id: string }; Body: { event?: unknown } }>(
      '/subscriptions/:id/lifecycle',
      async (request, reply) => {
        const subscription = notifier.live(request.params.id);
        if (!subscription) return controlError(reply, 404, `no such subscription: ${request.params.id}`);
        const event = request.body?.event;
        if (typeof event !== 'string' || !LIFECYCLE_EVENTS.has(event as LifecycleEvent)) {
          return controlError(
            reply,
            400,
            'event must be reauthorizationRequired, subscriptionRemoved or missed',
          );
        }
        if (!subscription.lifecycleNotificationUrl) {
          return controlError(reply, 409, 'the subscription has no lifecycleNotificationUrl');
        }
        notifier.lifecycle(subscription, event as LifecycleEvent);
        return reply.status(202).send({ sent: event });
      },
    );

    mailControlRoutes(app, ctx);
    calendarControlRoutes(app, ctx);
  };
}
