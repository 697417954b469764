import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testApp } from '../support/app.ts';

const t = await testApp();

describe('token authentication', () => {
  it('refuses a request without a token', async () => {
    const response = await t.call(undefined, 'GET', '/api/me');
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.code, 'unauthenticated');
  });

  it('refuses a malformed token, an unknown one, and a known id with a wrong secret', async () => {
    const { admin } = await t.organization();
    const [prefix, id] = admin.token.split('_');
    const wrongSecret = `${prefix}_${id}_${'A'.repeat(43)}`;
    for (const token of ['nonsense', `tsu_${'0'.repeat(16)}_${'B'.repeat(43)}`, wrongSecret]) {
      const response = await t.call(token, 'GET', '/api/me');
      assert.equal(response.statusCode, 401, token);
      assert.deepEqual(response.json(), {
        error: { code: 'unauthenticated', message: 'the access token is invalid or revoked' },
      });
    }
  });

  it('accepts only the Bearer scheme', async () => {
    const { admin } = await t.organization();
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Basic ${admin.token}` },
    });
    assert.equal(response.statusCode, 401);
  });

  it('tells a user who they are, with their organization', async () => {
    const { orgId, admin } = await t.organization('tells.example');
    const response = await t.call(admin.token, 'GET', '/api/me');
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.kind, 'user');
    assert.equal(body.user.email, admin.email);
    assert.equal(body.user.role, 'admin');
    assert.deepEqual(body.organization, {
      id: orgId,
      name: 'Org tells.example',
      primaryDomain: 'tells.example',
    });
  });

  it('stops accepting a token the moment it is revoked, and only that token', async () => {
    const { admin } = await t.organization();
    const created = await t.call(admin.token, 'POST', '/api/me/tokens', { name: 'laptop' });
    assert.equal(created.statusCode, 201);
    const second: string = created.json().token;
    assert.equal((await t.call(second, 'GET', '/api/me')).statusCode, 200);

    const list = (await t.call(admin.token, 'GET', '/api/me/tokens')).json().tokens;
    const laptop = list.find((token: { name: string }) => token.name === 'laptop');
    assert.ok(laptop);
    assert.equal(
      JSON.stringify(list).includes(second.split('_').slice(2).join('_')),
      false,
      'secrets are never listed',
    );

    assert.equal((await t.call(admin.token, 'DELETE', `/api/me/tokens/${laptop.id}`)).statusCode, 204);
    assert.equal((await t.call(second, 'GET', '/api/me')).statusCode, 401);
    assert.equal((await t.call(admin.token, 'GET', '/api/me')).statusCode, 200);
    assert.equal((await t.call(admin.token, 'DELETE', `/api/me/tokens/${laptop.id}`)).statusCode, 404);
  });

  it("cannot revoke someone else's token", async () => {
    const { admin, recruiter } = await t.organization();
    const mine = (await t.call(recruiter.token, 'GET', '/api/me/tokens')).json().tokens[0];
    const response = await t.call(admin.token, 'DELETE', `/api/me/tokens/${mine.id}`);
    assert.equal(response.statusCode, 404);
    assert.equal((await t.call(recruiter.token, 'GET', '/api/me')).statusCode, 200);
  });

  it('gives members and the operator their own view of /api/me', async () => {
    const member = await t.member({ emails: ['Someone.Else@Mail.example'] });
    const me = (await t.call(member.token, 'GET', '/api/me')).json();
    assert.equal(me.kind, 'member');
    assert.deepEqual(me.member.emails, ['Someone.Else@Mail.example']);
    const operator = await t.operator();
    assert.deepEqual((await t.call(operator, 'GET', '/api/me')).json(), { kind: 'operator' });
  });

  it('keeps admin-only routes from recruiters and from members', async () => {
    const { recruiter } = await t.organization();
    const member = await t.member();
    for (const token of [recruiter.token, member.token]) {
      const response = await t.call(token, 'GET', '/api/users');
      assert.equal(response.statusCode, 403);
      assert.equal(response.json().error.code, 'forbidden');
    }
  });
});
