import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testApp } from '../support/app.ts';

const t = await testApp();
const { admin } = await t.organization();
const operator = await t.operator();
const member = await t.member();

/** Text PostgreSQL cannot store as sent: a NUL, and lone halves of a UTF-16 surrogate pair. */
const UNSTORABLE = { nul: 'a\u0000b', high: 'a\ud800b', low: 'a\udc00b', reversed: '\udc00\ud800' };

async function refused(
  token: string,
  method: string,
  url: string,
  body: unknown,
  field: string,
  kind: string,
) {
  const response = await t.call(token, method as 'GET', url, body);
  const label = `${kind}: ${method} ${url}`;
  assert.equal(response.statusCode, 400, `${label}: ${response.body}`);
  const { error } = response.json();
  assert.equal(error.code, 'validation_failed', label);
  assert.deepEqual(
    error.details.map((detail: { field: string }) => detail.field),
    [field],
    label,
  );
}

describe('text PostgreSQL cannot store', () => {
  it('hardening: a NUL or an unpaired surrogate anywhere in a request is a 400 naming the field, never a 500', async () => {
    for (const [kind, bad] of Object.entries(UNSTORABLE)) {
      const cases: [string, string, string, unknown, string][] = [
        [admin.token, 'PATCH', '/api/me', { name: bad }, 'name'],
        [member.token, 'PATCH', '/api/me', { headline: bad }, 'headline'],
        [admin.token, 'POST', '/api/me/tokens', { name: bad }, 'name'],
        [admin.token, 'POST', '/api/users', { email: 'x@y.example', name: bad, role: 'member' }, 'name'],
        [
          admin.token,
          'PATCH',
          '/api/organization',
          { internalDomains: ['ok.example', bad] },
          'internalDomains.1',
        ],
        [
          operator,
          'PUT',
          '/api/members',
          { name: 'M', emails: [bad], discoverability: 'anyone' },
          'emails.0',
        ],
        [
          operator,
          'PUT',
          '/api/members',
          { externalId: bad, name: 'M', emails: ['m@x.example'], discoverability: 'anyone' },
          'externalId',
        ],
        [operator, 'POST', `/api/members/${member.id}/tokens`, { name: bad }, 'name'],
        [
          admin.token,
          'POST',
          '/api/inmail/conversations',
          { memberId: member.id, subject: 'S', body: bad },
          'body',
        ],
        [admin.token, 'PATCH', '/api/me', { [bad]: 'x' }, bad],
      ];
      for (const [token, method, url, body, field] of cases)
        await refused(token, method, url, body, field, kind);
    }
  });

  it('hardening: a NUL in a query string or a path parameter is a 400 naming it, never a 500', async () => {
    // A URL cannot carry a lone surrogate: percent-encoded, its bytes decode as U+FFFD, which is storable.
    const q = '%00';
    const cases: [string, string, string, string][] = [
      [admin.token, 'GET', `/api/members/lookup?email=a${q}b`, 'email'],
      [admin.token, 'GET', `/api/sync/why?messageId=a${q}`, 'messageId'],
      [admin.token, 'GET', `/api/sync/why?providerMessageId=${q}`, 'providerMessageId'],
      [admin.token, 'GET', `/api/users?cursor=${q}`, 'cursor'],
      [admin.token, 'GET', `/api/threads?ok=1&unread=${q}`, 'unread'],
      [operator, 'DELETE', `/api/me/tokens/a${q}`, 'id'],
      [admin.token, 'GET', `/api/users/${q}`, 'id'],
      [admin.token, 'GET', `/api/inmail/conversations/${q}`, 'id'],
    ];
    for (const [token, method, url, field] of cases)
      await refused(token, method, url, undefined, field, 'nul');
  });

  it('hardening: a header with a NUL is refused before anything reads it', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${admin.token}`, 'x-note': 'a\u0000b' },
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(response.json().error.details[0].field, 'x-note');
  });

  it('hardening: a NUL among a hundred thousand values, thirty levels down, is found and named', async () => {
    const siblings = Array.from({ length: 100_000 }, () => 'fine');
    siblings.push('a\u0000b');
    let nested: unknown = { list: siblings };
    for (let depth = 0; depth < 29; depth += 1) nested = [nested];
    const response = await t.call(admin.token, 'PATCH', '/api/me', { name: 'ok', extra: nested });
    assert.equal(response.statusCode, 400, response.body.slice(0, 300));
    assert.equal(response.json().error.details[0].field, `extra${'.0'.repeat(29)}.list.100000`);
  });

  it('keeps storable text intact: emoji, accents, right-to-left and control characters other than NUL', async () => {
    const body = 'Zoë 👩🏽‍💻 אבג \u0001\t\u007f \uffff';
    const response = await t.call(admin.token, 'POST', '/api/inmail/conversations', {
      memberId: member.id,
      subject: 'Text',
      body,
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().messages[0].body, body);
  });
});
