import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProviderError } from '../../../src/providers/errors.ts';
import {
  createMicrosoftPush,
  MAX_NOTIFICATIONS_PER_REQUEST,
  parseGraphNotifications,
} from '../../../src/providers/microsoft/push.ts';
import { receiver } from '../../sandbox/microsoft/helpers.ts';
import { adapterSandbox, mailbox } from './helpers.ts';

const { sandbox, config } = await adapterSandbox();
const rex = await mailbox(sandbox, 'rex@acme.example');
const changes = await receiver();
const lifecycle = await receiver();
const push = createMicrosoftPush(config, {
  notificationUrl: changes.url,
  lifecycleNotificationUrl: lifecycle.url,
});

interface Listed {
  id: string;
  resource: string;
  expirationDateTime: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
}
const listed = async () =>
  (await sandbox.control.get<{ subscriptions: Listed[] }>('/microsoft/subscriptions')).subscriptions;
const settled = () => sandbox.core.push.idle();
const minutes = (date: Date) => (date.getTime() - Date.now()) / 60_000;

describe('subscriptions', () => {
  test('start subscribes to the mailbox’s messages after both endpoints pass the validation handshake', async () => {
    const validated = changes.validations.length;
    const state = await push.start(rex.token, { clientState: 'secret-1' });
    assert.equal(state.clientState, 'secret-1');
    assert.ok(
      minutes(state.expiresAt) > 10_000 && minutes(state.expiresAt) < 10_080,
      'near the 10,080-minute maximum',
    );
    const subscription = (await listed()).find((entry) => entry.id === state.subscriptionId);
    assert.equal(subscription?.resource, 'me/messages');
    assert.equal(subscription?.notificationUrl, changes.url);
    assert.equal(subscription?.lifecycleNotificationUrl, lifecycle.url);
    assert.equal(changes.validations.length, validated + 1);
    await push.stop(rex.token, state);
  });

  test('notifications for new mail parse to the subscription and its clientState', async () => {
    const state = await push.start(rex.token, { clientState: 'secret-2' });
    const before = changes.received.length;
    await rex.deliver('Hello');
    await settled();
    const bodies = changes.received.slice(before).map((delivery) => JSON.parse(delivery.body));
    assert.ok(bodies.length > 0);
    for (const body of bodies) {
      assert.deepEqual(parseGraphNotifications(body).notifications, [
        { subscriptionId: state.subscriptionId, clientState: 'secret-2' },
      ]);
    }
    await push.stop(rex.token, state);
  });

  test('lifecycle notifications parse with their event', async () => {
    const state = await push.start(rex.token, { clientState: 'secret-3' });
    for (const event of ['reauthorizationRequired', 'missed', 'subscriptionRemoved']) {
      const before = lifecycle.received.length;
      await sandbox.control.post(`/microsoft/subscriptions/${state.subscriptionId}/lifecycle`, { event });
      await settled();
      const [delivery] = lifecycle.received.slice(before);
      assert.deepEqual(parseGraphNotifications(delivery?.body).notifications, [
        { subscriptionId: state.subscriptionId, clientState: 'secret-3', lifecycleEvent: event },
      ]);
    }
  });

  test('renew extends the expiry; a subscription Graph removed is not_found, for the caller to recreate', async () => {
    const short = createMicrosoftPush(config, {
      notificationUrl: changes.url,
      lifecycleNotificationUrl: lifecycle.url,
      lifetimeMinutes: 60,
    });
    const state = await short.start(rex.token, { clientState: 'secret-4' });
    assert.ok(minutes(state.expiresAt) > 59 && minutes(state.expiresAt) <= 60);
    const renewed = await push.renew(rex.token, state);
    assert.equal(renewed.subscriptionId, state.subscriptionId);
    assert.equal(renewed.clientState, 'secret-4');
    assert.ok(minutes(renewed.expiresAt) > 10_000, 'renewed to near the 10,080-minute maximum');
    const subscription = (await listed()).find((entry) => entry.id === state.subscriptionId);
    assert.equal(Date.parse(subscription?.expirationDateTime ?? ''), renewed.expiresAt.getTime());
    await sandbox.control.post(`/microsoft/subscriptions/${state.subscriptionId}/lifecycle`, {
      event: 'subscriptionRemoved',
    });
    await assert.rejects(
      push.renew(rex.token, renewed),
      (error: unknown) => error instanceof ProviderError && error.kind === 'not_found',
    );
  });

  test('stop deletes the subscription; one already gone counts as stopped', async () => {
    const state = await push.start(rex.token, { clientState: 'secret-5' });
    await push.stop(rex.token, state);
    assert.ok(!(await listed()).some((entry) => entry.id === state.subscriptionId));
    await push.stop(rex.token, state);
  });

  test('an endpoint that fails the validation handshake fails start with a ProviderError', async () => {
    const failing = await receiver();
    failing.mode = 'error';
    const broken = createMicrosoftPush(config, {
      notificationUrl: failing.url,
      lifecycleNotificationUrl: lifecycle.url,
    });
    await assert.rejects(broken.start(rex.token, { clientState: 'secret-6' }), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.kind, 'permanent');
      assert.match(error.message, /validation request failed/);
      return true;
    });
    const wrong = await receiver();
    wrong.mode = 'wrong';
    const echoing = createMicrosoftPush(config, {
      notificationUrl: changes.url,
      lifecycleNotificationUrl: wrong.url,
    });
    await assert.rejects(echoing.start(rex.token, { clientState: 'secret-7' }), ProviderError);
  });
});

describe('parseGraphNotifications', () => {
  test('a missing clientState reads as undefined; a JSON string is read too', () => {
    assert.deepEqual(parseGraphNotifications('{"value":[{"subscriptionId":"s-1","clientState":null}]}'), {
      notifications: [{ subscriptionId: 's-1', clientState: undefined }],
      ignored: 0,
    });
    assert.deepEqual(parseGraphNotifications({ value: [] }), { notifications: [], ignored: 0 });
  });

  test('lifecycle events this code does not know are left out', () => {
    assert.deepEqual(
      parseGraphNotifications({
        value: [{ subscriptionId: 's-1', clientState: 'x', lifecycleEvent: 'somethingNew' }],
      }),
      { notifications: [], ignored: 1 },
    );
  });

  test('a body that is not a notification collection is rejected as permanent', () => {
    for (const body of [undefined, null, 'not json', {}, { value: 'x' }, [], 7, { value: { 0: {} } }]) {
      assert.throws(
        () => parseGraphNotifications(body),
        (error: unknown) =>
          error instanceof ProviderError && error.kind === 'permanent' && error.code === 'push_malformed',
        JSON.stringify(body),
      );
    }
  });

  test('hardening: a malformed entry is ignored and its siblings are kept', () => {
    const good = { subscriptionId: 's-1', clientState: 'x' };
    const malformed = [
      null,
      'x',
      [good],
      { clientState: 'x' },
      { subscriptionId: '' },
      { subscriptionId: 7 },
      { subscriptionId: 's'.repeat(129) },
      { subscriptionId: 's-1', clientState: 7 },
      { subscriptionId: 's-1', clientState: 'c'.repeat(129) },
      { subscriptionId: 's-1', lifecycleEvent: 3 },
    ];
    assert.deepEqual(parseGraphNotifications({ value: [...malformed, good] }), {
      notifications: [good],
      ignored: malformed.length,
    });
  });

  test('hardening: entries past the first 1,000 are not read', () => {
    const value = Array.from({ length: 39_000 }, (_, i) => ({ subscriptionId: `s-${i}`, clientState: 'x' }));
    const read = parseGraphNotifications({ value });
    assert.equal(read.notifications.length, MAX_NOTIFICATIONS_PER_REQUEST);
    assert.equal(read.notifications.at(-1)?.subscriptionId, `s-${MAX_NOTIFICATIONS_PER_REQUEST - 1}`);
    assert.equal(read.ignored, 39_000 - MAX_NOTIFICATIONS_PER_REQUEST);
  });
});
