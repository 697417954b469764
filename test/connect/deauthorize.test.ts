import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect as connectPool } from '../../src/db/database.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { createLogger } from '../../src/log.ts';
import { accessToken } from '../../src/services/grants.ts';
import { consent } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';

const t = await providerTest();
const { control } = t.sandbox;

async function connectedOrganization(domain: string, recruiters: number) {
  const org = await t.organization(domain);
  await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'google' });
  const people = [
    org.recruiter,
    ...(await Promise.all(Array.from({ length: recruiters - 1 }, () => t.user(org.orgId)))),
  ];
  for (const person of people) {
    await control.post('/google/users', { email: person.email, name: 'Recruiter' });
    const started = (await t.call(person.token, 'POST', '/api/connection')).json();
    const outcome = await consent(t.app, started.url, {
      token: person.token,
      email: person.email,
      decision: 'allow',
    });
    assert.equal(outcome.status, 200, outcome.html);
  }
  return { ...org, people };
}

/** Runs the real job worker until every pending revocation is done. */
async function drainRevocations() {
  const runner = await startWorker(
    t.database.pool,
    t.context,
    { pollQuietMs: 3_600_000, decisionTtlMs: 86_400_000 },
    2,
  );
  try {
    for (let waited = 0; waited < 20_000; waited += 50) {
      const left = await t.database.db.selectFrom('pending_revocations').select('id').execute();
      if (left.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('revocations did not finish');
  } finally {
    await runner.stop();
  }
}

async function grantsRevoked(email: string): Promise<boolean> {
  const user = await control.get<{ grants: { revoked: boolean }[] }>(`/google/users/${email}`);
  return user.grants.length > 0 && user.grants.every((grant) => grant.revoked);
}

describe('R4 and R5: the admin un-authorizes everyone at once', () => {
  it('R4: Do Not Integrate un-authorizes every user, erases tokens, revokes them at Google, and blocks connecting', async () => {
    const org = await connectedOrganization('r4.example', 3);
    const changed = await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'none' });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().deauthorizedUsers, 3);

    const rows = await t.database.db
      .selectFrom('mailbox_connections')
      .select(['status', 'refresh_token', 'access_token', 'last_error'])
      .where('org_id', '=', org.orgId)
      .execute();
    assert.equal(rows.length, 3);
    for (const row of rows) {
      assert.equal(row.status, 'deauthorized');
      assert.equal(row.refresh_token, null);
      assert.equal(row.access_token, null);
      assert.match(row.last_error ?? '', /turned off email integration/);
    }
    await drainRevocations();
    for (const person of org.people) assert.equal(await grantsRevoked(person.email), true, person.email);

    const again = await t.call(org.recruiter.token, 'POST', '/api/connection');
    assert.equal(again.json().error.code, 'provider_not_selected');

    const audit = (await t.call(org.admin.token, 'GET', '/api/organization/audit')).json().events;
    const change = audit.find((event: { action: string }) => event.action === 'provider_changed');
    assert.deepEqual(change.details, { from: 'google', to: 'none', deauthorizedUsers: 3 });
    assert.equal(change.actorUserId, org.admin.id);
  });

  it('R5: switching to Microsoft un-authorizes every Google connection; each user must connect again', async () => {
    const org = await connectedOrganization('r5.example', 2);
    const changed = await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'microsoft' });
    assert.equal(changed.json().deauthorizedUsers, 2);
    assert.equal(changed.json().organization.provider, 'microsoft');
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    assert.equal(connection.status, 'deauthorized');
    assert.match(connection.lastError, /switched the organization to Microsoft 365/);
    await drainRevocations();
    assert.equal(await grantsRevoked(org.recruiter.email), true);
    const restart = await t.call(org.recruiter.token, 'POST', '/api/connection');
    assert.equal(restart.statusCode, 201, 'connecting again, now with Microsoft, is open');
  });

  it('R12: a user disconnecting stops their connection and revokes it; colleagues stay connected', async () => {
    const org = await connectedOrganization('r12.example', 2);
    const [me, colleague] = org.people;
    const response = await t.call(me?.token, 'DELETE', '/api/connection');
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().connection.status, 'disconnected');
    await drainRevocations();
    assert.equal(await grantsRevoked(me?.email ?? ''), true);
    assert.equal(
      (await t.call(colleague?.token, 'GET', '/api/connection')).json().connection.status,
      'connected',
    );
    assert.equal((await t.call(me?.token, 'DELETE', '/api/connection')).statusCode, 404);
  });

  it('shows admins every user’s connection health, and refuses changes to providers not configured', async () => {
    const org = await connectedOrganization('health.example', 2);
    const extra = await t.user(org.orgId);
    const health = (await t.call(org.admin.token, 'GET', '/api/connections')).json().users;
    const byEmail = new Map(health.map((row: { user: { email: string } }) => [row.user.email, row]));
    assert.equal(
      (byEmail.get(org.recruiter.email) as { connection: { status: string } }).connection.status,
      'connected',
    );
    assert.equal((byEmail.get(extra.email) as { connection: unknown }).connection, null);
    assert.equal((await t.call(org.recruiter.token, 'GET', '/api/connections')).statusCode, 403);
  });

  it('R7: two processes refreshing one connection at once refresh it once', async () => {
    const org = await connectedOrganization('race.example', 1);
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    await t.database.db
      .updateTable('mailbox_connections')
      .set({ access_token_expires_at: new Date(Date.now() + 1000) })
      .where('id', '=', connection.id)
      .execute();
    const other = connectPool(t.database.url, createLogger('silent'), { max: 2 });
    // A second process: its own pool (its own database sessions and row locks), the same configuration.
    const otherProcess = { ...t.context, db: other.db };
    await control.del('/counters');
    // A slow token endpoint holds the first refresh open while the second process asks for a token.
    await control.post('/faults', { provider: 'google', endpoint: 'oauth.token', latencyMs: 300, count: 2 });
    const [a, b] = await Promise.all([
      accessToken(t.context, org.orgId, connection.id),
      accessToken(otherProcess, org.orgId, connection.id),
    ]);
    await other.close();
    assert.equal(a, b, 'both got the one new token');
    const counters = await control.get<{ rows: { method: string; calls: number }[] }>(
      '/counters?provider=google',
    );
    const tokenCalls = counters.rows
      .filter((row) => row.method === 'oauth.token')
      .reduce((sum, row) => sum + row.calls, 0);
    assert.equal(tokenCalls, 1);
  });
});
