import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { testSandbox } from '../../support/sandbox.ts';
import {
  CLIENT,
  CLIENT_FORM,
  call,
  decide,
  GMAIL_READONLY,
  newUser,
  openConsent,
  REDIRECT,
  registerClient,
  signIn,
} from './helpers.ts';

const sandbox = await testSandbox();
const issuer = `${sandbox.url}/google`;
let config: oidc.Configuration;

before(async () => {
  await registerClient(sandbox);
  config = await oidc.discovery(new URL(issuer), CLIENT.clientId, CLIENT.clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
});

/** Runs authorize → consent → token with openid-client; answers the token response. */
async function authorize(email: string, params: Record<string, string> = {}, basic = false) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: `openid email profile ${GMAIL_READONLY}`,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    access_type: 'offline',
    login_hint: email,
    ...params,
  });
  const consent = await openConsent(url.href);
  const back = await decide(sandbox, consent.pending ?? '', email, 'allow');
  assert.ok(back, 'the consent redirects back');
  const using = basic
    ? await oidc.discovery(
        new URL(issuer),
        CLIENT.clientId,
        undefined,
        oidc.ClientSecretBasic(CLIENT.clientSecret),
        {
          execute: [oidc.allowInsecureRequests],
        },
      )
    : config;
  const tokens = await oidc.authorizationCodeGrant(using, back, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return { tokens, back, nonce };
}

describe('Google OIDC discovery and keys', () => {
  it('publishes the issuer {base}/google with its endpoints, PKCE methods and client auth methods', () => {
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, issuer);
    assert.equal(metadata.token_endpoint, `${issuer}/token`);
    assert.equal(metadata.jwks_uri, `${issuer}/oauth2/v3/certs`);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['plain', 'S256']);
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, [
      'client_secret_post',
      'client_secret_basic',
    ]);
  });

  it('serves an RS256 key set at /oauth2/v3/certs', async () => {
    const { body } = await call(sandbox, undefined, '/oauth2/v3/certs');
    assert.equal(body.keys.length, 1);
    assert.equal(body.keys[0].alg, 'RS256');
    assert.equal(body.keys[0].kty, 'RSA');
  });
});

describe('Google authorization code flow with PKCE (openid-client)', () => {
  it('lists the requested scopes on the consent page and prefills the login_hint', async () => {
    const email = await newUser(sandbox);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: `openid ${GMAIL_READONLY}`,
      login_hint: email,
    });
    const page = await openConsent(url.href);
    assert.equal(page.status, 200);
    assert.match(page.html, /gmail\.readonly/);
    assert.match(page.html, new RegExp(`name="email" value="${email}"`));
    assert.match(page.html, /value="allow"/);
    assert.match(page.html, /value="deny"/);
  });

  it('issues an id_token with iss, aud, sub, email, email_verified, hd, nonce and at_hash for a Workspace user', async () => {
    const email = await newUser(sandbox, 'acme.example');
    const { tokens, nonce, back } = await authorize(email);
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.iss, issuer);
    assert.equal(claims.aud, CLIENT.clientId);
    assert.equal(claims.email, email);
    assert.equal(claims.email_verified, true);
    assert.equal(claims.hd, 'acme.example');
    assert.equal(claims.nonce, nonce);
    assert.equal(typeof claims.at_hash, 'string');
    assert.match(claims.sub, /^\d{21}$/);
    assert.equal(tokens.expires_in, 3599);
    assert.equal(tokens.token_type, 'bearer');
    assert.ok(tokens.refresh_token?.startsWith('1//'));
    assert.equal(back.searchParams.get('hd'), 'acme.example');
    assert.match(tokens.scope ?? '', /https:\/\/www\.googleapis\.com\/auth\/userinfo\.email/);
  });

  it('leaves hd out for a consumer gmail.com user and accepts client_secret_basic', async () => {
    const email = await newUser(sandbox, 'gmail.com');
    const { tokens } = await authorize(email, {}, true);
    assert.equal(tokens.claims()?.hd, undefined);
    assert.equal(tokens.claims()?.email, email);
  });

  it('gives a refresh token only on the first offline consent, and again with prompt=consent', async () => {
    const email = await newUser(sandbox);
    const first = await authorize(email);
    const second = await authorize(email);
    const forced = await authorize(email, { prompt: 'consent' });
    assert.ok(first.tokens.refresh_token);
    assert.equal(second.tokens.refresh_token, undefined);
    assert.ok(forced.tokens.refresh_token);
  });

  it('serves userinfo for the access token', async () => {
    const email = await newUser(sandbox);
    const { tokens } = await authorize(email);
    const sub = tokens.claims()?.sub ?? '';
    const info = await oidc.fetchUserInfo(config, tokens.access_token, sub);
    assert.equal(info.email, email);
    assert.equal(info.hd, 'acme.example');
  });

  it('refreshes without returning a new refresh token, and the new access token works', async () => {
    const email = await newUser(sandbox);
    const { tokens } = await authorize(email);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '');
    assert.equal(refreshed.refresh_token, undefined);
    assert.notEqual(refreshed.access_token, tokens.access_token);
    const profile = await call(sandbox, refreshed.access_token, '/gmail/v1/users/me/profile');
    assert.equal(profile.status, 200);
    assert.equal(profile.body.emailAddress, email);
  });

  it('revokes a refresh token and with it the grant: refresh then fails with invalid_grant, API calls with 401', async () => {
    const email = await newUser(sandbox);
    const { tokens } = await authorize(email);
    await oidc.tokenRevocation(config, tokens.refresh_token ?? '');
    await assert.rejects(
      oidc.refreshTokenGrant(config, tokens.refresh_token ?? ''),
      (error: oidc.ResponseBodyError) => {
        assert.equal(error.error, 'invalid_grant');
        assert.equal(error.error_description, 'Token has been expired or revoked.');
        return true;
      },
    );
    const api = await call(sandbox, tokens.access_token, '/gmail/v1/users/me/profile');
    assert.equal(api.status, 401);
    assert.equal(api.body.error.status, 'UNAUTHENTICATED');
    assert.equal(api.body.error.errors[0].reason, 'authError');
  });

  it('accepts revoke as GET /revoke?token= and answers invalid_token for an unknown token', async () => {
    const email = await newUser(sandbox);
    const tokens = await signIn(sandbox, email, [GMAIL_READONLY]);
    const ok = await fetch(`${issuer}/revoke?token=${encodeURIComponent(tokens.access_token)}`);
    assert.equal(ok.status, 200);
    const again = await fetch(`${issuer}/revoke?token=${encodeURIComponent(tokens.access_token)}`);
    assert.equal(again.status, 400);
    assert.deepEqual(await again.json(), {
      error: 'invalid_token',
      error_description: 'Token expired or revoked',
    });
  });
});

describe('Google authorize errors', () => {
  it('redirects with error=access_denied and the state when the user denies', async () => {
    const email = await newUser(sandbox);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'st-1',
    });
    const back = await decide(sandbox, (await openConsent(url.href)).pending ?? '', email, 'deny');
    assert.equal(back?.searchParams.get('error'), 'access_denied');
    assert.equal(back?.searchParams.get('state'), 'st-1');
    assert.equal(back?.searchParams.get('code'), null);
  });

  it('shows an error page and does not redirect for an unknown client or an unregistered redirect_uri', async () => {
    const unknown = await fetch(
      `${issuer}/o/oauth2/v2/auth?client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=openid`,
      { redirect: 'manual' },
    );
    assert.equal(unknown.status, 401);
    assert.equal(unknown.headers.get('location'), null);
    assert.match(await unknown.text(), /invalid_client/);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'https://evil.example/cb',
      scope: 'openid',
    });
    const mismatch = await fetch(url, { redirect: 'manual' });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.headers.get('location'), null);
    assert.match(await mismatch.text(), /redirect_uri_mismatch/);
  });

  it('re-shows the consent page for an account the sandbox does not know', async () => {
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid' });
    const { pending } = await openConsent(url.href);
    const response = await fetch(`${issuer}/o/oauth2/v2/auth/consent`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        pending: pending ?? '',
        email: 'ghost@acme.example',
        decision: 'allow',
      }).toString(),
    });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Couldn.t find your Google Account/);
  });
});

describe('Google token endpoint errors', () => {
  /** A fresh code for a new user, with its verifier. */
  async function code(method: 'S256' | 'plain' = 'S256') {
    const email = await newUser(sandbox);
    const verifier = oidc.randomPKCECodeVerifier();
    const challenge = method === 'S256' ? await oidc.calculatePKCECodeChallenge(verifier) : verifier;
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email',
      code_challenge: challenge,
      code_challenge_method: method,
    });
    const back = await decide(sandbox, (await openConsent(url.href)).pending ?? '', email, 'allow');
    return { code: back?.searchParams.get('code') ?? '', verifier };
  }
  const token = async (params: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(params).toString(),
    });
    return {
      status: response.status,
      body: (await response.json()) as { error: string; error_description: string },
    };
  };
  const exchange = (c: string, verifier: string, extra: Record<string, string> = {}) =>
    token({
      grant_type: 'authorization_code',
      code: c,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      ...CLIENT_FORM,
      ...extra,
    });

  it('accepts the plain PKCE method', async () => {
    const { code: c, verifier } = await code('plain');
    assert.equal((await exchange(c, verifier)).status, 200);
  });

  it('refuses a wrong code_verifier with invalid_grant', async () => {
    const { code: c } = await code();
    const answer = await exchange(c, oidc.randomPKCECodeVerifier());
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'invalid_grant');
  });

  it('refuses a code used twice with invalid_grant', async () => {
    const { code: c, verifier } = await code();
    assert.equal((await exchange(c, verifier)).status, 200);
    const again = await exchange(c, verifier);
    assert.equal(again.status, 400);
    assert.deepEqual(again.body, { error: 'invalid_grant', error_description: 'Bad Request' });
  });

  it('refuses a redirect_uri other than the authorize one with redirect_uri_mismatch', async () => {
    const { code: c, verifier } = await code();
    const answer = await exchange(c, verifier, { redirect_uri: 'http://127.0.0.1:9/other' });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'redirect_uri_mismatch');
  });

  it('refuses an unknown client and a wrong secret with invalid_client, by post and by basic auth', async () => {
    const { code: c, verifier } = await code();
    const unknown = await exchange(c, verifier, { client_id: 'nope' });
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.body, {
      error: 'invalid_client',
      error_description: 'The OAuth client was not found.',
    });
    const basic = Buffer.from(`${CLIENT.clientId}:wrong`).toString('base64');
    const wrong = await token(
      { grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT, code_verifier: verifier },
      { authorization: `Basic ${basic}` },
    );
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
  });

  it('refuses an unknown grant_type with unsupported_grant_type', async () => {
    const answer = await token({ grant_type: 'password', ...CLIENT_FORM });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'unsupported_grant_type');
  });
});

describe('Google access tokens and grants', () => {
  it('answers 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT when the token lacks every scope the method accepts', async () => {
    const email = await newUser(sandbox);
    const tokens = await signIn(sandbox, email, ['openid', 'email']);
    const answer = await call(sandbox, tokens.access_token, '/gmail/v1/users/me/profile');
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error.message, 'Request had insufficient authentication scopes.');
    assert.equal(answer.body.error.status, 'PERMISSION_DENIED');
    assert.equal(answer.body.error.details[0].reason, 'ACCESS_TOKEN_SCOPE_INSUFFICIENT');
  });

  it('lists grants and revokes them through the control API: refresh → invalid_grant, API → 401', async () => {
    const email = await newUser(sandbox);
    const tokens = await signIn(sandbox, email, [GMAIL_READONLY]);
    const user = await sandbox.control.get<{
      grants: { clientId: string; scopes: string[]; revoked: boolean }[];
    }>(`/google/users/${email}`);
    assert.deepEqual(user.grants, [{ clientId: CLIENT.clientId, scopes: [GMAIL_READONLY], revoked: false }]);
    assert.deepEqual(await sandbox.control.post(`/google/users/${email}/revoke`), { revoked: 1 });
    assert.equal((await call(sandbox, tokens.access_token, '/gmail/v1/users/me/profile')).status, 401);
    const refresh = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
        ...CLIENT_FORM,
      }).toString(),
    });
    assert.equal(refresh.status, 400);
    assert.deepEqual(await refresh.json(), {
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
  });

  it('expires access tokens after 3599 s of sandbox time with 401 UNAUTHENTICATED', async () => {
    const email = await newUser(sandbox);
    const tokens = await signIn(sandbox, email, [GMAIL_READONLY]);
    await sandbox.control.post('/clock', { advanceMs: 3_598_000 });
    assert.equal((await call(sandbox, tokens.access_token, '/gmail/v1/users/me/profile')).status, 200);
    await sandbox.control.post('/clock', { advanceMs: 2_000 });
    const expired = await call(sandbox, tokens.access_token, '/gmail/v1/users/me/profile');
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error.status, 'UNAUTHENTICATED');
  });
});
