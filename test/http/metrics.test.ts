import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/http/app.ts';
import { TEST_METRICS_TOKEN, testApp } from '../support/app.ts';

const t = await testApp();
const { admin } = await t.organization();

describe('/metrics', () => {
  it('hardening: /metrics answers 401 without the bearer token, and only the token opens it', async () => {
    const anonymous = await t.call(undefined, 'GET', '/metrics');
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().error.code, 'unauthenticated');
    assert.match(String(anonymous.headers['www-authenticate']), /^Bearer/);
    for (const presented of [
      'x'.repeat(TEST_METRICS_TOKEN.length),
      TEST_METRICS_TOKEN.slice(0, -1),
      `${TEST_METRICS_TOKEN}x`,
      admin.token,
    ]) {
      const wrong = await t.call(presented, 'GET', '/metrics');
      assert.equal(wrong.statusCode, 401, presented);
      assert.doesNotMatch(wrong.body, /talentsync_/);
    }
    const scraped = await t.call(TEST_METRICS_TOKEN, 'GET', '/metrics');
    assert.equal(scraped.statusCode, 200);
    assert.match(scraped.body, /# TYPE talentsync_/);
  });

  it('hardening: without METRICS_TOKEN there is no /metrics at all (404)', async () => {
    const app = await buildApp({ context: t.context });
    try {
      const response = await app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(response.statusCode, 404);
      assert.doesNotMatch(response.body, /talentsync_/);
    } finally {
      await app.close();
    }
  });
});
