/** The web app served by the API process: its pages, its assets, its policy, and nothing else. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SHARED_SOURCES, WEB_DIST, WEB_ROOT } from '../../src/cli/web-build.ts';
import { testApp } from '../support/app.ts';

test('the web app: each page answers index.html with a CSP that runs only our own scripts', async () => {
  const { app } = await testApp({ web: true });
  for (const url of ['/', '/threads', '/threads/0f9c2d36-1111-4a4a-9b9b-123456789abc', '/settings']) {
    const answer = await app.inject({ method: 'GET', url });
    assert.equal(answer.statusCode, 200, url);
    assert.match(String(answer.headers['content-type']), /^text\/html/);
    assert.match(answer.body, /<div id="root">/);
    const csp = String(answer.headers['content-security-policy']);
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(answer.headers['x-frame-options'], 'DENY');
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
  }
});

test('the web app: no fallback outside its pages — /api, /oauth, /webhooks and unknown paths keep their 404', async () => {
  const { app } = await testApp({ web: true });
  for (const url of ['/api/nothing', '/oauth/nothing', '/webhooks/nothing', '/_sandbox/x', '/no-such-page']) {
    const answer = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
    assert.equal(answer.statusCode, 404, url);
    assert.equal(answer.json().error.code, 'not_found', url);
  }
});

test('the web app: hashed assets are served and cached for good', async () => {
  const { app } = await testApp({ web: true });
  const script = readdirSync(path.join(WEB_DIST, 'assets')).find((name) => name.endsWith('.js'));
  assert.ok(script);
  const answer = await app.inject({ method: 'GET', url: `/assets/${script}` });
  assert.equal(answer.statusCode, 200);
  assert.match(String(answer.headers['content-type']), /javascript/);
  assert.match(String(answer.headers['cache-control']), /immutable/);
  assert.equal((await app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode, 404);
});

test('the web app builds in only the shared modules of the app (which import nothing), so a change to one rebuilds it', () => {
  const reached = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.tsx?$/.test(file))
        for (const [, from] of readFileSync(file, 'utf8').matchAll(/^import [^;]*? from '(\.[^']+)';$/gm)) {
          const target = path.resolve(dir, from as string);
          if (!target.startsWith(WEB_ROOT)) reached.add(target);
        }
    }
  };
  walk(path.join(WEB_ROOT, 'src'));
  assert.deepEqual([...reached].sort(), [...SHARED_SOURCES].sort());
  for (const shared of SHARED_SOURCES)
    assert.doesNotMatch(readFileSync(shared, 'utf8'), /^import /m, `${shared} imports nothing`);
});

test('the API alone when the app is not served: GET / stays a JSON 404', async () => {
  const { app } = await testApp();
  assert.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 404);
});
