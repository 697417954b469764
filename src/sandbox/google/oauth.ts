/**
 * Google's OAuth 2.0 / OpenID Connect endpoints (the "Using OAuth 2.0 for Web Server Applications" and
 * "OpenID Connect" guides): discovery, the authorize endpoint with a consent screen, token (authorization
 * code with PKCE, refresh; in token.ts), revoke, JWKS and userinfo. Errors keep Google's wording where it is known.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { consentPage, errorPage, IDENTITY_SCOPES } from './consent.ts';
import { newToken, normaliseScopes, type PendingConsent } from './grants.ts';
import type { GoogleState } from './state.ts';
import { tokenEndpoint, userClaims } from './token.ts';

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
    // Granular consent: the sign-in scopes, and of the others those the user left ticked.
    const ticked = new Set(
      Object.entries(body)
        .filter(([name]) => name.startsWith('grant_'))
        .map(([, value]) => value),
    );
    const granted =
      body.granular === '1'
        ? pending.scopes.filter((scope) => IDENTITY_SCOPES.has(scope) || ticked.has(scope))
        : pending.scopes;
    const scopes = pending.includeGranted ? [...new Set([...grant.scopes, ...granted])] : granted;
    for (const scope of granted) grant.scopes.add(scope);
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
