/**
 * `GET /api/organization/connected-users`: the count the admin's confirmation names before a provider
 * change (R4, R5). It counts users with a live connection only, per organization, and admins alone read it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consent } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';

const t = await providerTest();
const { control } = t.sandbox;

async function connect(person: { token: string; email: string }) {
  await control.post('/google/users', { email: person.email, name: 'Recruiter' });
  const started = (await t.call(person.token, 'POST', '/api/connection')).json();
  const outcome = await consent(t.app, started.url, {
    token: person.token,
    email: person.email,
    decision: 'allow',
  });
  assert.equal(outcome.status, 200, outcome.html);
}

const count = async (token: string) => {
  const response = await t.call(token, 'GET', '/api/organization/connected-users');
  assert.equal(response.statusCode, 200, response.body);
  return response.json().users as number;
};

describe('R4 and R5: how many users a provider change would un-authorize', () => {
  it('R5: counts the users with a live connection, and the change un-authorizes exactly that many', async () => {
    const org = await t.organization('count-r5.example');
    await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'google' });
    assert.equal(await count(org.admin.token), 0);
    const second = await t.user(org.orgId);
    const third = await t.user(org.orgId);
    await connect(org.recruiter);
    await connect(second);
    await connect(third);
    const disconnected = await t.call(third.token, 'DELETE', '/api/connection');
    assert.equal(disconnected.statusCode, 200, disconnected.body);
    // A connection waiting to be reconnected (R7) is still live: a switch ends it too. Its state is set
    // directly here; how a revoked grant gets there is the connect tests' subject.
    await t.database.db
      .updateTable('mailbox_connections')
      .set({ status: 'reauthorization_required' })
      .where('org_id', '=', org.orgId)
      .where('address', '=', second.email)
      .execute();
    assert.equal(await count(org.admin.token), 2);

    const other = await t.organization('count-other.example');
    await t.call(other.admin.token, 'PATCH', '/api/organization', { provider: 'google' });
    assert.equal(await count(other.admin.token), 0, 'another organization’s connections are not counted');

    const changed = await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'none' });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().deauthorizedUsers, 2);
    assert.equal(await count(org.admin.token), 0);
  });

  it('R4: only admins read the count', async () => {
    const org = await t.organization('count-r4.example');
    const refused = await t.call(org.recruiter.token, 'GET', '/api/organization/connected-users');
    assert.equal(refused.statusCode, 403);
    assert.equal((await t.call(undefined, 'GET', '/api/organization/connected-users')).statusCode, 401);
  });
});
