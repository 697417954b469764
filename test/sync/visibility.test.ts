import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { expireDecisions } from '../../src/db/mail.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await providerTest();

describe('R15: a synced thread is private to its owner', () => {
  it('shows the owner their thread, and nothing of it to a colleague, an admin, or another organization', async () => {
    const box = await connectedMailbox(t, 'google', 'private.example');
    await t.member({ emails: ['secret.candidate@candidates.example'] });
    await box.deliver({
      from: { address: 'secret.candidate@candidates.example' },
      to: [{ address: box.recruiter.email }],
      subject: 'Confidential offer',
      text: 'salary details',
    });
    await box.sync();
    const [thread] = await box.threads();
    assert.ok(thread, 'the owner sees the thread');
    const colleague = await t.user(box.orgId);
    const outsider = (await t.organization('outsider.example')).admin;
    for (const viewer of [colleague, box.admin, outsider]) {
      const list = await t.call(viewer.token, 'GET', '/api/threads');
      assert.deepEqual(list.json().threads, [], viewer.email);
      const one = await t.call(viewer.token, 'GET', `/api/threads/${thread.id}`);
      assert.equal(one.statusCode, 404, viewer.email);
      assert.equal(one.body.includes('salary'), false);
    }
    const health = (await t.call(box.admin.token, 'GET', '/api/connections')).json();
    assert.equal(JSON.stringify(health).includes('Confidential'), false, 'admins see health and counts only');
    assert.equal(
      health.users.find((row: { user: { email: string } }) => row.user.email === box.recruiter.email)
        .connection.sync.messagesSynced,
      1,
    );
  });

  it('R12, R14: disconnecting keeps the synced mail readable by its owner', async () => {
    const box = await connectedMailbox(t, 'google', 'keeps.example');
    await t.member({ emails: ['kept@candidates.example'] });
    await box.deliver({
      from: { address: 'kept@candidates.example' },
      to: [{ address: box.recruiter.email }],
      subject: 'kept',
      text: 'k',
    });
    await box.sync();
    await t.call(box.recruiter.token, 'DELETE', '/api/connection');
    await t.call(box.admin.token, 'PATCH', '/api/organization', { provider: 'none' });
    assert.deepEqual(
      (await box.threads()).map((thread) => thread.subject),
      ['kept'],
    );
  });

  it('R19: skip decisions expire after the configured time', async () => {
    const box = await connectedMailbox(t, 'google', 'expiry.example');
    await box.deliver({
      from: { address: 'nobody@strangers.example' },
      to: [{ address: box.recruiter.email }],
      subject: 's',
      text: 's',
    });
    await box.sync();
    const count = async () =>
      (
        await t.database.db
          .selectFrom('sync_decisions')
          .select('provider_message_id')
          .where('connection_id', '=', box.connectionId)
          .execute()
      ).length;
    assert.equal(await count(), 1);
    assert.equal(await expireDecisions(t.database.db, 60_000), 0, 'a fresh decision stays');
    await sql`update sync_decisions set decided_at = now() - interval '31 days' where connection_id = ${box.connectionId}`.execute(
      t.database.db,
    );
    await expireDecisions(t.database.db, 30 * 86_400_000);
    assert.equal(await count(), 0);
  });
});
