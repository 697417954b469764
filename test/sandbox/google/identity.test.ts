import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { testSandbox } from '../../support/sandbox.ts';
import { CLIENT, decide, GMAIL_READONLY, newUser, openConsent, REDIRECT, registerClient } from './helpers.ts';

const sandbox = await testSandbox();
const issuer = `${sandbox.url}/google`;

/** google-auth-library's client, pointed at the sandbox with its documented `endpoints` and `issuers` options. */
const client = () =>
  new OAuth2Client({
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    redirectUri: REDIRECT,
    endpoints: {
      oauth2AuthBaseUrl: `${issuer}/o/oauth2/v2/auth`,
      oauth2TokenUrl: `${issuer}/token`,
      oauth2RevokeUrl: `${issuer}/revoke`,
      tokenInfoUrl: `${issuer}/tokeninfo`,
      oauth2FederatedSignonPemCertsUrl: `${issuer}/oauth2/v1/certs`,
      oauth2FederatedSignonJwkCertsUrl: `${issuer}/oauth2/v3/certs`,
    },
    // The sandbox's id_tokens name it as their issuer, not https://accounts.google.com (docs/sandbox.md).
    issuers: [issuer],
  });

let email: string;
let tokens: { access_token?: string | null; id_token?: string | null; refresh_token?: string | null };

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  const oauth = client();
  const { codeVerifier, codeChallenge } = await oauth.generateCodeVerifierAsync();
  const url = oauth.generateAuthUrl({
    access_type: 'offline',
    scope: ['openid', 'email', 'profile', GMAIL_READONLY],
    code_challenge: codeChallenge ?? '',
    code_challenge_method: CodeChallengeMethod.S256,
    login_hint: email,
  });
  const consent = await openConsent(url);
  const back = await decide(sandbox, consent.pending ?? '', email, 'allow');
  tokens = (await oauth.getToken({ code: back?.searchParams.get('code') ?? '', codeVerifier })).tokens;
});

describe('Google identity: the keys and tokeninfo google-auth-library uses', () => {
  it('serves /oauth2/v1/certs as PEM X.509 certificates by kid, the same key as the JWK set', async () => {
    const response = await fetch(`${issuer}/oauth2/v1/certs`);
    assert.match(response.headers.get('cache-control') ?? '', /max-age=\d+/);
    const pems = (await response.json()) as Record<string, string>;
    const jwks = (await (await fetch(`${issuer}/oauth2/v3/certs`)).json()) as { keys: { kid: string }[] };
    assert.deepEqual(
      Object.keys(pems),
      jwks.keys.map((key) => key.kid),
    );
    const { X509Certificate } = await import('node:crypto');
    const cert = new X509Certificate(Object.values(pems)[0] ?? '');
    assert.equal(cert.publicKey.asymmetricKeyType, 'rsa');
    assert.ok(cert.checkIssued(cert), 'self-signed');
  });

  it('verifyIdToken checks the id_token against the PEM certificates and answers its claims', async () => {
    const ticket = await client().verifyIdToken({
      idToken: tokens.id_token ?? '',
      audience: CLIENT.clientId,
    });
    const payload = ticket.getPayload();
    assert.equal(payload?.email, email);
    assert.equal(payload?.aud, CLIENT.clientId);
    assert.equal(payload?.iss, issuer);
    assert.equal(payload?.email_verified, true);
  });

  it('verifyIdToken refuses a token whose signature was tampered with, and one for another audience', async () => {
    const [head, body, signature = ''] = (tokens.id_token ?? '').split('.');
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await assert.rejects(
      client().verifyIdToken({ idToken: `${head}.${body}.${flipped}`, audience: CLIENT.clientId }),
      /Invalid token signature/,
    );
    await assert.rejects(
      client().verifyIdToken({ idToken: tokens.id_token ?? '', audience: 'someone-else' }),
      /Wrong recipient/,
    );
  });

  it('getTokenInfo answers the access token’s scopes, audience, subject, email and expiry', async () => {
    const info = await client().getTokenInfo(tokens.access_token ?? '');
    assert.deepEqual(info.scopes.sort(), [
      GMAIL_READONLY,
      'https://www.googleapis.com/auth/userinfo.email',
      'https://www.googleapis.com/auth/userinfo.profile',
      'openid',
    ]);
    assert.equal(info.aud, CLIENT.clientId);
    assert.equal(info.azp, CLIENT.clientId);
    assert.equal(info.email, email);
    assert.equal(info.access_type, 'offline');
    assert.match(info.sub ?? '', /^\d{21}$/);
    assert.ok(info.expiry_date > Date.now() + 3_000_000 && info.expiry_date <= Date.now() + 3_600_000);
  });

  it('tokeninfo answers 400 invalid_token for an unknown or revoked token, and reads an id_token by query', async () => {
    await assert.rejects(
      client().getTokenInfo('ya29.unknown'),
      (error: { status?: number; response?: { data?: unknown } }) => {
        assert.equal(error.status, 400);
        assert.deepEqual(error.response?.data, {
          error: 'invalid_token',
          error_description: 'Invalid Value',
        });
        return true;
      },
    );
    const byId = await fetch(`${issuer}/tokeninfo?id_token=${tokens.id_token}`);
    const claims = (await byId.json()) as Record<string, string>;
    assert.equal(claims.email, email);
    assert.equal(claims.email_verified, 'true');
    assert.equal(claims.alg, 'RS256');
    await client().revokeToken(tokens.access_token ?? '');
    await assert.rejects(client().getTokenInfo(tokens.access_token ?? ''), { status: 400 });
  });
});
