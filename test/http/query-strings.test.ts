import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { testApp } from '../support/app.ts';

const t = await testApp();

interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  schema?: { format?: string; minLength?: number; type?: string };
}

/** A value the parameter's schema accepts, so that only the unknown parameter can be refused. */
function validValue(parameter: Parameter): string {
  if (parameter.schema?.format === 'uuid') return randomUUID();
  if (parameter.schema?.type === 'integer') return '1';
  return 'x'.repeat(Math.max(parameter.schema?.minLength ?? 1, 1));
}

describe('R17: unknown query parameters are refused everywhere', () => {
  it('R17: every GET route of the API in the OpenAPI document answers an unknown query parameter with 400 naming it', async () => {
    const { admin } = await t.organization();
    const member = await t.member();
    const tokens = [admin.token, member.token, await t.operator()];
    const doc = (await t.call(undefined, 'GET', '/api/openapi.json')).json();
    const routes = Object.entries<Record<string, { parameters?: Parameter[] }>>(doc.paths).filter(
      // Probes and the metrics scrape (`/healthz`, `/readyz`, `/metrics`) are not the API.
      ([path, operations]) => path.startsWith('/api/') && operations.get,
    );
    assert.ok(routes.length >= 10, `the document lists the GET routes (${routes.length})`);
    for (const [template, operations] of routes) {
      const parameters = operations.get?.parameters ?? [];
      const path = template.replace(/\{(\w+)\}/g, () => randomUUID());
      const query = new URLSearchParams(
        parameters
          .filter((parameter) => parameter.in === 'query' && parameter.required)
          .map((parameter): [string, string] => [parameter.name, validValue(parameter)]),
      );
      query.set('surelyUnknown', '1');
      const answers = [];
      for (const token of tokens) {
        const response = await t.call(token, 'GET', `${path}?${query}`);
        if (response.statusCode === 401 || response.statusCode === 403) continue;
        answers.push(response);
      }
      assert.ok(answers.length > 0, `${template}: some principal may call it`);
      for (const response of answers) {
        assert.equal(response.statusCode, 400, `${template}: ${response.body}`);
        assert.equal(response.json().error.code, 'validation_failed', template);
        assert.deepEqual(
          response.json().error.details.map((detail: { field: string }) => detail.field),
          ['surelyUnknown'],
          template,
        );
      }
    }
  });
});
