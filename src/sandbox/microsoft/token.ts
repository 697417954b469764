/**
 * The token endpoint (`/{tenant}/oauth2/v2.0/token`): authorization_code (with PKCE), refresh_token and
 * client_credentials grants, client_secret_post and client_secret_basic authentication, and the documented error bodies
 * (HTTP 400, or 401 for `invalid_client`). Every refresh returns a new refresh token ("Refresh the access
 * token"); the one presented keeps working, as Entra's do, unless the `usedRefreshTokens: 'refuse'` fault
 * option is on. A refresh token exists only when `offline_access` was granted, an id_token only when
 * `openid` was. `scope` names Graph permissions short (`Mail.Read`), as Entra reports them for Graph, the
 * default resource, so MSAL's cache finds the token again; `client_info=1` (what MSAL sends) adds
 * `client_info`, base64url JSON `{"uid": oid, "utid": tid}`, from which MSAL builds `homeAccountId`.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AADSTS, type AadError, aadErrorBody } from './aadsts.ts';
import { loginBase, type MicrosoftContext } from './context.ts';
import type { Client, User } from './directory.ts';
import { authoritySegment } from './discovery.ts';
import type { Grant } from './grants.ts';
import { secret } from './ids.ts';
import { formatScopes, parseScopes } from './scopes.ts';

type Form = Record<string, string | undefined>;
const CODE_LIFETIME_MS = 10 * 60 * 1000;

/** The subject identifier: pairwise per app, as Microsoft's `sub` is. */
export function pairwiseSubject(user: User, clientId: string): string {
  return createHash('sha256').update(`${user.oid}|${clientId}`).digest('base64url').slice(0, 43);
}

export function tokenRoutes(app: FastifyInstance, ctx: MicrosoftContext): void {
  const { core, settings } = ctx;

  const authenticate = (request: FastifyRequest<{ Body: Form }>, body: Form): Client | AadError => {
    let clientId = body.client_id;
    let clientSecret = body.client_secret;
    const header = request.headers.authorization;
    if (header?.toLowerCase().startsWith('basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
      clientId = formDecode(decoded.slice(0, colon));
      clientSecret = formDecode(decoded.slice(colon + 1));
    }
    if (!clientId) return AADSTS.missingParameter('client_id');
    const client = ctx.directory.client(clientId);
    if (!client) return AADSTS.appNotFound(clientId, (request.params as { tenant: string }).tenant);
    if (client.clientSecret === '') return client;
    if (!clientSecret) return AADSTS.missingSecret();
    if (clientSecret !== client.clientSecret) return AADSTS.invalidSecret(client.clientId);
    return client;
  };

  const issue = async (grant: Grant, scopes: string[], nonce: string | undefined, clientInfo: boolean) => {
    const now = core.clock.now();
    const { user, clientId } = grant;
    const graphScopes = scopes.filter((scope) => scope.includes('.'));
    const accessToken = await ctx.key.sign(
      {
        ver: '1.0',
        tid: user.tenantId,
        oid: user.oid,
        sub: pairwiseSubject(user, '00000003-0000-0000-c000-000000000000'),
        upn: user.email,
        unique_name: user.email,
        name: user.name,
        appid: clientId,
        scp: [
          ...graphScopes,
          ...scopes.filter((scope) => !scope.includes('.') && scope !== 'offline_access'),
        ].join(' '),
        uti: secret(16),
        nbf: Math.floor(now / 1000),
      },
      {
        issuer: `https://sts.windows.net/${user.tenantId}/`,
        audience: '00000003-0000-0000-c000-000000000000',
        expiresInSeconds: settings.accessTokenLifetimeSeconds,
        now,
      },
    );
    ctx.grants.storeAccessToken(accessToken, {
      grant,
      scopes: new Set(scopes),
      expiresAt: now + settings.accessTokenLifetimeSeconds * 1000,
    });
    const response: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: formatScopes(scopes),
      expires_in: settings.accessTokenLifetimeSeconds,
      ext_expires_in: settings.accessTokenLifetimeSeconds,
      access_token: accessToken,
    };
    if (scopes.includes('offline_access'))
      response.refresh_token = ctx.grants.issueRefreshToken(grant, scopes, now);
    if (clientInfo) {
      response.client_info = Buffer.from(JSON.stringify({ uid: user.oid, utid: user.tenantId })).toString(
        'base64url',
      );
    }
    if (scopes.includes('openid')) {
      response.id_token = await ctx.key.sign(
        {
          ver: '2.0',
          sub: pairwiseSubject(user, clientId),
          oid: user.oid,
          tid: user.tenantId,
          nbf: Math.floor(now / 1000),
          ...(nonce === undefined ? {} : { nonce }),
          ...(scopes.includes('profile') ? { name: user.name, preferred_username: user.email } : {}),
          // The `email` claim is the user's `mail`, which an admin can set to anything (unverified).
          ...(scopes.includes('email') && user.mail !== null ? { email: user.mail } : {}),
          rh: `0.${secret(24)}.`,
          uti: secret(16),
        },
        {
          issuer: `${loginBase(ctx)}/${user.tenantId}/v2.0`,
          audience: clientId,
          expiresInSeconds: 3600,
          now,
        },
      );
    }
    return response;
  };

  // "Client credentials flow": only at a tenant's own endpoint, only for `.default`, and only where the
  // app has been admitted. The sandbox admits an app to a tenant when an admin of it consented; Entra
  // also does on a user's first consent, which the sandbox does not model.
  const issueAppToken = async (client: Client, body: Form, authority: string) => {
    const tenant = ctx.directory.tenant(authority);
    if (!tenant || tenant.id !== authority) return AADSTS.noTenantInRequest();
    if (body.scope !== 'https://graph.microsoft.com/.default') return AADSTS.invalidScope(body.scope ?? '');
    if (tenant.consumer || !tenant.adminConsents.has(client.clientId))
      return AADSTS.appNotFound(client.clientId, tenant.id);
    const now = core.clock.now();
    const accessToken = await ctx.key.sign(
      { ver: '1.0', tid: tenant.id, appid: client.clientId, idtyp: 'app', roles: [], uti: secret(16) },
      {
        issuer: `https://sts.windows.net/${tenant.id}/`,
        audience: 'https://graph.microsoft.com',
        expiresInSeconds: settings.accessTokenLifetimeSeconds,
        now,
      },
    );
    return {
      token_type: 'Bearer',
      expires_in: settings.accessTokenLifetimeSeconds,
      ext_expires_in: settings.accessTokenLifetimeSeconds,
      access_token: accessToken,
    };
  };

  const redeemCode = (client: Client, body: Form, authority: string) => {
    if (!body.code) return AADSTS.missingParameter('code');
    const record = ctx.grants.code(body.code);
    const now = core.clock.now();
    if (!record || record.grant.clientId !== client.clientId) return AADSTS.invalidCode();
    if (record.redeemed) return AADSTS.codeRedeemed();
    if (now - record.issuedAt > CODE_LIFETIME_MS) return AADSTS.expiredGrant();
    if (record.authority !== authority) return AADSTS.wrongTenant();
    if (!body.redirect_uri) return AADSTS.missingParameter('redirect_uri');
    if (body.redirect_uri !== record.redirectUri) return AADSTS.replyAddressMismatch();
    if (record.challenge !== undefined) {
      const verifier = body.code_verifier ?? '';
      const computed =
        record.challengeMethod === 'S256'
          ? createHash('sha256').update(verifier).digest('base64url')
          : verifier;
      if (computed !== record.challenge) return AADSTS.pkceMismatch();
    }
    if (record.grant.revokedAt !== undefined)
      return AADSTS.revokedGrant(record.grant.issuedAt, record.grant.revokedAt);
    record.redeemed = true;
    return { grant: record.grant, scopes: record.scopes, nonce: record.nonce };
  };

  const redeemRefreshToken = (client: Client, body: Form) => {
    if (!body.refresh_token) return AADSTS.missingParameter('refresh_token');
    const record = ctx.grants.refreshToken(body.refresh_token);
    const now = core.clock.now();
    if (!record || record.grant.clientId !== client.clientId) return AADSTS.invalidRefreshToken();
    const { grant } = record;
    if (grant.revokedAt !== undefined) return AADSTS.revokedGrant(grant.issuedAt, grant.revokedAt);
    if (record.replacedAt !== undefined && settings.usedRefreshTokens === 'refuse')
      return AADSTS.expiredGrant();
    if (now - record.lastUsedAt > settings.refreshTokenMaxInactiveMs)
      return AADSTS.inactiveRefreshToken(record.issuedAt, now - record.lastUsedAt);
    let scopes = record.scopes;
    if (body.scope) {
      const asked = parseScopes(body.scope);
      if (asked.invalid[0] !== undefined) return AADSTS.invalidScope(asked.invalid[0]);
      const missing = asked.graph.find((scope) => !grant.scopes.has(scope));
      if (missing) return AADSTS.notConsented(client.clientId, 'invalid_grant');
      const graph = asked.dotDefault ? [...grant.scopes].filter((scope) => scope.includes('.')) : asked.graph;
      scopes = [
        ...new Set([...graph, ...asked.oidc.filter((scope) => grant.scopes.has(scope)), 'offline_access']),
      ];
    }
    record.replacedAt ??= now;
    record.lastUsedAt = now;
    return { grant, scopes, nonce: undefined };
  };

  app.post<{ Params: { tenant: string }; Body: Form }>(
    '/login/:tenant/oauth2/v2.0/token',
    async (request, reply) => {
      const now = core.clock.now();
      const body = (request.body ?? {}) as Form;
      const answer = (failure: AadError, status = failure.error === 'invalid_client' ? 401 : 400) =>
        reply
          .status(status)
          .header('cache-control', 'no-store')
          .send(aadErrorBody(failure, now, ctx.ids));
      const authority = ctx.directory.authority(request.params.tenant);
      const user =
        (body.code ? ctx.grants.code(body.code)?.grant.user : undefined) ??
        (body.refresh_token ? ctx.grants.refreshToken(body.refresh_token)?.grant.user : undefined);
      const record = (failed: boolean) => {
        if (user) core.counters.record('microsoft', user.email, 'oauth.token', 1, failed);
      };
      const fault = await core.fault('microsoft', 'oauth.token', user?.email);
      if (fault?.status !== undefined) {
        record(true);
        if (fault.retryAfterSeconds !== undefined)
          reply.header('retry-after', String(fault.retryAfterSeconds));
        return answer(faultFailure(fault.status), fault.status);
      }
      const outcome = await exchange(
        body,
        request,
        authority === undefined ? undefined : authoritySegment(authority),
      );
      if (isFailure(outcome)) {
        record(true);
        return answer(outcome);
      }
      record(false);
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(outcome);
    },
  );

  const exchange = async (
    body: Form,
    request: FastifyRequest<{ Body: Form }>,
    authority: string | undefined,
  ): Promise<AadError | Record<string, unknown>> => {
    if (authority === undefined) return AADSTS.tenantNotFound((request.params as { tenant: string }).tenant);
    if (!body.grant_type) return AADSTS.missingParameter('grant_type');
    const client = authenticate(request, body);
    if ('error' in client) return client;
    let redeemed: ReturnType<typeof redeemCode>;
    if (body.grant_type === 'authorization_code') redeemed = redeemCode(client, body, authority);
    else if (body.grant_type === 'refresh_token') redeemed = redeemRefreshToken(client, body);
    else if (body.grant_type === 'client_credentials') return issueAppToken(client, body, authority);
    else return AADSTS.unsupportedGrantType(body.grant_type);
    if ('error' in redeemed) return redeemed;
    return issue(redeemed.grant, redeemed.scopes, redeemed.nonce, body.client_info === '1');
  };
}

function isFailure(value: AadError | Record<string, unknown>): value is AadError {
  return typeof value.error === 'string' && typeof value.code === 'number';
}

/** An injected fault in the identity platform's own words. */
function faultFailure(status: number): AadError {
  if (status === 429 || status === 503)
    return {
      error: 'temporarily_unavailable',
      code: 90024,
      message: 'RequestBudgetExceededError: A transient error has occurred. Try again.',
    };
  if (status >= 500)
    return { error: 'server_error', code: 50000, message: 'There was an error issuing a token.' };
  if (status === 401)
    return { error: 'invalid_client', code: 7000215, message: 'Invalid client secret provided.' };
  return AADSTS.malformed();
}
