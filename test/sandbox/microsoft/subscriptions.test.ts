import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GraphError } from '@microsoft/microsoft-graph-client';
import { graphClient, type Json, microsoftSandbox, receiver, signIn } from './helpers.ts';

// The receivers here listen on plain http, which Graph refuses: the sandbox's switch is turned on for them.
const sandbox = await microsoftSandbox({
  https: true,
  microsoft: { validationTimeoutMs: 500, allowHttpNotificationUrls: true },
});
const rex = await sandbox.control.post<{ id: string; tenantId: string }>('/microsoft/users', {
  email: 'rex@acme.example',
  name: 'Rex',
});
await sandbox.control.post('/microsoft/users', { email: 'amy@acme.example', name: 'Amy' });
const graph = graphClient(sandbox, (await signIn(sandbox, 'rex@acme.example')).access_token);
const IMMUTABLE = 'IdType="ImmutableId"';

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const deliver = (subject: string, kind = 'deliver') =>
  sandbox.control.post<{ id: string; regularId: string }>(`/microsoft/mailboxes/rex@acme.example/${kind}`, {
    from: { address: 'jane@gmail.com' },
    subject,
  });
const control = (id: string, action: string, body?: unknown) =>
  sandbox.control.post<{ id: string; regularId: string }>(
    `/microsoft/mailboxes/rex@acme.example/messages/${id}/${action}`,
    body,
  );
const settled = () => sandbox.core.push.idle();
const notifications = (endpoint: { received: { body: string }[] }) =>
  endpoint.received.flatMap((delivery) => (JSON.parse(delivery.body) as { value: Json[] }).value);
/** Change type and id of each notification, sorted: push gives no ordering guarantee. */
const changes = (endpoint: { received: { body: string }[] }) =>
  notifications(endpoint)
    .map((n) => `${n.changeType} ${n.resourceData.id}`)
    .sort();

async function subscribe(body: Record<string, unknown>, prefer?: string) {
  const request = graph.api('/subscriptions');
  if (prefer) request.header('Prefer', prefer);
  return request.post({
    changeType: 'created,updated,deleted',
    resource: 'me/messages',
    expirationDateTime: inMinutes(60),
    ...body,
  });
}

async function refused(body: Record<string, unknown>, status: number, code: string, message?: RegExp) {
  await assert.rejects(subscribe(body), (error: GraphError) => {
    assert.equal(error.statusCode, status);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('creating a subscription validates the endpoints first', () => {
  test('the notification and lifecycle URLs each get a text/plain validation request and must echo the token', async () => {
    const changes = await receiver();
    const lifecycle = await receiver();
    const created = await subscribe({
      notificationUrl: changes.url,
      lifecycleNotificationUrl: lifecycle.url,
      clientState: 'secret-1',
    });
    for (const endpoint of [changes, lifecycle]) {
      assert.equal(endpoint.validations.length, 1);
      const [validation] = endpoint.validations;
      assert.equal(validation?.headers['content-type'], 'text/plain; charset=utf-8');
      const token = new URL(validation?.url ?? '', 'http://x').searchParams.get('validationToken');
      assert.match(
        token ?? '',
        /^Validation: Testing client application reachability for subscription Request-Id: [0-9a-f-]{36}$/,
      );
    }
    assert.equal(created.resource, 'me/messages');
    assert.equal(created.changeType, 'created,updated,deleted');
    assert.equal(created.clientState, 'secret-1');
    assert.equal(created.notificationUrl, changes.url);
    assert.equal(created.lifecycleNotificationUrl, lifecycle.url);
    assert.equal(created.applicationId, '11112222-bbbb-3333-cccc-4444dddd5555');
    assert.equal(created.creatorId, rex.id);
    assert.equal(created.latestSupportedTlsVersion, 'v1_2');
    assert.match(created.expirationDateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    assert.equal(changes.received.length, 0);
  });

  test('a wrong echo, a non-200 answer, a slow answer or no answer fails creation with 400', async () => {
    const wrong = await receiver();
    wrong.mode = 'wrong';
    await refused(
      { notificationUrl: wrong.url },
      400,
      'InvalidRequest',
      /Response must exactly match validationToken query parameter/,
    );
    const failing = await receiver();
    failing.mode = 'error';
    await refused(
      { notificationUrl: failing.url },
      400,
      'InvalidRequest',
      /must respond with 200 OK to validation request/,
    );
    const slow = await receiver();
    slow.mode = 'slow';
    await refused(
      { notificationUrl: slow.url },
      400,
      'InvalidRequest',
      /^Subscription validation request timed out\.$/,
    );
    await refused(
      { notificationUrl: 'http://127.0.0.1:9/nobody' },
      400,
      'InvalidRequest',
      /Subscription validation request failed/,
    );
    const good = await receiver();
    const badLifecycle = await receiver();
    badLifecycle.mode = 'wrong';
    await refused(
      { notificationUrl: good.url, lifecycleNotificationUrl: badLifecycle.url },
      400,
      'InvalidRequest',
    );
    const { subscriptions } = await sandbox.control.get<{ subscriptions: { notificationUrl: string }[] }>(
      '/microsoft/subscriptions',
    );
    assert.ok(
      !subscriptions.some((subscription) =>
        [wrong.url, failing.url, slow.url, good.url].includes(subscription.notificationUrl),
      ),
    );
  });

  test('the body is checked: expiry in the future and within 10,080 minutes, clientState, changeType, resource', async () => {
    const endpoint = await receiver();
    const base = { notificationUrl: endpoint.url };
    await refused({ ...base, expirationDateTime: inMinutes(-1) }, 400, 'ExtensionError');
    await refused(
      { ...base, expirationDateTime: inMinutes(10_081) },
      400,
      'ExtensionError',
      /^Subscription expiration can only be 10080 minutes in the future\.$/,
    );
    await refused({ ...base, clientState: 'x'.repeat(129) }, 400, 'InvalidRequest');
    await refused({ ...base, changeType: 'created,read' }, 400, 'InvalidRequest');
    await refused({ ...base, resource: 'me/contacts' }, 400, 'InvalidRequest');
    await refused({ ...base, resource: 'users/amy@acme.example/messages' }, 403, 'ExtensionError');
    assert.equal(endpoint.validations.length, 0, 'nothing is validated for a bad body');
    const longest = await subscribe({
      ...base,
      expirationDateTime: inMinutes(10_079),
      clientState: 'x'.repeat(128),
    });
    assert.ok(longest.id);
  });
});

describe('change notifications', () => {
  test('new mail is notified as created, with the clientState and Graph resource paths', async () => {
    const endpoint = await receiver();
    const subscription = await subscribe({ notificationUrl: endpoint.url, clientState: 'abc' });
    const message = await deliver('Notify me');
    const [delivery] = await endpoint.waitFor(1);
    assert.equal(delivery?.headers['content-type'], 'application/json');
    const [notification] = notifications(endpoint);
    assert.deepEqual(notification, {
      subscriptionId: subscription.id,
      subscriptionExpirationDateTime: subscription.expirationDateTime,
      changeType: 'created',
      resource: `Users/${rex.id}/Messages/${message.regularId}`,
      resourceData: {
        '@odata.type': '#Microsoft.Graph.Message',
        '@odata.id': `Users/${rex.id}/Messages/${message.regularId}`,
        '@odata.etag': notification.resourceData['@odata.etag'],
        id: message.regularId,
      },
      clientState: 'abc',
      tenantId: rex.tenantId,
    });
    assert.match(notification.resourceData['@odata.etag'], /^W\/"/);
    await graph.api(`/subscriptions/${subscription.id}`).delete();
  });

  test('a move is deleted + created with regular ids, or updated for an immutable-id subscription', async () => {
    const regular = await receiver();
    const immutable = await receiver();
    const a = await subscribe({ notificationUrl: regular.url });
    const b = await subscribe({ notificationUrl: immutable.url }, IMMUTABLE);
    const message = await deliver('Moving');
    const moved = await control(message.id, 'archive');
    await control(message.id, 'delete');
    await settled();
    assert.deepEqual(
      changes(regular),
      [
        `created ${message.regularId}`,
        `deleted ${message.regularId}`,
        `created ${moved.regularId}`,
        `deleted ${moved.regularId}`,
      ].sort(),
    );
    assert.deepEqual(changes(immutable), [
      `created ${message.id}`,
      `deleted ${message.id}`,
      `updated ${message.id}`,
    ]);
    for (const subscription of [a, b]) await graph.api(`/subscriptions/${subscription.id}`).delete();
  });

  test('a folder subscription hears mail entering and leaving that folder only, of the types it asked for', async () => {
    const endpoint = await receiver();
    const subscription = await subscribe(
      { notificationUrl: endpoint.url, resource: "me/mailFolders('inbox')/messages" },
      IMMUTABLE,
    );
    const kept = await deliver('Inbox mail');
    await deliver('Spam', 'spam');
    await control(kept.id, 'trash');
    await settled();
    assert.deepEqual(changes(endpoint), [`created ${kept.id}`, `deleted ${kept.id}`]);
    const createdOnly = await receiver();
    const narrow = await subscribe({ notificationUrl: createdOnly.url, changeType: 'created' }, IMMUTABLE);
    const second = await deliver('Second');
    await control(second.id, 'delete');
    await settled();
    assert.deepEqual(
      notifications(createdOnly).map((n) => n.changeType),
      ['created'],
    );
    for (const id of [subscription.id, narrow.id]) await graph.api(`/subscriptions/${id}`).delete();
  });
});

describe('notifications go through the sandbox push dispatcher', () => {
  test('paused push holds them until resumed; a duplicate share sends them twice', async () => {
    const endpoint = await receiver();
    const subscription = await subscribe({ notificationUrl: endpoint.url, changeType: 'created' });
    await sandbox.control.post('/push/microsoft', { paused: true });
    await deliver('Held');
    await settled();
    assert.equal(endpoint.received.length, 0);
    await sandbox.control.post('/push/microsoft', { paused: false });
    await endpoint.waitFor(1);
    await sandbox.control.post('/push/microsoft', { duplicateShare: 1 });
    await deliver('Twice');
    await endpoint.waitFor(3);
    await settled();
    assert.equal(endpoint.received.length, 3);
    await sandbox.control.post('/push/microsoft', { duplicateShare: 0 });
    await graph.api(`/subscriptions/${subscription.id}`).delete();
  });
});

describe('managing subscriptions', () => {
  test('get, list, renew, reauthorize and delete; a deleted subscription stops notifying', async () => {
    const endpoint = await receiver();
    const subscription = await subscribe({ notificationUrl: endpoint.url });
    assert.equal((await graph.api(`/subscriptions/${subscription.id}`).get()).id, subscription.id);
    const listed = await graph.api('/subscriptions').get();
    assert.ok(listed.value.some((entry: { id: string }) => entry.id === subscription.id));
    const renewed = await graph
      .api(`/subscriptions/${subscription.id}`)
      .patch({ expirationDateTime: inMinutes(4000) });
    assert.ok(Date.parse(renewed.expirationDateTime) > Date.parse(subscription.expirationDateTime));
    await assert.rejects(
      graph.api(`/subscriptions/${subscription.id}`).patch({ expirationDateTime: inMinutes(10_100) }),
      (error: GraphError) => error.statusCode === 400 && error.code === 'ExtensionError',
    );
    await graph.api(`/subscriptions/${subscription.id}/reauthorize`).post({});
    await graph.api(`/subscriptions/${subscription.id}`).delete();
    await assert.rejects(
      graph.api(`/subscriptions/${subscription.id}`).get(),
      (error: GraphError) => error.statusCode === 404,
    );
    await deliver('After delete');
    await settled();
    assert.equal(endpoint.received.length, 0);
  });

  test('an expired subscription stops notifying and is gone', async () => {
    const endpoint = await receiver();
    const subscription = await subscribe({
      notificationUrl: endpoint.url,
      expirationDateTime: inMinutes(30),
    });
    await sandbox.control.post('/clock', { advanceMs: 31 * 60_000 });
    await deliver('Too late');
    await settled();
    assert.equal(endpoint.received.length, 0);
    const { subscriptions } = await sandbox.control.get<{ subscriptions: { id: string }[] }>(
      '/microsoft/subscriptions',
    );
    assert.ok(!subscriptions.some((entry) => entry.id === subscription.id));
  });
});

describe('lifecycle notifications', () => {
  test('the control API sends reauthorizationRequired, missed and subscriptionRemoved (which removes it)', async () => {
    const changes = await receiver();
    const lifecycle = await receiver();
    const subscription = await subscribe({
      notificationUrl: changes.url,
      lifecycleNotificationUrl: lifecycle.url,
      clientState: 'life',
    });
    for (const event of ['reauthorizationRequired', 'missed', 'subscriptionRemoved']) {
      await sandbox.control.post(`/microsoft/subscriptions/${subscription.id}/lifecycle`, { event });
    }
    await lifecycle.waitFor(3);
    const events = notifications(lifecycle);
    assert.deepEqual(events.map((n) => n.lifecycleEvent).sort(), [
      'missed',
      'reauthorizationRequired',
      'subscriptionRemoved',
    ]);
    assert.deepEqual(Object.keys(events[0] ?? {}).sort(), [
      'clientState',
      'lifecycleEvent',
      'subscriptionExpirationDateTime',
      'subscriptionId',
      'tenantId',
    ]);
    assert.ok(
      events.every(
        (n) =>
          n.subscriptionId === subscription.id && n.clientState === 'life' && n.tenantId === rex.tenantId,
      ),
    );
    assert.equal(changes.received.length, 0);
    await assert.rejects(
      graph.api(`/subscriptions/${subscription.id}`).get(),
      (error: GraphError) => error.statusCode === 404,
    );
  });

  test('a subscription without a lifecycle URL cannot get lifecycle events', async () => {
    const endpoint = await receiver();
    const subscription = await subscribe({ notificationUrl: endpoint.url });
    await assert.rejects(
      sandbox.control.post(`/microsoft/subscriptions/${subscription.id}/lifecycle`, { event: 'missed' }),
      /409/,
    );
  });
});
