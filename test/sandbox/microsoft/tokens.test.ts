import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as client from 'openid-client';
import {
  APP,
  graphFetch,
  json,
  type MicrosoftSandbox,
  microsoftSandbox,
  pkce,
  postForm,
  REDIRECT_URI,
  readForm,
  signIn,
} from './helpers.ts';

const sandbox = await microsoftSandbox();
const strict = await microsoftSandbox({ microsoft: { usedRefreshTokens: 'refuse' } });
for (const box of [sandbox, strict]) {
  await box.control.post('/microsoft/users', { email: 'rex@acme.example', name: 'Rex Recruiter' });
  await box.control.post('/microsoft/users', { email: 'amy@acme.example', name: 'Amy' });
}
const { tenantId: entraTenantId } = await sandbox.control.get<{ tenantId: string }>(
  '/microsoft/users/rex@acme.example',
);
const { tenantId } = await strict.control.get<{ tenantId: string }>('/microsoft/users/rex@acme.example');

async function token(box: MicrosoftSandbox, form: Record<string, string>, tenant = 'common') {
  const response = await fetch(`${box.url}/microsoft/login/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: await json(response) };
}

/** A fresh authorization code for rex, with its PKCE verifier. */
async function code(box: MicrosoftSandbox, tenant = 'common', scope = 'openid offline_access Mail.Read') {
  const { verifier, challenge } = pkce();
  const url = new URL(`${box.url}/microsoft/login/${tenant}/oauth2/v2.0/authorize`);
  for (const [name, value] of Object.entries({
    client_id: APP.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })) {
    url.searchParams.set(name, value);
  }
  const form = readForm(await (await fetch(url)).text());
  const answer = await postForm(form.action, {
    ...form.fields,
    login: 'rex@acme.example',
    decision: 'accept',
  });
  return { code: new URL(answer.headers.get('location') ?? '').searchParams.get('code') ?? '', verifier };
}

const redeem = (
  box: MicrosoftSandbox,
  grant: { code: string; verifier: string },
  extra: Record<string, string> = {},
  tenant = 'common',
) =>
  token(
    box,
    {
      grant_type: 'authorization_code',
      code: grant.code,
      redirect_uri: REDIRECT_URI,
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
      code_verifier: grant.verifier,
      ...extra,
    },
    tenant,
  );

const refresh = (box: MicrosoftSandbox, refreshToken: string, extra: Record<string, string> = {}) =>
  token(box, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: APP.clientId,
    client_secret: APP.clientSecret,
    ...extra,
  });

describe('refresh tokens rotate', () => {
  test("with the usedRefreshTokens 'refuse' fault, openid-client gets a new refresh token and the old one is then refused (AADSTS70008)", async () => {
    const config = await client.discovery(
      new URL(`${strict.url}/microsoft/login/${tenantId}/v2.0`),
      APP.clientId,
      APP.clientSecret,
      undefined,
      {
        execute: [client.allowInsecureRequests],
      },
    );
    const first = await signIn(strict, 'rex@acme.example', { tenant: tenantId });
    const second = await client.refreshTokenGrant(config, first.refresh_token ?? '');
    assert.ok(second.refresh_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal((await graphFetch(strict, second.access_token, 'me')).status, 200);
    const third = await client.refreshTokenGrant(config, second.refresh_token ?? '');
    assert.notEqual(third.refresh_token, second.refresh_token);
    await assert.rejects(
      client.refreshTokenGrant(config, first.refresh_token ?? ''),
      (error: client.ResponseBodyError) => {
        assert.equal(error.error, 'invalid_grant');
        assert.match(error.error_description ?? '', /^AADSTS70008: /);
        return true;
      },
    );
  });

  test('by default an exchanged refresh token keeps working: Entra "doesn\'t revoke old refresh tokens when used"', async () => {
    const config = await client.discovery(
      new URL(`${sandbox.url}/microsoft/login/${entraTenantId}/v2.0`),
      APP.clientId,
      APP.clientSecret,
      undefined,
      { execute: [client.allowInsecureRequests] },
    );
    const first = await signIn(sandbox, 'rex@acme.example', { tenant: entraTenantId });
    const second = await client.refreshTokenGrant(config, first.refresh_token ?? '');
    assert.notEqual(second.refresh_token, first.refresh_token);
    const again = await client.refreshTokenGrant(config, first.refresh_token ?? '');
    assert.ok(again.refresh_token);
    assert.notEqual(again.refresh_token, second.refresh_token);
    assert.equal((await graphFetch(sandbox, again.access_token, 'me')).status, 200);
  });

  test('the strict mode is a fault option of the control API, and reset turns it off again', async () => {
    assert.deepEqual(await sandbox.control.get('/microsoft/settings'), {
      usedRefreshTokens: 'allow',
      allowHttpNotificationUrls: false,
    });
    const first = await signIn(sandbox, 'rex@acme.example');
    const second = await refresh(sandbox, first.refresh_token ?? '');
    assert.equal(second.status, 200);
    await sandbox.control.post('/microsoft/settings', { usedRefreshTokens: 'refuse' });
    const refused = await refresh(sandbox, first.refresh_token ?? '');
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body.error_codes, [70008]);
    assert.equal((await refresh(sandbox, second.body.refresh_token)).status, 200, 'the newest still works');
    const bad = await fetch(`${sandbox.url}/_sandbox/microsoft/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ usedRefreshTokens: 'sometimes' }),
    });
    assert.equal(bad.status, 400);
    const fresh = await microsoftSandbox();
    await fresh.control.post('/microsoft/settings', { usedRefreshTokens: 'refuse' });
    await fresh.control.post('/reset');
    assert.equal(
      (await fresh.control.get<{ usedRefreshTokens: string }>('/microsoft/settings')).usedRefreshTokens,
      'allow',
    );
    await sandbox.control.post('/microsoft/settings', { usedRefreshTokens: 'allow' });
  });

  test('a refresh may ask for any consented scope, but not for one never consented (AADSTS65001)', async () => {
    const first = await signIn(sandbox, 'rex@acme.example', {
      scope: 'openid offline_access Mail.Read User.Read',
    });
    const narrowed = await refresh(sandbox, first.refresh_token ?? '', {
      scope: 'https://graph.microsoft.com/Mail.Read offline_access',
    });
    assert.equal(narrowed.status, 200);
    assert.equal(narrowed.body.scope, 'Mail.Read offline_access');
    const widened = await refresh(sandbox, narrowed.body.refresh_token, {
      scope: 'Mail.Send offline_access',
    });
    assert.equal(widened.status, 400);
    assert.equal(widened.body.error, 'invalid_grant');
    assert.deepEqual(widened.body.error_codes, [65001]);
  });

  test('without offline_access there is no refresh token; without openid no id_token', async () => {
    const tokens = await redeem(sandbox, await code(sandbox, 'common', 'Mail.Read'));
    assert.equal(tokens.status, 200);
    assert.equal(tokens.body.refresh_token, undefined);
    assert.equal(tokens.body.id_token, undefined);
    assert.equal(tokens.body.scope, 'Mail.Read', 'short names, as Entra reports Graph permissions');
  });
});

describe('the token endpoint refuses with documented AADSTS errors', () => {
  test('error bodies carry error, AADSTS description, codes, timestamp, trace and correlation ids, error_uri', async () => {
    const { status, body } = await token(sandbox, {
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    });
    assert.equal(status, 400);
    assert.deepEqual(Object.keys(body).sort(), [
      'correlation_id',
      'error',
      'error_codes',
      'error_description',
      'error_uri',
      'timestamp',
      'trace_id',
    ]);
    assert.equal(body.error, 'invalid_request');
    assert.deepEqual(body.error_codes, [900144]);
    assert.match(body.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    assert.match(body.trace_id, /^[0-9a-f-]{36}$/);
    assert.equal(body.error_uri, 'https://login.microsoftonline.com/error?code=900144');
    assert.match(
      body.error_description,
      /^AADSTS900144: The request body must contain the following parameter: 'grant_type'\.\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: /,
    );
  });

  test('a wrong or missing client secret is invalid_client with 401', async () => {
    const wrong = await redeem(sandbox, await code(sandbox), { client_secret: 'guess' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    assert.deepEqual(wrong.body.error_codes, [7000215]);
    const missing = await redeem(sandbox, await code(sandbox), { client_secret: '' });
    assert.deepEqual(missing.body.error_codes, [7000218]);
    const unknown = await redeem(sandbox, await code(sandbox), { client_id: 'someone-else' });
    assert.equal(unknown.body.error, 'unauthorized_client');
    assert.deepEqual(unknown.body.error_codes, [700016]);
  });

  test('a code is good once (AADSTS54005), with its own verifier (501481) and redirect URI (500112)', async () => {
    const grant = await code(sandbox);
    assert.deepEqual(
      (await redeem(sandbox, grant, { code_verifier: pkce().verifier })).body.error_codes,
      [501481],
    );
    assert.deepEqual(
      (await redeem(sandbox, grant, { redirect_uri: 'https://talentsync.test/other' })).body.error_codes,
      [500112],
    );
    assert.equal((await redeem(sandbox, grant)).status, 200);
    const reused = await redeem(sandbox, grant);
    assert.equal(reused.body.error, 'invalid_grant');
    assert.deepEqual(reused.body.error_codes, [54005]);
    assert.deepEqual((await redeem(sandbox, { code: 'made-up', verifier: 'x' })).body.error_codes, [70000]);
  });

  test('a code must be redeemed at the authority it was issued for (AADSTS700005)', async () => {
    const answer = await redeem(sandbox, await code(sandbox, tenantId), {}, 'common');
    assert.equal(answer.body.error, 'invalid_grant');
    assert.deepEqual(answer.body.error_codes, [700005]);
  });

  test('an unknown grant type or refresh token is refused', async () => {
    const grant = await token(sandbox, {
      grant_type: 'password',
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    });
    assert.equal(grant.body.error, 'unsupported_grant_type');
    const garbage = await refresh(sandbox, 'not-a-token');
    assert.equal(garbage.body.error, 'invalid_grant');
    assert.deepEqual(garbage.body.error_codes, [9002313]);
  });

  test('a PKCE plain challenge is checked too', async () => {
    const url = new URL(`${sandbox.url}/microsoft/login/common/oauth2/v2.0/authorize`);
    for (const [name, value] of Object.entries({
      client_id: APP.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'Mail.Read',
      code_challenge: 'plain-verifier-of-at-least-43-characters-0123456789',
      code_challenge_method: 'plain',
    })) {
      url.searchParams.set(name, value);
    }
    const form = readForm(await (await fetch(url)).text());
    const answer = await postForm(form.action, {
      ...form.fields,
      login: 'rex@acme.example',
      decision: 'accept',
    });
    const issued = new URL(answer.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tokens = await redeem(sandbox, {
      code: issued,
      verifier: 'plain-verifier-of-at-least-43-characters-0123456789',
    });
    assert.equal(tokens.status, 200);
  });
});

describe('grants end', () => {
  test('revoking a user refuses refresh (AADSTS50173) and Graph calls (401)', async () => {
    const tokens = await signIn(sandbox, 'amy@acme.example');
    assert.equal((await graphFetch(sandbox, tokens.access_token, 'me')).status, 200);
    const { revoked } = await sandbox.control.post<{ revoked: number }>(
      '/microsoft/users/amy@acme.example/revoke',
    );
    assert.equal(revoked, 1);
    const refused = await refresh(sandbox, tokens.refresh_token ?? '');
    assert.equal(refused.body.error, 'invalid_grant');
    assert.deepEqual(refused.body.error_codes, [50173]);
    const call = await graphFetch(sandbox, tokens.access_token, 'me');
    assert.equal(call.status, 401);
    assert.equal((await json(call)).error.code, 'InvalidAuthenticationToken');
    const user = await sandbox.control.get<{ grants: { revoked: boolean }[] }>(
      '/microsoft/users/amy@acme.example',
    );
    assert.deepEqual(
      user.grants.map((grant) => grant.revoked),
      [true],
    );
  });

  test('access tokens expire after 3,599 s of sandbox time; the refresh token still works', async () => {
    const tokens = await signIn(strict, 'rex@acme.example');
    assert.equal(tokens.expires_in, 3599);
    await strict.control.post('/clock', { advanceMs: 3599 * 1000 });
    const expired = await graphFetch(strict, tokens.access_token, 'me');
    assert.equal(expired.status, 401);
    assert.match(expired.headers.get('www-authenticate') ?? '', /^Bearer /);
    assert.match((await json(expired)).error.message, /Lifetime validation failed, the token is expired/);
    const renewed = await refresh(strict, tokens.refresh_token ?? '');
    assert.equal((await graphFetch(strict, renewed.body.access_token, 'me')).status, 200);
  });

  test('a refresh token unused for 90 days expires (AADSTS700082), and a code after 10 minutes (AADSTS70008)', async () => {
    const tokens = await signIn(strict, 'rex@acme.example');
    const grant = await code(strict);
    await strict.control.post('/clock', { advanceMs: 11 * 60 * 1000 });
    assert.deepEqual((await redeem(strict, grant)).body.error_codes, [70008]);
    await strict.control.post('/clock', { advanceMs: 91 * 24 * 3600 * 1000 });
    const stale = await refresh(strict, tokens.refresh_token ?? '');
    assert.equal(stale.body.error, 'invalid_grant');
    assert.deepEqual(stale.body.error_codes, [700082]);
  });
});
