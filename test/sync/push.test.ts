import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pollQuietMailboxes } from '../../src/services/sync.ts';
import { TEST_METRICS_TOKEN } from '../support/app.ts';
import { eventually, liveTest } from '../support/live.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await liveTest();
const candidate = await t.member({ emails: ['pushed@candidates.example'] });

async function threadCount(token: string): Promise<number> {
  return (await t.call(token, 'GET', '/api/threads?limit=200')).json().threads.length;
}

describe('push-driven sync (Gmail through Pub/Sub push)', () => {
  it('starts a watch on connect and syncs a delivered candidate mail on its push, with no polling', async () => {
    const box = await connectedMailbox(t, 'google', 'push.example');
    await eventually(
      async () =>
        (await t.call(box.recruiter.token, 'GET', '/api/connection')).json().connection.sync.pushActive,
    );
    await eventually(
      async () =>
        (await t.call(box.recruiter.token, 'GET', '/api/connection')).json().connection.sync.lastSyncAt,
    );
    await box.deliver({
      from: { address: 'pushed@candidates.example' },
      to: [{ address: box.recruiter.email }],
      subject: 'pushed',
      text: 'p',
    });
    const threads = await eventually(async () => {
      const list = (await t.call(box.recruiter.token, 'GET', '/api/threads')).json().threads;
      return list.length > 0 && list;
    });
    assert.equal(threads[0].members[0].id, candidate.id);
    const metrics = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    assert.match(
      metrics.body,
      /talentsync_webhook_notifications_total\{provider="google",outcome="accepted"\} [1-9]/,
    );
    assert.match(metrics.body, /talentsync_messages_ingested_total\{provider="google"\} [1-9]/);
  });

  it('stores each message once when pushes are duplicated and arrive out of order', async () => {
    const box = await connectedMailbox(t, 'google', 'duplicates.example');
    await eventually(
      async () =>
        (await t.call(box.recruiter.token, 'GET', '/api/connection')).json().connection.sync.pushActive,
    );
    await t.sandbox.control.post('/push/google', { duplicateShare: 1, jitterMs: 200 });
    for (let i = 0; i < 10; i += 1) {
      await box.deliver({
        from: { address: 'pushed@candidates.example' },
        to: [{ address: box.recruiter.email }],
        subject: `dup ${i}`,
        text: 'd',
      });
    }
    await eventually(async () => (await threadCount(box.recruiter.token)) === 10);
    await t.sandbox.control.post('/push/google', { duplicateShare: 0, jitterMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rows = await t.database.db
      .selectFrom('messages')
      .select('id')
      .where('connection_id', '=', box.connectionId)
      .execute();
    assert.equal(rows.length, 10);
  });

  it('catches everything by polling when every push is dropped', async () => {
    const box = await connectedMailbox(t, 'google', 'dropped.example');
    await eventually(
      async () =>
        (await t.call(box.recruiter.token, 'GET', '/api/connection')).json().connection.sync.lastSyncAt,
    );
    await t.sandbox.control.post('/push/google', { dropShare: 1 });
    for (let i = 0; i < 3; i += 1) {
      await box.deliver({
        from: { address: 'pushed@candidates.example' },
        to: [{ address: box.recruiter.email }],
        subject: `quiet ${i}`,
        text: 'q',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await threadCount(box.recruiter.token), 0, 'without push, nothing yet');
    await pollQuietMailboxes(t.context, 0);
    await eventually(async () => (await threadCount(box.recruiter.token)) === 3);
    await t.sandbox.control.post('/push/google', { dropShare: 0 });
  });

  it('refuses a forged push and counts it; acknowledges a push for an unknown mailbox', async () => {
    const forged = await fetch(`${t.publicUrl}/webhooks/google`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.jwt' },
      body: JSON.stringify({
        message: { data: Buffer.from('{"emailAddress":"x@push.example","historyId":1}').toString('base64') },
      }),
    });
    assert.equal(forged.status, 401);
    const missing = await fetch(`${t.publicUrl}/webhooks/google`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(missing.status, 401);
    const metrics = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    assert.match(
      metrics.body,
      /talentsync_webhook_notifications_total\{provider="google",outcome="rejected"\} [2-9]/,
    );
  });
});
