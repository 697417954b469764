import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TEST_METRICS_TOKEN } from '../support/app.ts';
import { eventually, liveTest } from '../support/live.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await liveTest();
await t.member({ emails: ['graph@candidates.example'] });

interface Subscription {
  id: string;
  user: string;
  clientState: string | null;
  expirationDateTime: string;
}

async function subscriptionOf(email: string): Promise<Subscription> {
  return eventually(async () => {
    const { subscriptions } = await t.sandbox.control.get<{ subscriptions: Subscription[] }>(
      '/microsoft/subscriptions',
    );
    return subscriptions.find((subscription) => subscription.user === email);
  });
}

const threads = async (token: string) =>
  (await t.call(token, 'GET', '/api/threads?limit=200')).json().threads;

describe('push-driven sync (Microsoft Graph change notifications)', () => {
  it('subscribes on connect (answering the validation handshake) and syncs a delivered mail on its notification', async () => {
    const box = await connectedMailbox(t, 'microsoft', 'graph-push.example');
    const subscription = await subscriptionOf(box.recruiter.email);
    assert.ok(subscription.clientState, 'a clientState was set');
    await eventually(
      async () =>
        (await t.call(box.recruiter.token, 'GET', '/api/connection')).json().connection.sync.lastSyncAt,
    );
    await box.deliver({
      from: { address: 'graph@candidates.example' },
      to: [{ address: box.recruiter.email }],
      subject: 'graph push',
      text: 'g',
    });
    await eventually(async () => (await threads(box.recruiter.token)).length === 1);
    const stored = await t.database.db
      .selectFrom('mailbox_sync')
      .select(['push_subscription_id', 'push_client_state_hash'])
      .where('connection_id', '=', box.connectionId)
      .executeTakeFirstOrThrow();
    assert.equal(stored.push_subscription_id, subscription.id);
    assert.notEqual(
      stored.push_client_state_hash?.toString('utf8'),
      subscription.clientState,
      'only a hash of the clientState is kept',
    );
  });

  it('acts on no notification whose clientState does not match (answered like an unknown one), and answers the handshake for lifecycle URLs too', async () => {
    const box = await connectedMailbox(t, 'microsoft', 'graph-forged.example');
    const subscription = await subscriptionOf(box.recruiter.email);
    // Graph lists the subscription before our side has saved it: wait, so the entry is known and forged.
    await eventually(async () => {
      const state = await t.database.db
        .selectFrom('mailbox_sync')
        .select('push_subscription_id')
        .where('connection_id', '=', box.connectionId)
        .executeTakeFirst();
      return state?.push_subscription_id === subscription.id;
    });
    const forged = await fetch(`${t.publicUrl}/webhooks/microsoft`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        value: [
          { subscriptionId: subscription.id, clientState: 'guessed', changeType: 'created', resource: 'x' },
        ],
      }),
    });
    assert.equal(forged.status, 202);
    const metrics = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    assert.match(
      metrics.body,
      /talentsync_webhook_notifications_total\{provider="microsoft",outcome="rejected"\} [1-9]/,
    );
    const handshake = await fetch(`${t.publicUrl}/webhooks/microsoft/lifecycle?validationToken=abc%20123`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(handshake.status, 200);
    assert.equal(await handshake.text(), 'abc 123');
    assert.match(handshake.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(handshake.headers.get('x-content-type-options'), 'nosniff');
  });

  it('answers lifecycle events: missed → sync, subscriptionRemoved → new subscription, reauthorizationRequired → renewed', async () => {
    const box = await connectedMailbox(t, 'microsoft', 'graph-lifecycle.example');
    const first = await subscriptionOf(box.recruiter.email);
    await eventually(
      async () =>
        (await t.call(box.recruiter.token, 'GET', '/api/connection')).json().connection.sync.lastSyncAt,
    );
    await t.sandbox.control.post('/push/microsoft', { dropShare: 1 });
    await box.deliver({
      from: { address: 'graph@candidates.example' },
      to: [{ address: box.recruiter.email }],
      subject: 'missed one',
      text: 'm',
    });
    await t.sandbox.control.post('/push/microsoft', { dropShare: 0 });
    await t.sandbox.control.post(`/microsoft/subscriptions/${first.id}/lifecycle`, { event: 'missed' });
    await eventually(async () => (await threads(box.recruiter.token)).length === 1);

    await t.sandbox.control.post(`/microsoft/subscriptions/${first.id}/lifecycle`, {
      event: 'reauthorizationRequired',
    });
    await eventually(async () => {
      const now = await subscriptionOf(box.recruiter.email);
      return now.id === first.id && now.expirationDateTime !== first.expirationDateTime;
    });

    await t.sandbox.control.post(`/microsoft/subscriptions/${first.id}/lifecycle`, {
      event: 'subscriptionRemoved',
    });
    const replacement = await eventually(async () => {
      const now = await subscriptionOf(box.recruiter.email);
      return now.id !== first.id && now;
    });
    await box.deliver({
      from: { address: 'graph@candidates.example' },
      to: [{ address: box.recruiter.email }],
      subject: 'after recreate',
      text: 'r',
    });
    await eventually(async () => (await threads(box.recruiter.token)).length === 2);
    assert.ok(replacement.id);
  });

  it('R4: un-authorizing deletes the subscription at Graph', async () => {
    const box = await connectedMailbox(t, 'microsoft', 'graph-r4.example');
    await subscriptionOf(box.recruiter.email);
    await t.call(box.admin.token, 'PATCH', '/api/organization', { provider: 'none' });
    await eventually(async () => {
      const { subscriptions } = await t.sandbox.control.get<{ subscriptions: Subscription[] }>(
        '/microsoft/subscriptions',
      );
      return !subscriptions.some((subscription) => subscription.user === box.recruiter.email);
    });
  });
});
