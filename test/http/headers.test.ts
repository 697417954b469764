import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { testApp } from '../support/app.ts';

const t = await testApp();
const { admin } = await t.organization();

/** The headers every answer carries, whatever its kind. */
function assertHardened(response: LightMyRequestResponse): void {
  const csp = String(response.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/, csp);
  assert.match(csp, /frame-ancestors 'none'/, csp);
  assert.doesNotMatch(csp, /unsafe-eval/, csp);
  assert.equal(response.headers['x-content-type-options'], 'nosniff');
  assert.equal(response.headers['x-frame-options'], 'DENY');
  assert.equal(response.headers['referrer-policy'], 'no-referrer');
}

/** A JSON (or plain) answer loads nothing at all. */
function assertApiPolicy(response: LightMyRequestResponse): void {
  assertHardened(response);
  const csp = String(response.headers['content-security-policy']);
  for (const directive of ['script-src', 'style-src', 'img-src', 'connect-src']) {
    assert.doesNotMatch(csp, new RegExp(directive), `${directive} in ${csp}`);
  }
  assert.equal(response.headers['cache-control'], 'no-store');
}

describe('security headers', () => {
  it('hardening: a JSON route carries a strict CSP, nosniff, no framing and no referrer', async () => {
    const response = await t.call(admin.token, 'GET', '/api/me');
    assert.equal(response.statusCode, 200);
    assertApiPolicy(response);
  });

  it('hardening: error answers and 404s carry the same headers', async () => {
    const unauthenticated = await t.call(undefined, 'GET', '/api/me');
    assert.equal(unauthenticated.statusCode, 401);
    assertApiPolicy(unauthenticated);
    const invalid = await t.call(admin.token, 'GET', '/api/users?limit=-1');
    assert.equal(invalid.statusCode, 400);
    assertApiPolicy(invalid);
    const missing = await t.call(undefined, 'GET', '/no/such/route');
    assert.equal(missing.statusCode, 404);
    assertApiPolicy(missing);
  });

  it('hardening: an OAuth HTML page may style itself inline and load nothing else, and is not cached', async () => {
    const response = await t.call(undefined, 'GET', '/oauth/start/not-a-real-link');
    assert.equal(response.statusCode, 400);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assertHardened(response);
    const csp = String(response.headers['content-security-policy']);
    assert.match(csp, /style-src 'unsafe-inline'/);
    assert.doesNotMatch(csp, /script-src/, 'no script may run on it');
    assert.equal(response.headers['cache-control'], 'no-store');
    // The page renders under that policy: its style is inline, and it needs no script or outside resource.
    assert.match(response.body, /<style>/);
    assert.doesNotMatch(response.body, /<script|<link|<img|src=|url\(/i);
  });

  it('hardening: the Swagger UI gets what it needs from here and nothing from elsewhere; its assets load', async () => {
    const page = await t.call(undefined, 'GET', '/api/docs/');
    assert.equal(page.statusCode, 200);
    assertHardened(page);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /https:|http:|\*/, 'no origin but ours');
    // 'self' admits no inline script: every script of the page is a file, and each of them loads.
    const scripts = [...page.body.matchAll(/<script([^>]*)>/g)].map((match) => match[1] ?? '');
    assert.ok(scripts.length > 0);
    const assets = [
      ...scripts.map((attributes) => /src="([^"]+)"/.exec(attributes)?.[1]),
      ...[...page.body.matchAll(/<link[^>]*href="([^"]+)"/g)].map((match) => match[1]),
    ];
    for (const asset of assets) {
      assert.ok(asset, 'a script without src would be inline');
      assert.doesNotMatch(asset, /^(https?:)?\/\//, `${asset} is ours`);
      const loaded = await t.call(undefined, 'GET', new URL(asset, 'http://x/api/docs/').pathname);
      assert.equal(loaded.statusCode, 200, asset);
    }
    // However the docs are linked to: a query string does not cost them their scripts.
    const linked = await t.call(undefined, 'GET', '/api/docs?from=readme');
    assert.equal(linked.statusCode, 200);
    assert.match(String(linked.headers['content-security-policy']), /script-src 'self'(;|$)/);
    const spec = await t.call(undefined, 'GET', '/api/docs/json');
    assert.equal(spec.statusCode, 200);
    assert.equal(spec.json().openapi, '3.1.0');
  });
});
