/**
 * Conformance: Outlook message subscriptions live up to 10,080 minutes (subscription resource, "Subscription
 * lifetime"), and notification URLs must be https ("Receive change notifications through webhooks"), both
 * through the official Graph client. The sandbox runs with its defaults: plain http is refused here.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GraphError } from '@microsoft/microsoft-graph-client';
import { graphClient, microsoftSandbox, receiver, signIn } from './helpers.ts';

const sandbox = await microsoftSandbox({ https: true });
await sandbox.control.post('/microsoft/users', { email: 'rex@acme.example', name: 'Rex' });
const graph = graphClient(sandbox, (await signIn(sandbox, 'rex@acme.example')).access_token);
const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

const subscribe = (notificationUrl: string, minutes: number, extra: Record<string, unknown> = {}) =>
  graph.api('/subscriptions').post({
    changeType: 'created,updated,deleted',
    resource: "me/mailFolders('inbox')/messages",
    notificationUrl,
    expirationDateTime: inMinutes(minutes),
    clientState: 'conformance',
    ...extra,
  });

describe('Graph subscriptions on Outlook messages', () => {
  test('a subscription for 10,080 minutes is created with the expiry asked for, and renewed to it', async () => {
    const endpoint = await receiver({ https: true });
    const asked = inMinutes(10_080);
    const created = await graph.api('/subscriptions').post({
      changeType: 'created',
      resource: 'me/messages',
      notificationUrl: endpoint.url,
      expirationDateTime: asked,
    });
    assert.equal(endpoint.validations.length, 1, 'the https endpoint was validated');
    assert.ok(Math.abs(Date.parse(created.expirationDateTime) - Date.parse(asked)) < 1000);
    const renewed = await graph
      .api(`/subscriptions/${created.id}`)
      .patch({ expirationDateTime: inMinutes(10_079) });
    assert.ok(Date.parse(renewed.expirationDateTime) > Date.now() + 10_070 * 60_000);
    await sandbox.control.post('/microsoft/mailboxes/rex@acme.example/deliver', {
      from: { address: 'jane@gmail.com' },
      subject: 'Over TLS',
    });
    const [delivery] = await endpoint.waitFor(1);
    assert.equal(JSON.parse(delivery?.body ?? '{}').value[0].changeType, 'created');
    await graph.api(`/subscriptions/${created.id}`).delete();
  });

  test('more than 10,080 minutes is refused with ExtensionError', async () => {
    const endpoint = await receiver({ https: true });
    await assert.rejects(subscribe(endpoint.url, 10_082), (error: GraphError) => {
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'ExtensionError');
      assert.match(error.message, /10080 minutes/);
      return true;
    });
  });

  test('a plain http notification URL is refused before any validation request, as Graph does', async () => {
    const plain = await receiver();
    for (const body of [{}, { lifecycleNotificationUrl: plain.url }]) {
      const https = await receiver({ https: true });
      const target = 'lifecycleNotificationUrl' in body ? https.url : plain.url;
      await assert.rejects(subscribe(target, 60, body), (error: GraphError) => {
        assert.equal(error.statusCode, 400);
        assert.equal(error.code, 'InvalidRequest');
        assert.match(error.message, /^(Lifecycle)?NotificationUrl scheme='http' is not supported\.$/);
        return true;
      });
    }
    assert.equal(plain.validations.length, 0);
  });

  test('the documented sandbox switch admits http for local endpoints, and turns off again', async () => {
    const plain = await receiver();
    await sandbox.control.post('/microsoft/settings', { allowHttpNotificationUrls: true });
    try {
      const created = await subscribe(plain.url, 60);
      assert.equal(created.notificationUrl, plain.url);
      await graph.api(`/subscriptions/${created.id}`).delete();
    } finally {
      await sandbox.control.post('/microsoft/settings', { allowHttpNotificationUrls: false });
    }
    await assert.rejects(subscribe(plain.url, 60), (error: GraphError) => error.statusCode === 400);
  });
});
