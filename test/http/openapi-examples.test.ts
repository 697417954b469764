/**
 * The OpenAPI document's examples (src/http/examples.ts): every request body and every successful answer
 * with content has one, the shared error shape has one, and every example anywhere in the document is valid
 * against the schema it stands beside, read strictly: an example field the schema does not declare fails
 * too (the serializer would drop it, so the example would show what clients never get). The demo app is
 * used so the demo's routes are covered as well.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { testApp } from '../support/app.ts';

type Json = { [key: string]: unknown };
type Media = { schema?: Json; example?: unknown; examples?: Record<string, { value: unknown }> };
type Operation = {
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
};

const t = await testApp({ demo: true, demoSandboxUrl: 'http://127.0.0.1:9' });
const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
const document = response.json() as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
};

const ajv = new Ajv2020({ strict: true, allErrors: true });
(formats as unknown as { default: (ajv: Ajv2020) => void }).default(ajv);

/** A media type's examples, wherever the document keeps them (the media type, or its schema). */
function examplesOf(media: Media): unknown[] {
  if (media.example !== undefined) return [media.example];
  if (media.examples) return Object.values(media.examples).map((example) => example.value);
  return Array.isArray(media.schema?.examples) ? media.schema.examples : [];
}

const ANNOTATIONS = new Set(['examples', 'example', 'default', 'enum', 'const', '$id', 'description']);

/**
 * The schema as a validator reads it here: `$ref`s to components inlined, and every object closed to the
 * fields it declares (`unevaluatedProperties: false`, on an `allOf` as a whole rather than on its parts).
 */
function strict(schema: unknown, partOfAllOf = false): unknown {
  if (Array.isArray(schema)) return schema.map((item) => strict(item));
  if (!schema || typeof schema !== 'object') return schema;
  const node = schema as Json;
  const ref = typeof node.$ref === 'string' ? /^#\/components\/schemas\/(.+)$/.exec(node.$ref) : null;
  if (ref?.[1]) return strict(document.components.schemas[ref[1]], partOfAllOf);
  const copy: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$id' || key === 'examples' || key === 'example') continue;
    if (ANNOTATIONS.has(key)) copy[key] = value;
    else if (key === 'allOf') copy.allOf = (value as unknown[]).map((part) => strict(part, true));
    else if (key === 'properties') {
      copy.properties = Object.fromEntries(
        Object.entries(value as Json).map(([name, field]) => [name, strict(field)]),
      );
    } else copy[key] = strict(value);
  }
  const open = !('additionalProperties' in node) && !('unevaluatedProperties' in node);
  if (open && !partOfAllOf && (node.properties || node.allOf)) {
    copy.type ??= 'object';
    copy.unevaluatedProperties = false;
  }
  return copy;
}

let checked = 0;

/** Each problem with `examples` against `schema`, named by `where`. */
function check(where: string, schema: unknown, examples: unknown[]): string[] {
  checked += examples.length;
  const validate = ajv.compile(strict(schema) as Json);
  return examples.flatMap((example, index) =>
    validate(example) ? [] : [`${where} example ${index + 1}: ${ajv.errorsText(validate.errors)}`],
  );
}

/** Every schema node under `value` that carries examples of its own, checked against that node. */
function nestedProblems(where: string, value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => nestedProblems(where, item));
  if (!value || typeof value !== 'object') return [];
  const node = value as Json;
  const own = Array.isArray(node.examples) && (node.type || node.properties || node.anyOf || node.allOf);
  const here = own ? check(where, node, node.examples as unknown[]) : [];
  const inner = Object.entries(node)
    .filter(([key]) => !ANNOTATIONS.has(key))
    .flatMap(([, child]) => nestedProblems(where, child));
  return [...here, ...inner];
}

describe('the OpenAPI document’s examples', () => {
  it('covers every request body and every successful answer with content', () => {
    assert.equal(response.statusCode, 200);
    const missing: string[] = [];
    let operations = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        operations += 1;
        const name = `${method.toUpperCase()} ${path}`;
        for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
          if (examplesOf(media).length === 0) missing.push(`${name}: request body (${type})`);
        }
        for (const [status, answer] of Object.entries(operation.responses)) {
          if (!/^2\d\d$/.test(status)) continue;
          for (const [type, media] of Object.entries(answer.content ?? {})) {
            if (examplesOf(media).length === 0) missing.push(`${name}: ${status} (${type})`);
          }
        }
      }
    }
    assert.ok(operations >= 60, `${operations} operations, the demo's among them`);
    assert.deepEqual(missing, [], 'operations without an example');
    const error = document.components.schemas.Error;
    assert.ok(Array.isArray(error?.examples) && error.examples.length > 0, 'the error shape has an example');
  });

  it('holds only examples valid against their own schemas, undeclared fields refused', () => {
    const problems: string[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const name = `${method.toUpperCase()} ${path}`;
        const media = [
          ...Object.entries(operation.requestBody?.content ?? {}).map(
            ([type, m]) => [`body ${type}`, m] as const,
          ),
          ...Object.entries(operation.responses).flatMap(([status, answer]) =>
            Object.entries(answer.content ?? {}).map(([type, m]) => [`${status} ${type}`, m] as const),
          ),
        ];
        for (const [part, content] of media) {
          const at = `${name} ${part}`;
          if (content.example !== undefined || content.examples) {
            problems.push(...check(at, content.schema, examplesOf(content)));
          }
          problems.push(...nestedProblems(at, content.schema));
        }
      }
    }
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      problems.push(...nestedProblems(`components.schemas.${name}`, schema));
    }
    assert.deepEqual(problems, []);
    assert.ok(checked >= 100, `${checked} examples checked`);
  });

  it('would catch an example that drifted from its schema', () => {
    const user = document.components.schemas.Error as Json;
    const stale = { error: { code: 'not_found', message: 'thread not found', hint: 'renamed field' } };
    assert.equal(check('Error', user, [stale]).length, 1);
    assert.equal(check('Error', user, [{ error: { code: 'not_found' } }]).length, 1);
  });
});
