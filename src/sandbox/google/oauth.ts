/**
 * Google's OAuth 2.0 / OpenID Connect endpoints (the "Using OAuth 2.0 for Web Server Applications" and
 * "OpenID Connect" guides): discovery, the authorize endpoint with a consent screen, token (authorization
 * code with PKCE, refresh), revoke, JWKS and userinfo. Errors keep Google's wording where it is known.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { consentPage, errorPage } from './consent.ts';
import { type AuthCode, type Grant, newToken, normaliseScopes, type PendingConsent } from './grants.ts';
import type { GoogleState } from './state.ts';

const ACCESS_TTL_SECONDS = 3599;
const CODE_TTL_MS = 10 * 60_000;

type Params = Record<string, string | undefined>;

/** Registers discovery, authorize, token, revoke, JWKS and userinfo under the Google prefix. */
export function oauthRoutes(app: FastifyInstance, state: GoogleState): void {
  app.get('/.well-known/openid-configuration', async () => {
    const issuer = state.issuer();
    return {
      issuer,
      authorization_endpoint: `${issuer}/o/oauth2/v2/auth`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/v1/userinfo`,
      revocation_endpoint: `${issuer}/revoke`,
      jwks_uri: `${issuer}/oauth2/v3/certs`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: [
        'aud',
        'email',
        'email_verified',
        'exp',
        'family_name',
        'given_name',
        'iat',
        'iss',
        'name',
        'sub',
      ],
      code_challenge_methods_supported: ['plain', 'S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
    };
  });

  // Google publishes one key set for its id_tokens and for Pub/Sub push JWTs.
  app.get('/oauth2/v3/certs', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=21600');
    return state.key.jwks();
  });

  app.get<{ Querystring: Params }>('/o/oauth2/v2/auth', async (request, reply) => {
    const checked = checkAuthorize(state, request.query);
    if ('page' in checked)
      return reply.status(checked.status).type('text/html; charset=utf-8').send(checked.page);
    const pendingId = newToken('', 18);
    state.grants.pending.set(pendingId, checked);
    return reply.type('text/html; charset=utf-8').send(
      consentPage({
        action: `${state.issuer()}/o/oauth2/v2/auth/consent`,
        pendingId,
        clientId: checked.client.clientId,
        scopes: checked.scopes,
        email: checked.loginHint,
      }),
    );
  });

  app.post<{ Body: Params }>('/o/oauth2/v2/auth/consent', async (request, reply) => {
    const body = request.body ?? {};
    const pending = state.grants.pending.get(body.pending ?? '');
    if (!pending) {
      return reply
        .status(400)
        .type('text/html; charset=utf-8')
        .send(errorPage(400, 'invalid_request', 'This sign-in request has expired or was already used.'));
    }
    const back = new URL(pending.redirectUri);
    if (pending.state !== undefined) back.searchParams.set('state', pending.state);
    if (body.decision !== 'allow') {
      state.grants.pending.delete(body.pending ?? '');
      back.searchParams.set('error', 'access_denied');
      return reply.redirect(back.href, 302);
    }
    const user = state.users.get((body.email ?? '').trim().toLowerCase());
    if (!user) {
      return reply
        .status(200)
        .type('text/html; charset=utf-8')
        .send(
          consentPage({
            action: `${state.issuer()}/o/oauth2/v2/auth/consent`,
            pendingId: body.pending ?? '',
            clientId: pending.client.clientId,
            scopes: pending.scopes,
            email: body.email ?? '',
            error: 'Couldn\u2019t find your Google Account',
          }),
        );
    }
    state.grants.pending.delete(body.pending ?? '');
    const now = state.core.clock.now();
    const grant = state.grants.grantFor(user.email, pending.client.clientId, now);
    const scopes = pending.includeGranted
      ? [...new Set([...grant.scopes, ...pending.scopes])]
      : pending.scopes;
    for (const scope of pending.scopes) grant.scopes.add(scope);
    // A refresh token comes with the first offline consent, or again when prompt=consent forces the screen.
    const issueRefresh = pending.offline && (!grant.refreshIssued || pending.forceConsent);
    const code = newToken('4/0', 40);
    state.grants.codes.set(code, {
      grant,
      scopes,
      redirectUri: pending.redirectUri,
      challenge: pending.challenge,
      challengeMethod: pending.challengeMethod,
      nonce: pending.nonce,
      issueRefresh,
      expiresAt: now + CODE_TTL_MS,
      used: false,
    });
    back.searchParams.set('code', code);
    back.searchParams.set('scope', scopes.join(' '));
    back.searchParams.set('authuser', '0');
    if (user.hd) back.searchParams.set('hd', user.hd);
    back.searchParams.set('prompt', pending.forceConsent || issueRefresh ? 'consent' : 'none');
    return reply.redirect(back.href, 302);
  });

  app.post<{ Body: Params }>('/token', async (request, reply) => tokenEndpoint(state, request, reply));

  const revoke = async (
    request: FastifyRequest<{ Body: Params; Querystring: Params }>,
    reply: FastifyReply,
  ) => {
    const token = (request.body as Params | undefined)?.token ?? request.query.token ?? '';
    const issued = state.grants.access.get(token) ?? state.grants.refresh.get(token);
    const user = issued?.grant.email ?? '(unknown)';
    const fault = await state.core.fault('google', 'oauth.revoke', issued?.grant.email);
    if (fault?.status !== undefined) {
      state.core.counters.record('google', user, 'oauth.revoke', 0, true);
      if (fault.retryAfterSeconds !== undefined) reply.header('retry-after', String(fault.retryAfterSeconds));
      return reply
        .status(fault.status)
        .send({ error: 'internal_failure', error_description: 'Backend Error' });
    }
    const live =
      issued &&
      !issued.grant.revoked &&
      (issued.expiresAt === undefined || issued.expiresAt > state.core.clock.now());
    state.core.counters.record('google', user, 'oauth.revoke', 0, !live);
    if (!issued || !live)
      return reply
        .status(400)
        .send({ error: 'invalid_token', error_description: 'Token expired or revoked' });
    issued.grant.revoked = true;
    return reply.status(200).send({});
  };
  app.post('/revoke', revoke);
  app.get('/revoke', revoke);

  app.get('/v1/userinfo', async (request, reply) => {
    const token = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const issued = state.grants.access.get(token);
    if (!issued || issued.grant.revoked || (issued.expiresAt ?? 0) <= state.core.clock.now()) {
      return reply.status(401).send({ error: 'invalid_request', error_description: 'Invalid Credentials' });
    }
    const user = state.users.get(issued.grant.email);
    return { sub: user?.id, ...userClaims(state, issued.grant, issued.scopes) };
  });
}

function checkAuthorize(
  state: GoogleState,
  query: Params,
): PendingConsent | { status: number; page: string } {
  const fail = (status: number, error: string, detail: string) => ({
    status,
    page: errorPage(status, error, detail),
  });
  const client = state.grants.clients.get(query.client_id ?? '');
  if (!client) return fail(401, 'invalid_client', 'The OAuth client was not found.');
  const redirectUri = query.redirect_uri ?? '';
  if (!client.redirectUris.includes(redirectUri)) {
    return fail(
      400,
      'redirect_uri_mismatch',
      `You can\u2019t sign in because this app sent an invalid request. redirect_uri=${redirectUri}`,
    );
  }
  if (query.response_type !== 'code')
    return fail(400, 'invalid_request', `Invalid response_type: ${query.response_type ?? ''}`);
  if (!query.scope) return fail(400, 'invalid_request', 'Missing required parameter: scope');
  const scopes = normaliseScopes(query.scope);
  if (!scopes || scopes.length === 0)
    return fail(400, 'invalid_scope', `Some requested scopes were invalid. ${query.scope}`);
  const method = query.code_challenge_method ?? 'plain';
  if (method !== 'S256' && method !== 'plain')
    return fail(400, 'invalid_request', `Invalid code_challenge_method: ${method}`);
  const prompts = (query.prompt ?? '').split(' ');
  return {
    client,
    redirectUri,
    scopes,
    state: query.state,
    offline: query.access_type === 'offline',
    forceConsent: prompts.includes('consent'),
    includeGranted: query.include_granted_scopes === 'true',
    nonce: query.nonce,
    challenge: query.code_challenge,
    challengeMethod: method,
    loginHint: query.login_hint ?? '',
  };
}

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.status(status).send({ error, error_description: description });
}

async function tokenEndpoint(
  state: GoogleState,
  request: FastifyRequest<{ Body: Params }>,
  reply: FastifyReply,
) {
  const body = request.body ?? {};
  const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  let clientId = body.client_id;
  let clientSecret = body.client_secret;
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    clientId = decodeURIComponent(decoded.slice(0, colon));
    clientSecret = decodeURIComponent(decoded.slice(colon + 1));
  }
  const code = body.grant_type === 'authorization_code' ? state.grants.codes.get(body.code ?? '') : undefined;
  const refresh =
    body.grant_type === 'refresh_token' ? state.grants.refresh.get(body.refresh_token ?? '') : undefined;
  const email = code?.grant.email ?? refresh?.grant.email;
  const record = (failed: boolean) =>
    state.core.counters.record('google', email ?? '(unknown)', 'oauth.token', 0, failed);
  const fault = await state.core.fault('google', 'oauth.token', email);
  if (fault?.status !== undefined) {
    record(true);
    if (fault.retryAfterSeconds !== undefined) reply.header('retry-after', String(fault.retryAfterSeconds));
    return fault.status >= 500
      ? oauthError(reply, fault.status, 'internal_failure', 'Backend Error')
      : oauthError(
          reply,
          fault.status,
          fault.status === 429 ? 'rate_limit_exceeded' : 'invalid_request',
          'Bad Request',
        );
  }
  const fail = (status: number, error: string, description: string) => {
    record(true);
    return oauthError(reply, status, error, description);
  };
  if (!clientId) return fail(400, 'invalid_request', 'Could not determine client ID from request.');
  const client = state.grants.clients.get(clientId);
  if (!client) return fail(401, 'invalid_client', 'The OAuth client was not found.');
  if (client.clientSecret !== clientSecret) return fail(401, 'invalid_client', 'Unauthorized');
  const now = state.core.clock.now();

  if (body.grant_type === 'authorization_code') {
    if (!body.code) return fail(400, 'invalid_request', 'Missing required parameter: code');
    if (
      !code ||
      code.used ||
      code.expiresAt <= now ||
      code.grant.clientId !== clientId ||
      code.grant.revoked
    ) {
      if (code) code.used = true;
      return fail(400, 'invalid_grant', 'Bad Request');
    }
    if (body.redirect_uri !== code.redirectUri) return fail(400, 'redirect_uri_mismatch', 'Bad Request');
    const pkce = checkVerifier(code, body.code_verifier);
    if (pkce) return fail(400, pkce.error, pkce.description);
    code.used = true;
    record(false);
    return issue(state, code.grant, code.scopes, { refresh: code.issueRefresh, nonce: code.nonce });
  }
  if (body.grant_type === 'refresh_token') {
    if (!body.refresh_token) return fail(400, 'invalid_request', 'Missing required parameter: refresh_token');
    if (!refresh || refresh.grant.revoked)
      return fail(400, 'invalid_grant', 'Token has been expired or revoked.');
    if (refresh.grant.clientId !== clientId) return fail(400, 'unauthorized_client', 'Unauthorized');
    record(false);
    // Google's refresh response carries no new refresh_token: clients keep the one they have.
    return issue(state, refresh.grant, refresh.scopes, { refresh: false, nonce: undefined });
  }
  return fail(400, 'unsupported_grant_type', `Invalid grant_type: ${body.grant_type ?? ''}`);
}

function checkVerifier(
  code: AuthCode,
  verifier: string | undefined,
): { error: string; description: string } | undefined {
  if (code.challenge === undefined) {
    return verifier === undefined
      ? undefined
      : { error: 'invalid_request', description: 'code_verifier or verifier is not needed.' };
  }
  if (verifier === undefined) return { error: 'invalid_grant', description: 'Missing code verifier.' };
  const derived =
    code.challengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return derived === code.challenge
    ? undefined
    : { error: 'invalid_grant', description: 'Invalid code verifier.' };
}

async function issue(
  state: GoogleState,
  grant: Grant,
  scopes: string[],
  options: { refresh: boolean; nonce: string | undefined },
) {
  const now = state.core.clock.now();
  const accessToken = newToken('ya29.a0', 90);
  state.grants.access.set(accessToken, { grant, scopes, expiresAt: now + ACCESS_TTL_SECONDS * 1000 });
  const response: Record<string, unknown> = {
    access_token: accessToken,
    expires_in: ACCESS_TTL_SECONDS,
    scope: scopes.join(' '),
    token_type: 'Bearer',
  };
  if (options.refresh) {
    const refreshToken = newToken('1//0', 70);
    state.grants.refresh.set(refreshToken, { grant, scopes });
    grant.refreshIssued = true;
    response.refresh_token = refreshToken;
  }
  if (scopes.includes('openid')) {
    const user = state.users.get(grant.email);
    const atHash = createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
    const claims: Record<string, unknown> = {
      azp: grant.clientId,
      sub: user?.id,
      ...userClaims(state, grant, scopes),
      at_hash: atHash,
    };
    if (options.nonce !== undefined) claims.nonce = options.nonce;
    response.id_token = await state.key.sign(claims, {
      issuer: state.issuer(),
      audience: grant.clientId,
      expiresInSeconds: 3600,
      now,
    });
  }
  return response;
}

/** The identity claims a grant's scopes allow: email with `email`, name with `profile`, `hd` for Workspace. */
function userClaims(state: GoogleState, grant: Grant, scopes: string[]): Record<string, unknown> {
  const user = state.users.get(grant.email);
  const claims: Record<string, unknown> = {};
  if (!user) return claims;
  if (user.hd) claims.hd = user.hd;
  if (scopes.includes('https://www.googleapis.com/auth/userinfo.email')) {
    claims.email = user.email;
    claims.email_verified = true;
  }
  if (scopes.includes('https://www.googleapis.com/auth/userinfo.profile')) {
    claims.name = user.name;
    const [given, ...family] = user.name.split(' ');
    claims.given_name = given;
    if (family.length > 0) claims.family_name = family.join(' ');
  }
  return claims;
}
