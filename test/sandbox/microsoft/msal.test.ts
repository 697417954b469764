/**
 * Conformance: MSAL Node (`@azure/msal-node`), configured as its documentation shows for a confidential
 * client web app, against the sandbox's identity platform over https (`authority` plus `knownAuthorities`,
 * so no instance discovery at login.microsoftonline.com). The token response's short Graph scope names let
 * MSAL's cache answer `acquireTokenSilent`, and `client_info` gives the account its `homeAccountId`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AuthenticationResult, ConfidentialClientApplication, CryptoProvider } from '@azure/msal-node';
import { APP, graphClient, microsoftSandbox, postForm, REDIRECT_URI, readForm } from './helpers.ts';

const sandbox = await microsoftSandbox({ https: true });
const EMAIL = 'rex@acme.example';
const rex = await sandbox.control.post<{ id: string; tenantId: string }>('/microsoft/users', {
  email: EMAIL,
  name: 'Rex Recruiter',
});
const { oid } = await sandbox.control.get<{ oid: string }>(`/microsoft/users/${EMAIL}`);

const SCOPES = ['User.Read', 'Mail.Read'];

const msal = new ConfidentialClientApplication({
  auth: {
    clientId: APP.clientId,
    clientSecret: APP.clientSecret,
    authority: `${sandbox.url}/microsoft/login/common`,
    knownAuthorities: [new URL(sandbox.url).host],
  },
});

/** Calls to the token endpoint the sandbox has answered for rex. */
const tokenCalls = async () => {
  const { rows } = await sandbox.control.get<{ rows: { method: string; calls: number }[] }>(
    `/counters?provider=microsoft&user=${EMAIL}`,
  );
  return rows.find((row) => row.method === 'oauth.token')?.calls ?? 0;
};

/** The documented auth code flow: getAuthCodeUrl, the user consents in a browser, acquireTokenByCode. */
async function signInWithMsal(): Promise<AuthenticationResult> {
  const crypto = new CryptoProvider();
  const { verifier, challenge } = await crypto.generatePkceCodes();
  const url = await msal.getAuthCodeUrl({
    scopes: SCOPES,
    redirectUri: REDIRECT_URI,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    loginHint: EMAIL,
    state: 'state-1',
  });
  const form = readForm(await (await fetch(url)).text());
  const decision = await postForm(form.action, { ...form.fields, login: EMAIL, decision: 'accept' });
  const code = new URL(decision.headers.get('location') ?? '').searchParams.get('code') ?? '';
  assert.ok(code, 'the consent page redirects with a code');
  return msal.acquireTokenByCode({ code, scopes: SCOPES, redirectUri: REDIRECT_URI, codeVerifier: verifier });
}

describe('MSAL Node against the sandbox', () => {
  test('acquireTokenByCode: the account is oid.tid, and the token response names Graph scopes short', async () => {
    const result = await signInWithMsal();
    assert.equal(result.account?.homeAccountId, `${oid}.${rex.tenantId}`);
    assert.equal(result.account?.tenantId, rex.tenantId);
    assert.equal(result.account?.username, EMAIL);
    assert.equal(result.fromCache, false);
    for (const scope of SCOPES) assert.ok(result.scopes.includes(scope), `${scope} in ${result.scopes}`);
    const me = await graphClient(sandbox, result.accessToken).api('/me').get();
    assert.equal(me.id, rex.id);
  });

  test('acquireTokenSilent is served from the cache: no call to the token endpoint', async () => {
    const signedIn = await signInWithMsal();
    const before = await tokenCalls();
    const accounts = await msal.getTokenCache().getAllAccounts();
    const account = accounts.find((entry) => entry.homeAccountId === `${oid}.${rex.tenantId}`);
    assert.ok(account, 'the account is in the cache under its homeAccountId');
    for (const scopes of [SCOPES, ['Mail.Read'], ['User.Read']]) {
      const silent = await msal.acquireTokenSilent({ account, scopes });
      assert.equal(silent.fromCache, true, `${scopes} from the cache`);
      assert.equal(silent.accessToken, signedIn.accessToken);
    }
    assert.equal(await tokenCalls(), before, 'the sandbox saw no token request');

    const refreshed = await msal.acquireTokenSilent({ account, scopes: SCOPES, forceRefresh: true });
    assert.equal(refreshed.fromCache, false);
    assert.notEqual(refreshed.accessToken, signedIn.accessToken);
    assert.equal(
      await tokenCalls(),
      before + 1,
      'a forced refresh is one call, with the cached refresh token',
    );
    assert.equal((await graphClient(sandbox, refreshed.accessToken).api('/me').get()).id, rex.id);
  });
});
