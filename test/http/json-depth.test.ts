import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../src/http/json-depth.ts';
import { testApp } from '../support/app.ts';

const t = await testApp();
const { admin } = await t.organization();

describe('JSON nesting', () => {
  it('hardening: a body nested deeper than the limit is refused before parsing, on API routes and public webhooks', async () => {
    const deep = (depth: number) => `{"name":"ok","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    for (const url of ['/api/me', '/webhooks/microsoft', '/webhooks/google']) {
      for (const depth of [MAX_JSON_DEPTH, 500_000]) {
        const response = await t.app.inject({
          method: url === '/api/me' ? 'PATCH' : 'POST',
          url,
          headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
          payload: deep(depth),
        });
        // A webhook's own body cap (Gmail 16 KiB; 16 KiB for a provider not configured) may refuse the huge
        // one first: 413 is as good, since neither is parsed.
        if (url !== '/api/me' && response.statusCode === 413) continue;
        assert.equal(response.statusCode, 400, `${url} at ${depth}: ${response.body}`);
        assert.deepEqual(response.json().error, {
          code: 'bad_request',
          message: `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`,
        });
      }
    }
    const shallow = await t.call(admin.token, 'PATCH', '/api/me', { name: 'Nested OK' });
    assert.equal(shallow.statusCode, 200, 'ordinary bodies are parsed as before');
  });

  it('counts only brackets outside strings, escaped quotes included', () => {
    assert.equal(nestsDeeperThan('[[1]]', 2), false);
    assert.equal(nestsDeeperThan('[[[1]]]', 2), true);
    assert.equal(nestsDeeperThan('{"a":"[[[[[[","b":{"c":[]}}', 3), false);
    assert.equal(nestsDeeperThan('["\\\\", [[["\\"[[["]]]]', 3), true);
    assert.equal(nestsDeeperThan('["\\"]]]]"', 1), false);
    assert.equal(nestsDeeperThan(`[${'[]'.repeat(100_000)}]`, 2), false, 'siblings do not add up');
  });
});
