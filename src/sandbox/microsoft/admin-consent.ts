/**
 * The admin consent endpoint (`/{tenant}/v2.0/adminconsent`, "Admin consent on the Microsoft identity
 * platform"): an admin of a work tenant consents to an app's permissions for every user of the tenant, and
 * is sent back to the app with `admin_consent=True&tenant=<tenant id>&state=…&scope=…`. Users of a tenant
 * that requires admin consent can sign in to the app from then on.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AADSTS, type AadError } from './aadsts.ts';
import type { Params, Redirectable } from './authorize.ts';
import type { MicrosoftContext } from './context.ts';
import { consentPage, errorPage } from './pages.ts';
import { GRAPH_PERMISSIONS, parseScopes } from './scopes.ts';

/** What the authorize endpoint lends the admin consent endpoint: the same checks and redirects. */
export interface Helpers {
  screen(tenant: string, params: Params, reply: FastifyReply): Redirectable | undefined;
  send(reply: FastifyReply, target: Redirectable, values: Record<string, string>): FastifyReply;
  fail(
    reply: FastifyReply,
    target: Redirectable,
    failure: AadError,
    extra?: Record<string, string>,
  ): FastifyReply;
  describe(failure: AadError): string;
  fields(params: Params): Record<string, string>;
  action(tenant: string, path: string): string;
}

/** `GET/POST /{tenant}/v2.0/adminconsent`: an admin consents for the whole tenant. */
export function adminConsentRoutes(app: FastifyInstance, ctx: MicrosoftContext, h: Helpers): void {
  app.get<{ Params: { tenant: string }; Querystring: Params }>(
    '/login/:tenant/v2.0/adminconsent',
    async (request, reply) => {
      const target = h.screen(request.params.tenant, request.query, reply);
      if (!target) return reply;
      if (!request.query.scope) return h.fail(reply, target, AADSTS.missingParameter('scope'));
      const scopes = parseScopes(request.query.scope);
      if (scopes.invalid[0] !== undefined)
        return h.fail(reply, target, AADSTS.invalidScope(scopes.invalid[0]));
      return reply.type('text/html; charset=utf-8').send(
        consentPage({
          action: h.action(request.params.tenant, 'v2.0/adminconsent'),
          clientId: target.client.clientId,
          scopes: scopes.dotDefault ? ['.default'] : scopes.graph,
          fields: h.fields(request.query),
          login: request.query.login_hint ?? '',
          organization: true,
        }),
      );
    },
  );

  app.post<{ Params: { tenant: string }; Body: Params }>(
    '/login/:tenant/v2.0/adminconsent',
    async (request, reply) => {
      const body = request.body ?? {};
      const target = h.screen(request.params.tenant, body, reply);
      if (!target) return reply;
      if (!body.scope) return h.fail(reply, target, AADSTS.missingParameter('scope'));
      if (body.decision !== 'accept')
        return h.fail(reply, target, AADSTS.declined(), { error_subcode: 'cancel' });
      const user = ctx.directory.user((body.login ?? '').trim());
      const tenant = user ? ctx.directory.tenant(user.tenantId) : undefined;
      if (!user || !tenant || tenant.consumer || !ctx.directory.admits(target.authority, user)) {
        const failure = user ? AADSTS.wrongAccountType(user.email) : AADSTS.userNotFound(body.login ?? '');
        return reply
          .status(400)
          .type('text/html; charset=utf-8')
          .send(errorPage(h.describe(failure)));
      }
      const scopes = parseScopes(body.scope);
      // `.default` asks for the app's configured permissions; sandbox apps configure every known one.
      const granted = scopes.dotDefault ? Object.keys(GRAPH_PERMISSIONS) : scopes.graph;
      const consented = tenant.adminConsents.get(target.client.clientId) ?? new Set<string>();
      for (const scope of granted) consented.add(scope);
      tenant.adminConsents.set(target.client.clientId, consented);
      return h.send(reply, target, { admin_consent: 'True', tenant: tenant.id, scope: body.scope });
    },
  );
}
