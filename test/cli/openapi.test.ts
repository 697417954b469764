/**
 * The OpenAPI document a newcomer reads at /api/docs: shared schemas named for what they are, every
 * reference resolvable, every operation summarized.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testApp } from '../support/app.ts';

const t = await testApp();

describe('the OpenAPI document', () => {
  it('names its components meaningfully (no def-0), resolves every $ref, and gives every operation a summary', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(response.statusCode, 200);
    const document = response.json();
    const components = Object.keys(document.components?.schemas ?? {});
    assert.ok(components.includes('Error'), `components: ${components.join(', ')}`);
    for (const name of components) assert.doesNotMatch(name, /^def-\d+$/, 'a numbered component name');

    const refs: string[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (key === '$ref' && typeof inner === 'string') refs.push(inner);
          else walk(inner);
        }
      }
    };
    walk(document.paths);
    assert.ok(refs.length > 0, 'error responses refer to the shared Error schema');
    for (const ref of refs) {
      const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
      assert.ok(match?.[1] && components.includes(match[1]), `${ref} resolves`);
    }

    let operations = 0;
    for (const [path, methods] of Object.entries<Record<string, { summary?: string; tags?: string[] }>>(
      document.paths,
    )) {
      for (const [method, operation] of Object.entries(methods)) {
        operations += 1;
        assert.ok(
          operation.summary && operation.summary.length > 5,
          `${method.toUpperCase()} ${path} has a summary`,
        );
      }
    }
    assert.ok(operations >= 40, `${operations} operations documented`);
  });
});
