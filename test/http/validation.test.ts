import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testApp } from '../support/app.ts';

const t = await testApp();
const { admin } = await t.organization();
const operator = await t.operator();

function fieldsOf(response: { json(): { error: { details?: { field: string }[] } } }): string[] {
  return (response.json().error.details ?? []).map((detail) => detail.field);
}

describe('request validation', () => {
  it('hardening: numbers in query strings are finite integers within their bounds (Infinity, 1e400)', async () => {
    for (const limit of ['Infinity', '-Infinity', '1e400', '-1e400', 'NaN', '1.5', '0', '100000']) {
      for (const url of [`/api/users?limit=${limit}`, `/api/organization/audit?limit=${limit}`]) {
        const response = await t.call(admin.token, 'GET', url);
        assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
        assert.deepEqual(fieldsOf(response), ['limit'], url);
      }
    }
    const fine = await t.call(admin.token, 'GET', '/api/users?limit=1');
    assert.equal(fine.statusCode, 200, 'a query string is still read as numbers');
    assert.equal(fine.json().users.length, 1);
  });

  it('hardening: JSON bodies are taken as sent: no string, boolean or null becomes a number, nor a string an array', async () => {
    const cases: [string, string, string, unknown, string][] = [
      [admin.token, 'PATCH', '/api/organization', { backfillDays: '5' }, 'backfillDays'],
      [admin.token, 'PATCH', '/api/organization', { backfillDays: true }, 'backfillDays'],
      [admin.token, 'PATCH', '/api/organization', { backfillDays: null }, 'backfillDays'],
      [admin.token, 'PATCH', '/api/organization', { internalDomains: 'x.example' }, 'internalDomains'],
      [admin.token, 'PATCH', '/api/me', { name: 5 }, 'name'],
      [admin.token, 'PATCH', '/api/me', { name: ['Ann'] }, 'name'],
      [admin.token, 'POST', '/api/me/tokens', { name: true }, 'name'],
      [
        operator,
        'PUT',
        '/api/members',
        { name: 'M', emails: 'm@x.example', discoverability: 'anyone' },
        'emails',
      ],
    ];
    for (const [token, method, url, body, field] of cases) {
      const response = await t.call(token, method as 'GET', url, body);
      assert.equal(response.statusCode, 400, `${JSON.stringify(body)}: ${response.body}`);
      assert.deepEqual(fieldsOf(response), [field], JSON.stringify(body));
    }
    const huge = await t.app.inject({
      method: 'PATCH',
      url: '/api/organization',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      payload: '{"backfillDays":1e400}',
    });
    assert.equal(huge.statusCode, 400, huge.body);
    assert.deepEqual(fieldsOf(huge), ['backfillDays']);
    const settings = (await t.call(admin.token, 'GET', '/api/organization')).json();
    assert.equal(settings.backfillDays, 0, 'nothing was changed');
    assert.deepEqual(settings.internalDomains, []);
    const typed = await t.call(admin.token, 'PATCH', '/api/organization', { backfillDays: 5 });
    assert.equal(typed.statusCode, 200);
    assert.equal(typed.json().organization.backfillDays, 5);
  });

  it('hardening: a route that takes no body refuses one with fields it does not know', async () => {
    const routes = [
      ['POST', '/api/connection'],
      ['DELETE', '/api/connection'],
      ['POST', '/api/organization/microsoft-admin-consent'],
    ] as const;
    for (const [method, url] of routes) {
      const response = await t.call(admin.token, method, url, { provider: 'google' });
      assert.equal(response.statusCode, 400, `${method} ${url}: ${response.body}`);
      assert.deepEqual(fieldsOf(response), ['provider'], url);
      const list = await t.call(admin.token, method, url, [1]);
      assert.deepEqual(fieldsOf(list), ['body'], url);
    }
    const empty = await t.call(admin.token, 'POST', '/api/connection', {});
    assert.equal(empty.json().error.code, 'provider_not_selected', 'an empty object is no body');
  });
});
