import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type TestApp, testApp } from '../support/app.ts';

const t = await testApp();

describe('tenant isolation: one organization never reaches another', () => {
  let a: Awaited<ReturnType<TestApp['organization']>>;
  let b: Awaited<ReturnType<TestApp['organization']>>;
  let conversationOfB: string;
  let member: Awaited<ReturnType<TestApp['member']>>;

  before(async () => {
    a = await t.organization('a.example');
    b = await t.organization('b.example');
    member = await t.member();
    const started = await t.call(b.recruiter.token, 'POST', '/api/inmail/conversations', {
      memberId: member.id,
      subject: 'Role at B',
      body: 'Hello from B',
    });
    assert.equal(started.statusCode, 201);
    conversationOfB = started.json().id;
  });

  it("lists only the admin's own organization's users", async () => {
    const users = (await t.call(a.admin.token, 'GET', '/api/users')).json().users;
    const emails = users.map((user: { email: string }) => user.email).sort();
    assert.deepEqual(emails, [a.admin.email, a.recruiter.email].sort());
  });

  it("answers 404, never 403, for another organization's user, whether read or changed", async () => {
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { role: 'admin' }],
    ] as const) {
      const response = await t.call(a.admin.token, method, `/api/users/${b.recruiter.id}`, body);
      assert.equal(response.statusCode, 404, method);
      assert.equal(response.json().error.code, 'not_found');
    }
    const unchanged = (await t.call(b.admin.token, 'GET', `/api/users/${b.recruiter.id}`)).json();
    assert.equal(unchanged.role, 'member');
  });

  it("cannot read, list or write in another organization's InMail", async () => {
    const read = await t.call(a.admin.token, 'GET', `/api/inmail/conversations/${conversationOfB}`);
    assert.equal(read.statusCode, 404);
    const write = await t.call(
      a.recruiter.token,
      'POST',
      `/api/inmail/conversations/${conversationOfB}/messages`,
      {
        body: 'injected',
      },
    );
    assert.equal(write.statusCode, 404);
    const listed = await t.call(a.admin.token, 'GET', `/api/inmail/conversations?memberId=${member.id}`);
    assert.deepEqual(listed.json().conversations, []);
    const thread = (
      await t.call(b.recruiter.token, 'GET', `/api/inmail/conversations/${conversationOfB}`)
    ).json();
    assert.deepEqual(
      thread.messages.map((message: { body: string }) => message.body),
      ['Hello from B'],
    );
  });

  it('cannot change members: the directory is the operator’s', async () => {
    const response = await t.call(a.admin.token, 'PUT', '/api/members', {
      name: 'Hijack',
      emails: [member.emails[0]],
      discoverability: 'nobody',
    });
    assert.equal(response.statusCode, 403);
    const operator = await t.operator();
    const stored = (await t.call(operator, 'GET', `/api/members/${member.id}`)).json();
    assert.equal(stored.name, 'Test Candidate');
    assert.equal(stored.discoverability, 'anyone');
  });

  it('keeps an admin of one organization from creating users in another', async () => {
    const created = await t.call(a.admin.token, 'POST', '/api/users', {
      email: 'new@b.example',
      name: 'New',
      role: 'admin',
    });
    assert.equal(created.statusCode, 201);
    const bUsers = (await t.call(b.admin.token, 'GET', '/api/users')).json().users;
    assert.equal(
      bUsers.some((user: { email: string }) => user.email === 'new@b.example'),
      false,
    );
  });
});
