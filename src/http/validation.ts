/**
 * How request schemas are compiled: JSON bodies exactly as sent, everything else coerced from text.
 *
 * A JSON body carries its own types, so a string where a number belongs is the caller's mistake and is
 * refused (Ajv's `coerceTypes` would turn `"5"`, `true` or `null` into 5, 1 or 0, and a string into a
 * one-item array). Query strings, path parameters and headers are text on the wire, so they are coerced
 * to the schema's types; Ajv then lets `Infinity` (from `Infinity` or `1e400`) past the bounds of a number
 * (it checks bounds only for finite numbers), so those parts also refuse any number that is not finite.
 *
 * An API route that declares no body takes none: a body with any field is refused like an unknown field.
 * Likewise for query strings: an unknown query parameter is refused with 400, never ignored, so a caller
 * who misspells a filter learns it instead of reading an unfiltered answer.
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { AppError, type FieldProblem } from '../domain/errors.ts';

type ValidatorFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>['buildValidator'];
type Issue = { instancePath: string; schemaPath: string; keyword: string; params: object; message: string };
type Validate = ((data: unknown, context?: object) => boolean) & { errors?: unknown; schemaEnv?: unknown };

const shared = { removeAdditional: false, useDefaults: true, allErrors: false } as const;

/** A `schemaController.compilersFactory.buildValidator`: one Ajv setup for bodies, one for text parts. */
export function validatorFactory(): ValidatorFactory {
  const bodies = AjvCompiler();
  const text = AjvCompiler();
  return (externalSchemas) => {
    const schemas = externalSchemas as Parameters<typeof bodies>[0];
    const forBodies = bodies(schemas, { customOptions: { ...shared, coerceTypes: false } });
    const forText = text(schemas, { customOptions: { ...shared, coerceTypes: 'array' } });
    return (route) => {
      if (route.httpPart === 'body') return forBodies(route);
      const validate = forText(route) as Validate;
      const checked: Validate = (data, context) => {
        const valid = validate(data, context);
        checked.errors = valid ? nonFinite(data) : validate.errors;
        return !checked.errors;
      };
      // Fastify passes the request as parent data to validators that have it, so Ajv may coerce in place.
      checked.schemaEnv = validate.schemaEnv;
      return checked as unknown as ReturnType<typeof forText>;
    };
  };
}

const WITH_BODY = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Makes every API route that could carry a body and declares none refuse one that is not empty (`{}` and
 * `null` are empty), the way a schema refuses an unknown field. A hook rather than an added schema, so the
 * OpenAPI document does not show a body these routes do not take.
 */
export function refuseUndeclaredBodies(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (!route.url.startsWith('/api/') || route.schema?.body) return;
    if (!methods.some((method) => WITH_BODY.includes(method))) return;
    route.preValidation = [route.preValidation ?? []].flat().concat(async (request) => {
      const problem = undeclared(request.body);
      if (problem) throw new AppError('validation_failed', `${problem.field}: ${problem.message}`, [problem]);
    });
  });
}

/** A query string that accepts no parameter at all. */
const NO_QUERY = { type: 'object', properties: {}, additionalProperties: false } as const;

/**
 * Makes every API route refuse unknown query parameters: a route that declares no query string gets one
 * that accepts nothing, and a route whose query string schema is open fails at start-up, so no route can
 * forget it (`test/http/query-strings.test.ts` walks the OpenAPI document to check the outcome).
 */
export function refuseUnknownQueryParameters(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const querystring = route.schema?.querystring as { additionalProperties?: unknown } | undefined;
    if (querystring === undefined) {
      route.schema = { ...route.schema, querystring: NO_QUERY };
      return;
    }
    if (querystring.additionalProperties !== false) {
      throw new Error(`${route.url}: its querystring schema must set additionalProperties: false`);
    }
  });
}

function undeclared(body: unknown): FieldProblem | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body))
    return { field: 'body', message: 'this route takes no body' };
  const [field] = Object.keys(body);
  return field === undefined ? undefined : { field, message: 'is not an accepted field' };
}

/** The first number in a coerced part that is not finite, as an Ajv issue naming its field. */
function nonFinite(data: unknown): Issue[] | null {
  if (data === null || typeof data !== 'object') return null;
  for (const [field, value] of Object.entries(data)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    const index = values.findIndex((item) => typeof item === 'number' && !Number.isFinite(item));
    if (index === -1) continue;
    const at = Array.isArray(value) ? `/${field}/${index}` : `/${field}`;
    return [
      {
        instancePath: at,
        schemaPath: '#',
        keyword: 'finite',
        params: {},
        message: 'must be a finite number',
      },
    ];
  }
  return null;
}
