import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { testApp } from '../support/app.ts';

const limits = { authFailures: 3, tokenMints: 2, connectStarts: 2, webhooks: 4, whyLookups: 2 };
const t = await testApp({ config: { rateLimits: limits } });

function assertLimited(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
  assert.equal(response.statusCode, 429);
  assert.deepEqual(Object.keys((response.json() as { error: object }).error), ['code', 'message']);
  assert.equal((response.json() as { error: { code: string } }).error.code, 'rate_limited');
  assert.ok(Number(response.headers['retry-after']) >= 1, 'Retry-After says when to come back');
}

describe('rate limits', () => {
  it('hardening: an address past its failed authentications is refused with 429 before its tokens are looked at', async () => {
    const { admin } = await t.organization();
    const from = (remoteAddress: string, token: string) =>
      t.app.inject({
        method: 'GET',
        url: '/api/me',
        remoteAddress,
        headers: { authorization: `Bearer ${token}` },
      });
    for (let i = 0; i < limits.authFailures; i += 1) {
      assert.equal((await from('203.0.113.7', `tsu_${'0'.repeat(16)}_${'x'.repeat(43)}`)).statusCode, 401);
    }
    assertLimited(await from('203.0.113.7', 'guess'));
    assertLimited(await from('203.0.113.7', admin.token));
    assert.equal(
      (await from('203.0.113.8', admin.token)).statusCode,
      200,
      'other addresses are not affected',
    );
  });

  it('never counts successful authentications', async () => {
    const { admin } = await t.organization();
    for (let i = 0; i < limits.authFailures * 3; i += 1) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/api/me',
        remoteAddress: '203.0.113.9',
        headers: { authorization: `Bearer ${admin.token}` },
      });
      assert.equal(response.statusCode, 200);
    }
  });

  it('hardening: minting tokens is limited per caller, on every route that mints', async () => {
    const { admin } = await t.organization();
    const operator = await t.operator();
    const member = await t.member();
    const cases = [
      { token: admin.token, url: '/api/me/tokens', body: () => ({ name: 'laptop' }) },
      {
        token: admin.token,
        url: '/api/users',
        body: (i: number) => ({ email: `u${i}@x.example`, name: 'U', role: 'member' }),
      },
      { token: operator, url: `/api/members/${member.id}/tokens`, body: () => ({ name: 'sign-in' }) },
    ];
    for (const { token, url, body } of cases) {
      for (let i = 0; i < limits.tokenMints; i += 1) {
        const minted = await t.call(token, 'POST', url, body(i));
        assert.equal(minted.statusCode, 201, `${url}: ${minted.body}`);
      }
      assertLimited(await t.call(token, 'POST', url, body(limits.tokenMints)));
    }
    const { admin: colleagueOfNobody } = await t.organization();
    const unaffected = await t.call(colleagueOfNobody.token, 'POST', '/api/me/tokens', { name: 'x' });
    assert.equal(unaffected.statusCode, 201, 'another caller has their own count');
  });

  it('hardening: starting connections is limited per caller', async () => {
    const { admin, recruiter } = await t.organization();
    for (let i = 0; i < limits.connectStarts; i += 1) {
      const refused = await t.call(recruiter.token, 'POST', '/api/connection');
      assert.equal(refused.json().error.code, 'provider_not_selected', 'counted even when refused');
    }
    assertLimited(await t.call(recruiter.token, 'POST', '/api/connection'));
    for (let i = 0; i < limits.connectStarts; i += 1) {
      await t.call(admin.token, 'POST', '/api/organization/microsoft-admin-consent');
    }
    assertLimited(await t.call(admin.token, 'POST', '/api/organization/microsoft-admin-consent'));
  });

  it('R19: lookups, which may ask the caller’s mailbox, are limited per caller', async () => {
    const { orgId, recruiter } = await t.organization();
    const ask = (token: string) => t.call(token, 'GET', '/api/sync/why?providerMessageId=some-id');
    for (let i = 0; i < limits.whyLookups; i += 1) assert.equal((await ask(recruiter.token)).statusCode, 200);
    assertLimited(await ask(recruiter.token));
    const colleague = await t.user(orgId);
    assert.equal((await ask(colleague.token)).statusCode, 200, 'another caller has their own count');
  });

  it('hardening: a burst of webhook requests from one address is answered 429', async () => {
    const post = (remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: '/webhooks/microsoft', remoteAddress, payload: { value: [] } });
    for (let i = 0; i < limits.webhooks; i += 1) {
      assert.notEqual((await post('198.51.100.1')).statusCode, 429);
    }
    assertLimited(await post('198.51.100.1'));
    assert.notEqual((await post('198.51.100.2')).statusCode, 429, 'other addresses are not affected');
  });

  it('counts the client a trusted proxy names, and ignores X-Forwarded-For from anyone else', async () => {
    const proxied = await testApp({ config: { rateLimits: limits, trustProxy: ['127.0.0.1'] } });
    const { admin } = await proxied.organization();
    const via = (app: typeof t.app, remoteAddress: string, client: string, token: string) =>
      app.inject({
        method: 'GET',
        url: '/api/me',
        remoteAddress,
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client },
      });
    for (let i = 0; i < limits.authFailures; i += 1)
      await via(proxied.app, '127.0.0.1', '192.0.2.1', 'guess');
    assertLimited(await via(proxied.app, '127.0.0.1', '192.0.2.1', admin.token));
    assert.equal((await via(proxied.app, '127.0.0.1', '192.0.2.2', admin.token)).statusCode, 200);

    for (let i = 0; i < limits.authFailures; i += 1)
      await via(t.app, '198.51.100.9', `192.0.2.${i}`, 'guess');
    assertLimited(await via(t.app, '198.51.100.9', '192.0.2.200', 'guess'));
  });

  it('documents the 429 on every limited route of the OpenAPI document', async () => {
    const paths = (await t.call(undefined, 'GET', '/api/openapi.json')).json().paths;
    for (const path of [
      '/api/users',
      '/api/me/tokens',
      '/api/members/{id}/tokens',
      '/api/connection',
      '/api/organization/microsoft-admin-consent',
    ]) {
      assert.ok(paths[path].post.responses['429'], path);
    }
    assert.ok(paths['/api/sync/why'].get.responses['429'], '/api/sync/why');
  });

  it('defaults leave room for ordinary use and can be changed from the environment', () => {
    const defaults = loadConfig({ DATA_DIR: '/tmp/unused' }).rateLimits;
    assert.deepEqual(defaults, {
      authFailures: 30,
      tokenMints: 30,
      connectStarts: 10,
      webhooks: 6000,
      whyLookups: 60,
    });
    const changed = loadConfig({ DATA_DIR: '/tmp/unused', RATE_LIMIT_WEBHOOKS_PER_MINUTE: '50' }).rateLimits;
    assert.equal(changed.webhooks, 50);
    assert.throws(() =>
      loadConfig({ DATA_DIR: '/tmp/unused', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: 'Infinity' }),
    );
  });
});
