import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testApp } from '../support/app.ts';

const t = await testApp();
const operator = await t.operator();
const { recruiter } = await t.organization();

describe('member directory', () => {
  it('lets the operator create a member, then update it by externalId or by any address', async () => {
    const created = await t.call(operator, 'PUT', '/api/members', {
      externalId: 'ext-1',
      name: 'Jane Candidate',
      headline: 'Engineer',
      emails: ['Jane.Candidate@gmail.com', 'jane@work.example'],
      discoverability: 'anyone',
    });
    assert.equal(created.statusCode, 201);
    const id = created.json().id;
    assert.deepEqual(created.json().emails, ['Jane.Candidate@gmail.com', 'jane@work.example']);

    const byExternalId = await t.call(operator, 'PUT', '/api/members', {
      externalId: 'ext-1',
      name: 'Jane C.',
      emails: ['jane@work.example'],
      discoverability: 'connections',
    });
    assert.equal(byExternalId.statusCode, 200);
    assert.equal(byExternalId.json().id, id);
    assert.equal(byExternalId.json().headline, 'Engineer', 'an omitted headline is kept');
    assert.deepEqual(
      byExternalId.json().emails,
      ['jane@work.example'],
      'the listed addresses replace the old ones',
    );

    const byEmail = await t.call(operator, 'PUT', '/api/members', {
      name: 'Jane Again',
      emails: ['JANE@work.example'],
      discoverability: 'anyone',
    });
    assert.equal(byEmail.json().id, id);
  });

  it('refuses to give one address to two members (R10 needs one owner per address)', async () => {
    const a = { externalId: 'a', name: 'A', emails: ['shared@x.example'], discoverability: 'anyone' };
    const b = { externalId: 'b', name: 'B', emails: ['b@x.example'], discoverability: 'anyone' };
    assert.equal((await t.call(operator, 'PUT', '/api/members', a)).statusCode, 201);
    assert.equal((await t.call(operator, 'PUT', '/api/members', b)).statusCode, 201);
    const claimed = await t.call(operator, 'PUT', '/api/members', {
      ...b,
      emails: ['b@x.example', 'Shared@x.example'],
    });
    assert.equal(claimed.statusCode, 409);
    assert.match(claimed.json().error.message, /Shared@x\.example belongs to another member/);
    const merged = await t.call(operator, 'PUT', '/api/members', {
      name: 'AB',
      emails: ['b@x.example', 'shared@x.example'],
      discoverability: 'anyone',
    });
    assert.equal(merged.statusCode, 409, 'addresses of two members cannot merge them');
  });

  it('names the field at fault in a bad record', async () => {
    const response = await t.call(operator, 'PUT', '/api/members', {
      name: 'Bad',
      emails: ['not-an-address'],
      discoverability: 'everyone',
    });
    assert.equal(response.statusCode, 400);
    const { error } = response.json();
    assert.equal(error.code, 'validation_failed');
    assert.ok(
      error.details.some((d: { field: string }) => d.field === 'discoverability'),
      JSON.stringify(error),
    );
  });

  it('R10: a recruiter finds a member by email only when discoverability is anyone, with normalization', async () => {
    const open = await t.member({ emails: ['open.member+jobs@googlemail.com'], discoverability: 'anyone' });
    const found = await t.call(recruiter.token, 'GET', '/api/members/lookup?email=OpenMember@gmail.com');
    assert.equal(found.statusCode, 200);
    assert.deepEqual(Object.keys(found.json()).sort(), ['headline', 'id', 'name']);
    assert.equal(found.json().id, open.id);

    for (const discoverability of ['connections', 'nobody'] as const) {
      const hidden = await t.member({ emails: [`hidden-${discoverability}@mail.example`], discoverability });
      const response = await t.call(recruiter.token, 'GET', `/api/members/lookup?email=${hidden.emails[0]}`);
      assert.equal(response.statusCode, 404, discoverability);
      const unknown = await t.call(
        recruiter.token,
        'GET',
        '/api/members/lookup?email=nobody-at-all@mail.example',
      );
      assert.deepEqual(response.json(), unknown.json(), 'a hidden member looks exactly like no member');
    }
  });

  it('shows recruiters a profile without addresses or settings, and the operator everything', async () => {
    const member = await t.member({ emails: ['profile@mail.example'] });
    const asRecruiter = (await t.call(recruiter.token, 'GET', `/api/members/${member.id}`)).json();
    assert.deepEqual(asRecruiter, { id: member.id, name: 'Test Candidate', headline: '' });
    const asOperator = (await t.call(operator, 'GET', `/api/members/${member.id}`)).json();
    assert.deepEqual(asOperator.emails, ['profile@mail.example']);
    assert.equal(asOperator.discoverability, 'anyone');
  });

  it('lets a member change their own discoverability, restamping when it changes', async () => {
    const member = await t.member({ discoverability: 'anyone' });
    const before = (await t.call(member.token, 'GET', '/api/me')).json().member;
    const same = await t.call(member.token, 'PATCH', '/api/me', { discoverability: 'anyone' });
    assert.equal(same.json().member.discoverabilityChangedAt, before.discoverabilityChangedAt);
    const changed = await t.call(member.token, 'PATCH', '/api/me', {
      discoverability: 'nobody',
      headline: 'Open to work',
    });
    assert.equal(changed.statusCode, 200);
    assert.equal(changed.json().member.discoverability, 'nobody');
    assert.equal(changed.json().member.headline, 'Open to work');
    assert.ok(
      new Date(changed.json().member.discoverabilityChangedAt) > new Date(before.discoverabilityChangedAt),
    );
    const lookup = await t.call(recruiter.token, 'GET', `/api/members/lookup?email=${member.emails[0]}`);
    assert.equal(lookup.statusCode, 404);
  });

  it('does not let a recruiter set member-only settings on themself', async () => {
    const response = await t.call(recruiter.token, 'PATCH', '/api/me', { discoverability: 'anyone' });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error.details[0].field, 'discoverability');
  });

  it('issues member credentials only through the operator', async () => {
    const member = await t.member();
    const denied = await t.call(recruiter.token, 'POST', `/api/members/${member.id}/tokens`, { name: 'x' });
    assert.equal(denied.statusCode, 403);
    const issued = await t.call(operator, 'POST', `/api/members/${member.id}/tokens`, { name: 'app' });
    assert.equal(issued.statusCode, 201);
    const me = (await t.call(issued.json().token, 'GET', '/api/me')).json();
    assert.equal(me.member.id, member.id);
  });
});
