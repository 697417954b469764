/**
 * Hostile API requests for fuzzing (fast-check), route by route from the OpenAPI document: random and
 * hostile path parameters, query strings and JSON bodies (NUL, lone surrogates, invalid percent escapes,
 * huge and non-finite numbers, deep nesting, wrong types, huge strings). Used by test/http/fuzz.test.ts and
 * the chaos run's fuzz (test/chaos/fuzz.chaos.ts, against the running app).
 */
import fc from 'fast-check';
import type { TestApp } from './app.ts';

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query: string[];
  bodyFields: string[];
}

/** Every operation the OpenAPI document lists, with its parameter and body field names. */
export async function operations(t: TestApp): Promise<Operation[]> {
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
export const percent = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

export const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff', '\udc00\ud800', 'Infinity', '-Infinity', 'NaN'),
  fc.constantFrom('1e400', '-0', '0x10', '9007199254740993', '', ' ', '__proto__', 'constructor', 'null'),
  fc.uuid(),
  fc.emailAddress(),
  fc.integer({ min: 200, max: 2000 }).map((n) => 'x'.repeat(n)),
);
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
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
export const urlPart = fc.oneof(
  hostileText.map(percent),
  fc.constantFrom('%00', '%FF', '%ED%A0%80', '%', '%%', '%G0', '..', '%2e%2e', '%2F', 'a%5Bb%5D'),
);

/** A JSON body as sent: fields the route knows or not, with hostile values; or a hostile document. */
export function body(operation: Operation): fc.Arbitrary<string | undefined> {
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

/** A request to `operation`: a caller among `callers`, hostile path parameters, query and body. */
export function request<C extends string>(operation: Operation, callers: readonly C[]) {
  return fc.record({
    caller: fc.constantFrom(...callers),
    params: fc.array(urlPart, { minLength: 3, maxLength: 3 }),
    query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...operation.query, 'x'), urlPart), urlPart), {
      maxLength: 4,
    }),
    body: body(operation),
  });
}
