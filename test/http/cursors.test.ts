import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { testApp } from '../support/app.ts';

const t = await testApp();
const a = await t.organization();
const colleague = await t.user(a.orgId, 'admin');
const other = await t.organization();
const member = await t.member();
const otherMember = await t.member();

/** The first page's cursor of a listing, for the holder of `token`. */
async function cursorOf(token: string, url: string): Promise<string> {
  const response = await t.call(token, 'GET', url);
  assert.equal(response.statusCode, 200, response.body);
  const cursor = response.json().nextCursor;
  assert.equal(typeof cursor, 'string', `${url} has a second page`);
  return cursor;
}

/** What a garbage cursor is answered with: the answer every foreign cursor must get. */
async function garbageAnswer(token: string, path: string) {
  const response = await t.call(token, 'GET', `${path}?cursor=garbage`);
  assert.equal(response.statusCode, 400);
  return response.json();
}

describe('page cursors', () => {
  before(async () => {
    for (let i = 0; i < 3; i += 1) {
      for (const [token, memberId] of [
        [a.recruiter.token, member.id],
        [colleague.token, member.id],
        [other.recruiter.token, member.id],
      ] as const) {
        const started = await t.call(token, 'POST', '/api/inmail/conversations', {
          memberId,
          subject: `S${i}`,
          body: 'Hello',
        });
        assert.equal(started.statusCode, 201, started.body);
      }
    }
    await t.user(a.orgId);
    await t.user(other.orgId);
  });

  it('still page through a listing for the caller they were issued to', async () => {
    const seen: string[] = [];
    let url = '/api/users?limit=1';
    for (let page = 0; page < 10 && url; page += 1) {
      const body = (await t.call(a.admin.token, 'GET', url)).json();
      seen.push(...body.users.map((user: { email: string }) => user.email));
      url = body.nextCursor ? `/api/users?limit=1&cursor=${encodeURIComponent(body.nextCursor)}` : '';
    }
    assert.equal(url, '', 'the last page has no cursor');
    assert.equal(seen.length, 4);
    assert.deepEqual(seen, [...seen].sort());
  });

  it("hardening: a cursor taken by one user is refused, like garbage, for a colleague and for another organization's user", async () => {
    for (const [owner, path, strangers] of [
      [a.admin.token, '/api/users', [colleague.token, other.admin.token]],
      [
        a.recruiter.token,
        '/api/inmail/conversations',
        [colleague.token, other.recruiter.token, member.token],
      ],
      [member.token, '/api/inmail/conversations', [otherMember.token, a.recruiter.token]],
    ] as const) {
      const cursor = await cursorOf(owner, `${path}?limit=1`);
      const own = await t.call(owner, 'GET', `${path}?limit=1&cursor=${encodeURIComponent(cursor)}`);
      assert.equal(own.statusCode, 200, own.body);
      for (const stranger of strangers) {
        const response = await t.call(stranger, 'GET', `${path}?cursor=${encodeURIComponent(cursor)}`);
        assert.equal(response.statusCode, 400, `${path}: ${response.body}`);
        assert.deepEqual(response.json(), await garbageAnswer(stranger, path));
      }
    }
  });

  it('hardening: a cursor names no row a caller chose: forged and edited cursors are refused like garbage', async () => {
    const [conversation] = (await t.call(other.recruiter.token, 'GET', '/api/inmail/conversations')).json()
      .conversations;
    const forged = [
      Buffer.from(JSON.stringify({ id: conversation.id })).toString('base64url'),
      Buffer.from(JSON.stringify({ email: other.admin.email })).toString('base64url'),
    ];
    const issued = await cursorOf(a.recruiter.token, '/api/inmail/conversations?limit=1');
    const edited = `${issued.slice(0, -2)}${issued.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const cursor of [...forged, edited]) {
      for (const path of ['/api/inmail/conversations', '/api/users']) {
        const token = path === '/api/users' ? a.admin.token : a.recruiter.token;
        const response = await t.call(token, 'GET', `${path}?cursor=${encodeURIComponent(cursor)}`);
        assert.equal(response.statusCode, 400, `${path}: ${response.body}`);
        assert.deepEqual(response.json(), await garbageAnswer(token, path));
      }
    }
  });

  it('hardening: a cursor of one listing is refused by another', async () => {
    const users = await cursorOf(a.admin.token, '/api/users?limit=1');
    const response = await t.call(
      a.admin.token,
      'GET',
      `/api/connections?cursor=${encodeURIComponent(users)}`,
    );
    assert.equal(response.statusCode, 400, response.body);
    assert.deepEqual(response.json(), await garbageAnswer(a.admin.token, '/api/connections'));
  });
});
