import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { createLogger } from '../../src/log.ts';
import { testApp } from '../support/app.ts';

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk));
    done();
  },
});
const t = await testApp({ logger: createLogger('debug', sink) });

describe('the HTTP API', () => {
  it('answers /healthz (liveness) and /readyz with the database state', async () => {
    const live = await t.call(undefined, 'GET', '/healthz');
    assert.equal(live.statusCode, 200);
    assert.deepEqual(live.json(), { status: 'ok' });
    const ready = await t.call(undefined, 'GET', '/readyz');
    assert.equal(ready.statusCode, 200);
    // No worker runs in this test: said, and not a reason to stop routing requests here.
    assert.deepEqual(ready.json(), { status: 'ok', database: 'ok', migrations: 'ok', worker: 'none' });
  });

  it('answers /readyz 503 while the schema lacks a migration this code needs, and remembers it once complete', async () => {
    // An app of its own, whose first probe finds the schema short (the file's app has found it complete).
    const fresh = await testApp();
    const { db } = fresh.database;
    const ready = () => fresh.call(undefined, 'GET', '/readyz');
    const { rows } = await sql<{ name: string }>`select max(name) as name from schema_migrations`.execute(db);
    const name = rows[0]?.name;
    assert.ok(name);
    await sql`alter table schema_migrations rename to schema_migrations_kept`.execute(db);
    await sql`create table schema_migrations as select * from schema_migrations_kept where name <> ${name}`.execute(
      db,
    );
    try {
      const pending = await ready();
      assert.equal(pending.statusCode, 503);
      assert.equal(pending.json().migrations, 'pending');
      assert.ok(pending.headers['retry-after']);
      assert.equal((await ready()).statusCode, 503, 'a short schema is read again on the next probe');
    } finally {
      await sql`drop table schema_migrations; alter table schema_migrations_kept rename to schema_migrations`.execute(
        db,
      );
    }
    assert.equal((await ready()).statusCode, 200);
    // Complete once, complete for the process: the migrations are not read again (here they could not be).
    await sql`alter table schema_migrations rename to schema_migrations_kept`.execute(db);
    try {
      assert.deepEqual((await ready()).json(), {
        status: 'ok',
        database: 'ok',
        migrations: 'ok',
        worker: 'none',
      });
    } finally {
      await sql`alter table schema_migrations_kept rename to schema_migrations`.execute(db);
    }
  });

  it('publishes an OpenAPI 3.1 document covering every API route, and browsable docs', async () => {
    const response = await t.call(undefined, 'GET', '/api/openapi.json');
    assert.equal(response.statusCode, 200);
    const doc = response.json();
    assert.equal(doc.openapi, '3.1.0');
    for (const path of [
      '/api/me',
      '/api/users',
      '/api/users/{id}',
      '/api/members',
      '/api/members/lookup',
      '/api/inmail/conversations/{id}/messages',
    ]) {
      assert.ok(doc.paths[path], `documents ${path}`);
    }
    assert.ok(doc.paths['/api/users'].get.responses['403'], 'error responses are documented');
    assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
    const docs = await t.call(undefined, 'GET', '/api/docs/');
    assert.equal(docs.statusCode, 200);
    assert.match(docs.headers['content-type'] as string, /text\/html/);
  });

  it('answers an unknown route with the error shape', async () => {
    const response = await t.call(undefined, 'GET', '/api/nothing-here?x=1');
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), {
      error: { code: 'not_found', message: 'no route GET /api/nothing-here' },
    });
  });

  it('names the field in validation errors: body, query and path alike', async () => {
    const { admin } = await t.organization();
    const body = await t.call(admin.token, 'POST', '/api/users', {
      email: 'x@y.example',
      name: 'X',
      role: 'owner',
      extra: 1,
    });
    assert.equal(body.statusCode, 400);
    const fields = body.json().error.details.map((d: { field: string }) => d.field);
    assert.ok(fields.includes('role') || fields.includes('extra'), JSON.stringify(body.json()));

    const query = await t.call(admin.token, 'GET', '/api/users?limit=5000');
    assert.equal(query.statusCode, 400);
    assert.equal(query.json().error.details[0].field, 'limit');

    const path = await t.call(admin.token, 'GET', '/api/users/not-a-uuid');
    assert.equal(path.statusCode, 400);
    assert.equal(path.json().error.details[0].field, 'id');
  });

  it('refuses malformed JSON and a body that is too large with the error shape', async () => {
    const { admin } = await t.organization();
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      payload: '{"email":',
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'bad_request');
    const huge = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().error.code, 'payload_too_large');
  });

  it('keeps the last admin from stepping down', async () => {
    const { admin } = await t.organization();
    const response = await t.call(admin.token, 'PATCH', `/api/users/${admin.id}`, { role: 'member' });
    assert.equal(response.statusCode, 409);
    assert.equal((await t.call(admin.token, 'GET', '/api/me')).json().user.role, 'admin');
  });

  it('never writes a token into the logs', async () => {
    const { admin } = await t.organization();
    await t.call(admin.token, 'GET', '/api/me');
    const created = (await t.call(admin.token, 'POST', '/api/me/tokens', { name: 'log check' })).json().token;
    await t.call(`${admin.token}x`, 'GET', '/api/me');
    const logs = lines.join('');
    assert.ok(logs.includes('/api/me'), 'requests were logged');
    for (const token of [admin.token, created]) {
      const secret = token.split('_').slice(2).join('_');
      assert.equal(logs.includes(secret), false, 'no token secret in the logs');
    }
  });
});
