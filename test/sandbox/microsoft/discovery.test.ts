import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as client from 'openid-client';
import { APP, json, microsoftSandbox, pkce, postForm, REDIRECT_URI, readForm } from './helpers.ts';

const CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const insecure = { execute: [client.allowInsecureRequests] };

/** The consent page a browser would show for an authorization URL, accepted as `email`. */
async function consent(url: URL, email: string): Promise<URL> {
  const page = await fetch(url);
  assert.equal(page.status, 200);
  const form = readForm(await page.text());
  const answer = await postForm(form.action, { ...form.fields, login: email, decision: 'accept' });
  assert.equal(answer.status, 302);
  return new URL(answer.headers.get('location') ?? '');
}

const sandbox = await microsoftSandbox();
const login = `${sandbox.url}/microsoft/login`;
const { tenantId } = await sandbox.control.post<{ tenantId: string }>('/microsoft/users', {
  email: 'rex@acme.example',
  name: 'Rex Recruiter',
});
await sandbox.control.post('/microsoft/users', { email: 'jane@outlook.com', name: 'Jane Doe' });

describe('identity platform v2.0 discovery and sign-in through openid-client', () => {
  test('a tenant document names the tenant GUID as issuer and in every endpoint, even when asked by domain', async () => {
    const byDomain = await json(await fetch(`${login}/acme.example/v2.0/.well-known/openid-configuration`));
    assert.equal(byDomain.issuer, `${login}/${tenantId}/v2.0`);
    assert.equal(byDomain.token_endpoint, `${login}/${tenantId}/oauth2/v2.0/token`);
    assert.equal(byDomain.authorization_endpoint, `${login}/${tenantId}/oauth2/v2.0/authorize`);
    assert.equal(byDomain.jwks_uri, `${login}/${tenantId}/discovery/v2.0/keys`);
    assert.deepEqual(byDomain.token_endpoint_auth_methods_supported, [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ]);
    assert.deepEqual(byDomain.id_token_signing_alg_values_supported, ['RS256']);
    assert.equal(
      byDomain.code_challenge_methods_supported,
      undefined,
      'Entra ID does not advertise PKCE methods',
    );
  });

  test('common and organizations carry the literal {tenantid} issuer; consumers names the consumer tenant', async () => {
    for (const tenant of ['common', 'organizations']) {
      const document = await json(await fetch(`${login}/${tenant}/v2.0/.well-known/openid-configuration`));
      assert.equal(document.issuer, `${login}/{tenantid}/v2.0`);
      assert.equal(document.token_endpoint, `${login}/${tenant}/oauth2/v2.0/token`);
    }
    const consumers = await json(await fetch(`${login}/consumers/v2.0/.well-known/openid-configuration`));
    assert.equal(consumers.issuer, `${login}/${CONSUMER_TENANT}/v2.0`);
  });

  test('an unknown tenant answers 400 invalid_tenant with AADSTS90002', async () => {
    const response = await fetch(`${login}/nowhere.example/v2.0/.well-known/openid-configuration`);
    assert.equal(response.status, 400);
    const body = await json(response);
    assert.equal(body.error, 'invalid_tenant');
    assert.deepEqual(body.error_codes, [90002]);
    assert.match(body.error_description, /^AADSTS90002: Tenant 'nowhere\.example' not found/);
  });

  test('the key set publishes an RS256 signing key that names its issuer', async () => {
    const { keys } = await json(await fetch(`${login}/${tenantId}/discovery/v2.0/keys`));
    assert.equal(keys.length, 1);
    assert.equal(keys[0].kty, 'RSA');
    assert.equal(keys[0].use, 'sig');
    assert.equal(keys[0].issuer, `${login}/${tenantId}/v2.0`);
  });

  test('openid-client discovers a tenant, signs a user in with PKCE and validates the id_token', async () => {
    const config = await client.discovery(
      new URL(`${login}/${tenantId}/v2.0`),
      APP.clientId,
      APP.clientSecret,
      undefined,
      insecure,
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email offline_access Mail.Read',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      login_hint: 'rex@acme.example',
      response_mode: 'query',
    });
    const callback = await consent(url, 'rex@acme.example');
    assert.equal(callback.searchParams.get('state'), state);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.expires_in, 3599);
    assert.ok(tokens.refresh_token);
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.iss, `${login}/${tenantId}/v2.0`);
    assert.equal(claims.aud, APP.clientId);
    assert.equal(claims.tid, tenantId);
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.preferred_username, 'rex@acme.example');
    assert.equal(claims.email, 'rex@acme.example');
    assert.equal(claims.name, 'Rex Recruiter');
    assert.equal(claims.ver, '2.0');
    assert.ok(claims.oid);
    assert.ok(claims.sub);
  });

  test('against common, only the Entra ID rule of openid-client (substitute tid for {tenantid}) accepts the issuer', async () => {
    await assert.rejects(
      client.discovery(new URL(`${login}/common/v2.0`), APP.clientId, APP.clientSecret, undefined, insecure),
      /discovered metadata issuer does not match the expected issuer/,
    );
    // The client applies its Entra ID rule to login.microsoftonline.com; route that host to the sandbox.
    const routed: client.CustomFetch = (url, options) =>
      fetch(url.replace('https://login.microsoftonline.com', login), options as RequestInit);
    const config = await client.discovery(
      new URL('https://login.microsoftonline.com/common/v2.0'),
      APP.clientId,
      APP.clientSecret,
      undefined,
      {
        ...insecure,
        [client.customFetch]: routed,
      },
    );
    assert.equal(config.serverMetadata().issuer, `${login}/{tenantid}/v2.0`);
    for (const [email, tid] of [
      ['rex@acme.example', tenantId],
      ['jane@outlook.com', CONSUMER_TENANT],
    ] as const) {
      const { verifier, challenge } = pkce();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid profile offline_access User.Read',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        nonce,
        login_hint: email,
      });
      const tokens = await client.authorizationCodeGrant(config, await consent(url, email), {
        pkceCodeVerifier: verifier,
        expectedNonce: nonce,
      });
      assert.equal(tokens.claims()?.iss, `${login}/${tid}/v2.0`);
      assert.equal(tokens.claims()?.tid, tid);
    }
  });

  test('client_secret_basic authenticates as well as client_secret_post', async () => {
    const config = await client.discovery(
      new URL(`${login}/${tenantId}/v2.0`),
      APP.clientId,
      undefined,
      client.ClientSecretBasic(APP.clientSecret),
      insecure,
    );
    const { verifier, challenge } = pkce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid offline_access Mail.Read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      login_hint: 'rex@acme.example',
    });
    const tokens = await client.authorizationCodeGrant(config, await consent(url, 'rex@acme.example'), {
      pkceCodeVerifier: verifier,
    });
    assert.ok(tokens.access_token);
  });

  test('the userinfo endpoint Graph hosts answers for an openid token', async () => {
    const config = await client.discovery(
      new URL(`${login}/${tenantId}/v2.0`),
      APP.clientId,
      APP.clientSecret,
      undefined,
      insecure,
    );
    const { verifier, challenge } = pkce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      login_hint: 'rex@acme.example',
    });
    const tokens = await client.authorizationCodeGrant(config, await consent(url, 'rex@acme.example'), {
      pkceCodeVerifier: verifier,
    });
    const claims = tokens.claims();
    assert.equal(tokens.refresh_token, undefined, 'no refresh token without offline_access');
    const info = await client.fetchUserInfo(config, tokens.access_token, claims?.sub ?? '');
    assert.equal(info.email, 'rex@acme.example');
    assert.equal(info.name, 'Rex Recruiter');
  });
});
