/**
 * Hostile requests through every route of the OpenAPI document, as each kind of caller: random and
 * hostile path parameters, query strings and JSON bodies (NUL, lone surrogates, invalid percent
 * escapes, huge and non-finite numbers, deep nesting, wrong types, huge strings). Every answer must be
 * one the API meant to give: never a 5xx, always the error shape on failure. `FUZZ_RUNS` runs longer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { testApp } from '../support/app.ts';
import { operations, request } from '../support/fuzz-api.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const unlimited = { authFailures: 1e6, tokenMints: 1e6, connectStarts: 1e6, webhooks: 1e6, whyLookups: 1e6 };
const t = await testApp({ config: { rateLimits: unlimited } });
const org = await t.organization();
const member = await t.member();
const callers = {
  recruiter: org.recruiter.token,
  admin: org.admin.token,
  member: member.token,
  operator: await t.operator(),
  forger: `tsu_${'0'.repeat(16)}_${'A'.repeat(43)}`,
};

describe('fuzzing the API', () => {
  // The timeout only turns a hang into a failure; nothing here measures speed.
  it('hardening: hostile path parameters, query strings and bodies on every route never get a 5xx', {
    timeout: 600_000,
  }, async () => {
    const all = await operations(t);
    assert.ok(all.length >= 20, `the OpenAPI document lists the API (${all.length} operations)`);
    const perOperation = Math.max(4, Math.ceil(RUNS / all.length));
    for (const operation of all) {
      await fc.assert(
        fc.asyncProperty(
          request(operation, Object.keys(callers) as (keyof typeof callers)[]),
          async (input) => {
            let index = 0;
            const path = operation.path.replace(/\{[^}]+\}/g, () => input.params[index++] ?? '');
            const query = input.query.map(([key, value]) => `${key}=${value}`).join('&');
            const response = await t.app.inject({
              method: operation.method,
              url: query ? `${path}?${query}` : path,
              headers: {
                authorization: `Bearer ${callers[input.caller]}`,
                ...(input.body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              ...(input.body === undefined ? {} : { payload: input.body }),
            });
            const label = `${operation.method} ${path}?${query} as ${input.caller}: ${response.body.slice(0, 300)}`;
            assert.ok(response.statusCode < 500, label);
            if (response.statusCode >= 400) assert.equal(typeof response.json().error.code, 'string', label);
          },
        ),
        { numRuns: perOperation },
      );
    }
  });
});
