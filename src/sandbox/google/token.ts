/**
 * Google's token endpoint (`/token`): the authorization_code grant with its PKCE check and the
 * refresh_token grant, client authentication by `client_secret_post` or `client_secret_basic`, and the
 * error bodies Google sends (`invalid_grant` "Token has been expired or revoked.", `invalid_client`, …).
 * Access tokens live 3599 s of sandbox time; id_tokens are RS256 with `at_hash`, and `nonce` when given.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuthCode, type Grant, newToken } from './grants.ts';
import type { GoogleState } from './state.ts';

const ACCESS_TTL_SECONDS = 3599;

type Params = Record<string, string | undefined>;

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.status(status).send({ error, error_description: description });
}

/** Answers a token request. */
export async function tokenEndpoint(
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
export function userClaims(state: GoogleState, grant: Grant, scopes: string[]): Record<string, unknown> {
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
