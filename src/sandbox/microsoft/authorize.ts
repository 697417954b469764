/**
 * The authorization endpoint (`/{tenant}/oauth2/v2.0/authorize`), per "Microsoft identity platform and
 * OAuth 2.0 authorization code flow" (the admin consent endpoint shares its checks). An unknown app or an unregistered redirect URI is
 * shown on an error page and never redirected; every other failure goes back to the redirect URI as
 * `error` + `error_description` (AADSTS text) + `state`. The sandbox has no sign-in session, so the page
 * asks which sandbox user signs in (`login_hint` prefills it); `prompt=none` answers without a page.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AADSTS, type AadError, aadErrorBody } from './aadsts.ts';
import { adminConsentRoutes } from './admin-consent.ts';
import { loginBase, type MicrosoftContext } from './context.ts';
import type { Authority, Client, User } from './directory.ts';
import { authoritySegment } from './discovery.ts';
import { adminApprovalPage, consentPage, errorPage, formPostPage } from './pages.ts';
import { parseScopes } from './scopes.ts';

export type Params = Record<string, string | undefined>;

/** A request that passed the checks that decide whether it may be redirected at all. */
export interface Redirectable {
  client: Client;
  authority: Authority;
  redirectUri: string;
  params: Params;
}

/** A registered redirect URI matches exactly, except that http://localhost may use any port (documented). */
function redirectUriMatches(registered: string[], uri: string): boolean {
  if (registered.includes(uri)) return true;
  try {
    const asked = new URL(uri);
    if (asked.protocol !== 'http:' || !['localhost', '127.0.0.1'].includes(asked.hostname)) return false;
    return registered.some((entry) => {
      const known = new URL(entry);
      return (
        known.protocol === 'http:' && known.hostname === asked.hostname && known.pathname === asked.pathname
      );
    });
  } catch {
    return false;
  }
}

export function authorizeRoutes(app: FastifyInstance, ctx: MicrosoftContext): void {
  const now = () => ctx.core.clock.now();

  const describe = (failure: AadError) => aadErrorBody(failure, now(), ctx.ids).error_description;

  const screen = (tenant: string, params: Params, reply: FastifyReply): Redirectable | undefined => {
    const authority = ctx.directory.authority(tenant);
    const clientId = params.client_id;
    let failure: AadError | undefined;
    const client = clientId ? ctx.directory.client(clientId) : undefined;
    if (!authority) failure = AADSTS.tenantNotFound(tenant);
    else if (!clientId) failure = AADSTS.missingParameter('client_id');
    else if (!client) failure = AADSTS.appNotFound(clientId, tenant);
    else if (!params.redirect_uri) failure = AADSTS.noReplyAddress();
    else if (!redirectUriMatches(client.redirectUris, params.redirect_uri))
      failure = AADSTS.redirectMismatch(params.redirect_uri, client.clientId);
    if (failure || !authority || !client || !params.redirect_uri) {
      reply
        .status(400)
        .type('text/html; charset=utf-8')
        .send(errorPage(describe(failure ?? AADSTS.malformed())));
      return undefined;
    }
    return { client, authority, redirectUri: params.redirect_uri, params };
  };

  const send = (reply: FastifyReply, target: Redirectable, values: Record<string, string>) => {
    const params = {
      ...values,
      ...(target.params.state === undefined ? {} : { state: target.params.state }),
    };
    const mode = target.params.response_mode ?? 'query';
    if (mode === 'form_post')
      return reply.type('text/html; charset=utf-8').send(formPostPage(target.redirectUri, params));
    const url = new URL(target.redirectUri);
    const encoded = new URLSearchParams(params).toString();
    if (mode === 'fragment') url.hash = encoded;
    else for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return reply.redirect(url.href, 302);
  };

  const fail = (
    reply: FastifyReply,
    target: Redirectable,
    failure: AadError,
    extra: Record<string, string> = {},
  ) => {
    const body = aadErrorBody(failure, now(), ctx.ids);
    return send(reply, target, { error: body.error, error_description: body.error_description, ...extra });
  };

  /** Protocol checks whose failures are redirected; answers the parsed scopes when all pass. */
  const validate = (target: Redirectable) => {
    const { params } = target;
    if (params.response_mode && !['query', 'fragment', 'form_post'].includes(params.response_mode))
      return AADSTS.unsupportedResponseMode();
    if (!params.response_type) return AADSTS.missingParameter('response_type');
    if (params.response_type !== 'code') return AADSTS.unsupportedResponseType();
    if (!params.scope) return AADSTS.missingParameter('scope');
    const method = params.code_challenge_method;
    if (method !== undefined && (!params.code_challenge || !['S256', 'plain'].includes(method)))
      return AADSTS.malformed();
    const scopes = parseScopes(params.scope);
    if (scopes.invalid[0] !== undefined) return AADSTS.invalidScope(scopes.invalid[0]);
    return scopes;
  };

  /** Scopes this sign-in grants: those asked for, `.default` standing for everything consented before. */
  const wanted = (target: Redirectable, user: User | undefined) => {
    const scopes = parseScopes(target.params.scope ?? '');
    const graph = new Set(scopes.graph);
    if (scopes.dotDefault && user) {
      for (const scope of ctx.grants.live(user, target.client.clientId)?.scopes ?? []) graph.add(scope);
      const tenant = ctx.directory.tenant(user.tenantId);
      for (const scope of tenant?.adminConsents.get(target.client.clientId) ?? []) graph.add(scope);
    }
    return { graph: [...graph].filter((scope) => scope.includes('.')), oidc: scopes.oidc };
  };

  const needsAdmin = (user: User, clientId: string, graph: string[]) => {
    const tenant = ctx.directory.tenant(user.tenantId);
    if (!tenant?.requireAdminConsent) return false;
    const consented = tenant.adminConsents.get(clientId);
    return !graph.every((scope) => consented?.has(scope));
  };

  const issue = (reply: FastifyReply, target: Redirectable, user: User) => {
    const { graph, oidc } = wanted(target, user);
    const grant = ctx.grants.consent(user, target.client.clientId, [...graph, ...oidc], now());
    const { params } = target;
    const code = ctx.grants.issueCode({
      grant,
      redirectUri: target.redirectUri,
      scopes: [...graph, ...oidc],
      nonce: params.nonce,
      challenge: params.code_challenge,
      challengeMethod: params.code_challenge
        ? params.code_challenge_method === 'S256'
          ? 'S256'
          : 'plain'
        : undefined,
      authority: authoritySegment(target.authority),
      issuedAt: now(),
    });
    return send(reply, target, { code, session_state: ctx.ids.guid() });
  };

  const action = (tenant: string, path: string) => `${loginBase(ctx)}/${tenant}/${path}`;
  const fields = (params: Params) =>
    Object.fromEntries(
      Object.entries(params).filter(
        (entry): entry is [string, string] =>
          entry[1] !== undefined && entry[0] !== 'login' && entry[0] !== 'decision',
      ),
    );

  app.get<{ Params: { tenant: string }; Querystring: Params }>(
    '/login/:tenant/oauth2/v2.0/authorize',
    async (request, reply) => {
      const target = screen(request.params.tenant, request.query, reply);
      if (!target) return reply;
      const scopes = validate(target);
      if ('error' in scopes) return fail(reply, target, scopes);
      const hint = request.query.login_hint ?? '';
      const user = hint ? ctx.directory.user(hint) : undefined;
      const here = action(request.params.tenant, 'oauth2/v2.0/authorize');
      if (request.query.prompt === 'none') {
        if (!user || !ctx.directory.admits(target.authority, user))
          return fail(reply, target, AADSTS.loginRequired());
        const { graph, oidc } = wanted(target, user);
        const grant = ctx.grants.live(user, target.client.clientId);
        const covered = [...graph, ...oidc].every((scope) => grant?.scopes.has(scope));
        if (!covered || needsAdmin(user, target.client.clientId, graph))
          return fail(reply, target, AADSTS.notConsented(target.client.clientId));
        return issue(reply, target, user);
      }
      const page =
        user && needsAdmin(user, target.client.clientId, wanted(target, user).graph)
          ? adminApprovalPage({
              action: here,
              clientId: target.client.clientId,
              fields: fields(request.query),
              login: hint,
            })
          : consentPage({
              action: here,
              clientId: target.client.clientId,
              scopes: [...scopes.graph, ...scopes.oidc],
              fields: fields(request.query),
              login: hint,
            });
      return reply.type('text/html; charset=utf-8').send(page);
    },
  );

  app.post<{ Params: { tenant: string }; Body: Params }>(
    '/login/:tenant/oauth2/v2.0/authorize',
    async (request, reply) => {
      const body = request.body ?? {};
      const target = screen(request.params.tenant, body, reply);
      if (!target) return reply;
      const scopes = validate(target);
      if ('error' in scopes) return fail(reply, target, scopes);
      if (body.decision === 'cancel')
        return fail(reply, target, AADSTS.declined(), { error_subcode: 'cancel' });
      if (body.decision === 'return') return fail(reply, target, AADSTS.notConsented(target.client.clientId));
      const login = (body.login ?? '').trim();
      const user = ctx.directory.user(login);
      const problem = !user
        ? AADSTS.userNotFound(login)
        : !ctx.directory.admits(target.authority, user)
          ? AADSTS.wrongAccountType(login)
          : undefined;
      const here = action(request.params.tenant, 'oauth2/v2.0/authorize');
      if (problem || !user) {
        return reply
          .status(400)
          .type('text/html; charset=utf-8')
          .send(
            consentPage({
              action: here,
              clientId: target.client.clientId,
              scopes: [...scopes.graph, ...scopes.oidc],
              fields: fields(body),
              login,
              error: describe(problem ?? AADSTS.malformed()),
            }),
          );
      }
      if (needsAdmin(user, target.client.clientId, wanted(target, user).graph)) {
        return reply.type('text/html; charset=utf-8').send(
          adminApprovalPage({
            action: here,
            clientId: target.client.clientId,
            fields: fields(body),
            login,
          }),
        );
      }
      return issue(reply, target, user);
    },
  );

  adminConsentRoutes(app, ctx, { screen, send, fail, describe, fields, action });
}
