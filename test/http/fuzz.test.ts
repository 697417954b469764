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

interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query: string[];
  bodyFields: string[];
}

/** Every operation the OpenAPI document lists, with its parameter and body field names. */
async function operations(): Promise<Operation[]> {
  const doc = (await t.call(undefined, 'GET', '/api/openapi.json')).json();
  const found: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const parameters = (operation.parameters ?? []) as { in: string; name: string }[];
      const body = operation.requestBody as
        | { content: { 'application/json': { schema: { properties?: object } } } }
        | undefined;
      found.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        bodyFields: Object.keys(body?.content['application/json'].schema.properties ?? {}),
      });
    }
  }
  return found;
}

/** Percent-encodes every UTF-8 byte, so lone surrogates arrive as what a client would send (U+FFFD). */
const percent = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff', '\udc00\ud800', 'Infinity', '-Infinity', 'NaN'),
  fc.constantFrom('1e400', '-0', '0x10', '9007199254740993', '', ' ', '__proto__', 'constructor', 'null'),
  fc.uuid(),
  fc.emailAddress(),
  fc.integer({ min: 200, max: 2000 }).map((n) => 'x'.repeat(n)),
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileText,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileText, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A raw URL fragment: hostile text percent-encoded, or escapes no decoder should choke on. */
const urlPart = fc.oneof(
  hostileText.map(percent),
  fc.constantFrom('%00', '%FF', '%ED%A0%80', '%', '%%', '%G0', '..', '%2e%2e', '%2F', 'a%5Bb%5D'),
);

/** A JSON body as sent: fields the route knows or not, with hostile values; or a hostile document. */
function body(operation: Operation): fc.Arbitrary<string | undefined> {
  const known = operation.bodyFields.length > 0 ? fc.constantFrom(...operation.bodyFields) : hostileText;
  return fc.oneof(
    fc.constant(undefined),
    fc.dictionary(fc.oneof(known, hostileText), hostileValue, { maxKeys: 5 }).map((v) => JSON.stringify(v)),
    hostileValue.map((value) => JSON.stringify(value) ?? 'null'),
    fc
      .tuple(known, fc.integer({ min: 10_000, max: 1_100_000 }))
      .map(([field, size]) => JSON.stringify({ [field]: 'x'.repeat(size) })),
    fc.integer({ min: 1, max: 200_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
    fc.integer({ min: 1, max: 50_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
    fc.constantFrom('{"limit":1e400}', '{"name":"\\u0000"}', '{"name":"\\ud800"}', '{', '[1,]', '"\\ud800"'),
  );
}

function request(operation: Operation) {
  return fc.record({
    caller: fc.constantFrom(...(Object.keys(callers) as (keyof typeof callers)[])),
    params: fc.array(urlPart, { minLength: 3, maxLength: 3 }),
    query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...operation.query, 'x'), urlPart), urlPart), {
      maxLength: 4,
    }),
    body: body(operation),
  });
}

describe('fuzzing the API', () => {
  // The timeout only turns a hang into a failure; nothing here measures speed.
  it('hardening: hostile path parameters, query strings and bodies on every route never get a 5xx', {
    timeout: 600_000,
  }, async () => {
    const all = await operations();
    assert.ok(all.length >= 20, `the OpenAPI document lists the API (${all.length} operations)`);
    const perOperation = Math.max(4, Math.ceil(RUNS / all.length));
    for (const operation of all) {
      await fc.assert(
        fc.asyncProperty(request(operation), async (input) => {
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
        }),
        { numRuns: perOperation },
      );
    }
  });
});
