import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bigInts, CONTENT_TYPES, webhookArbitraries } from '../support/fuzz-webhooks.ts';
import { webhookTest } from '../support/webhooks.ts';

const hooks = await webhookTest();
const { probe, work, graph, other, gmail } = hooks;
const token = await gmail.sign();

/** Every answer a hostile body may get; 500 is not among them. */
const ANSWERS = new Set([200, 202, 400, 401, 404, 413, 415]);
/** The most statements any request may cost (see test/http/webhooks-hardening.test.ts). */
const STATEMENTS_PER_REQUEST = 2;
const { route, query, authorization, graphBody, gmailBody, jsonBody } = webhookArbitraries({
  graph,
  other,
  gmail,
  token,
});

/** Sends one request to the probe app and checks what any request must satisfy. */
async function send(input: {
  path: string;
  contentType: string;
  payload: string | Buffer;
  authorization?: string | undefined;
}) {
  hooks.reset();
  const response = await probe.inject({
    method: 'POST',
    url: input.path,
    headers: {
      'content-type': input.contentType,
      ...(input.authorization ? { authorization: input.authorization } : {}),
    },
    payload: input.payload,
  });
  const where = `${input.path} ${input.contentType}: ${response.statusCode} ${response.body.slice(0, 200)}`;
  assert.ok(ANSWERS.has(response.statusCode), where);
  assert.ok(
    work.statements.length <= STATEMENTS_PER_REQUEST,
    `${work.statements.length} statements: ${where}`,
  );
  if (response.statusCode === 200) {
    assert.match(input.path, /^\/webhooks\/microsoft(\/lifecycle)?\?validationToken=/, where);
    assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
  }
  if (response.statusCode !== 202) assert.equal(work.statements.length, 0, `no work for a refusal: ${where}`);
  return response;
}

describe('webhook fuzzing (fast-check): no 500, no hang, bounded database work', () => {
  it('hardening: Graph notification batches of authentic, forged and malformed entries', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/webhooks/microsoft', '/webhooks/microsoft/lifecycle'),
        graphBody,
        async (path, body) => {
          await send({ path, contentType: 'application/json', payload: JSON.stringify(body) });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hardening: Gmail pushes, signed or not, with any notification inside', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(authorization, gmailBody, async (auth, body) => {
        await send({
          path: '/webhooks/google',
          contentType: 'application/json',
          payload: JSON.stringify(body),
          authorization: auth,
        });
      }),
      { numRuns: 200 },
    );
  });

  it('hardening: any JSON, query and content type through the three webhook routes', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        route,
        query,
        authorization,
        jsonBody,
        fc.constantFrom(...CONTENT_TYPES),
        async (path, search, auth, body, contentType) => {
          await send({
            path: `${path}${search}`,
            contentType,
            payload: JSON.stringify(body, bigInts) ?? '',
            authorization: auth,
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hardening: random bytes (invalid UTF-8 included) under any content type', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        route,
        authorization,
        fc.uint8Array({ maxLength: 4096 }),
        fc.constantFrom(...CONTENT_TYPES),
        async (path, auth, bytes, contentType) => {
          await send({ path, contentType, payload: Buffer.from(bytes), authorization: auth });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hardening: deep nesting and huge arrays up to and past the body limits', {
    timeout: 120_000,
  }, async () => {
    const shapes = {
      nestedArrays: (n: number) => `{"value":${'['.repeat(n)}${']'.repeat(n)}}`,
      nestedObjects: (n: number) => `{"value":[${'{"a":'.repeat(n)}1${'}'.repeat(n)}]}`,
      unbalanced: (n: number) => `{"value":${'['.repeat(n)}`,
      manyEntries: (n: number) => `{"value":[${Array(n).fill('{}').join(',')}]}`,
      manyForged: (n: number) =>
        JSON.stringify({
          value: Array.from({ length: n }, (_, i) => ({
            subscriptionId: graph.subscriptionId,
            clientState: `${i}`,
          })),
        }),
    };
    await fc.assert(
      fc.asyncProperty(
        route,
        fc.constantFrom(...(Object.keys(shapes) as (keyof typeof shapes)[])),
        fc.integer({ min: 1, max: 400_000 }),
        async (path, shape, size) => {
          const count = shape === 'manyForged' ? Math.min(size, 20_000) : size;
          await send({
            path,
            contentType: 'application/json',
            payload: shapes[shape](count),
            authorization: `Bearer ${token}`,
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});
