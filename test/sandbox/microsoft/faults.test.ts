import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { APP, graphFetch, json, microsoftSandbox, REDIRECT_URI, signIn } from './helpers.ts';

const sandbox = await microsoftSandbox();
await sandbox.control.post('/microsoft/users', { email: 'rex@acme.example', name: 'Rex' });
await sandbox.control.post('/microsoft/users', { email: 'amy@acme.example', name: 'Amy' });
const rex = await signIn(sandbox, 'rex@acme.example');
const amy = await signIn(sandbox, 'amy@acme.example');

type Row = { method: string; user: string; calls: number; errors: number };
const counters = async (user: string) =>
  (await sandbox.control.get<{ rows: Row[] }>(`/counters?provider=microsoft&user=${user}`)).rows;
const fault = (rule: Record<string, unknown>) =>
  sandbox.control.post('/faults', { provider: 'microsoft', ...rule });

beforeEach(async () => {
  await sandbox.control.del('/faults');
  await sandbox.control.del('/counters');
});

describe('injected faults answer in Graph error shape and are counted', () => {
  test('a status hits its share of calls until its count runs out', async () => {
    await sandbox.control.post('/seed', { seed: 42 });
    await fault({ endpoint: 'graph.mailFolders.list', status: 503, share: 0.5, count: 3 });
    const statuses = [];
    for (let i = 0; i < 20; i += 1)
      statuses.push((await graphFetch(sandbox, rex.access_token, 'me/mailFolders')).status);
    assert.equal(statuses.filter((status) => status === 503).length, 3);
    assert.equal(statuses.filter((status) => status === 200).length, 17);
    assert.ok(
      statuses.indexOf(200) < statuses.lastIndexOf(503),
      'a share lets some calls through before the count is spent',
    );
    const [row] = await counters('rex@acme.example');
    assert.deepEqual([row?.method, row?.calls, row?.errors], ['graph.mailFolders.list', 20, 3]);
  });

  test('each status gets its Graph code, with Retry-After when given', async () => {
    const expected: [number, string][] = [
      [400, 'BadRequest'],
      [401, 'InvalidAuthenticationToken'],
      [403, 'ErrorAccessDenied'],
      [404, 'ErrorItemNotFound'],
      [429, 'TooManyRequests'],
      [500, 'UnknownError'],
      [503, 'ServiceNotAvailable'],
    ];
    for (const [status, code] of expected) {
      await fault({ endpoint: 'graph.me', status, retryAfterSeconds: 30, count: 1 });
      const response = await graphFetch(sandbox, rex.access_token, 'me');
      assert.equal(response.status, status);
      assert.equal(response.headers.get('retry-after'), '30');
      const body = await json(response);
      assert.equal(body.error.code, code);
      assert.ok(body.error.innerError['request-id']);
    }
    assert.equal((await graphFetch(sandbox, rex.access_token, 'me')).status, 200, 'count 1 each: spent');
  });

  test('latency delays the call and then lets it succeed', async () => {
    await fault({ endpoint: 'graph.me', latencyMs: 250 });
    const started = Date.now();
    const response = await graphFetch(sandbox, rex.access_token, 'me');
    assert.equal(response.status, 200);
    assert.ok(Date.now() - started >= 250);
  });

  test("a rule for one mailbox leaves the others alone; '*' matches every operation", async () => {
    await fault({ endpoint: '*', user: 'amy@acme.example', status: 500 });
    assert.equal((await graphFetch(sandbox, amy.access_token, 'me')).status, 500);
    assert.equal((await graphFetch(sandbox, amy.access_token, 'me/mailFolders')).status, 500);
    assert.equal((await graphFetch(sandbox, rex.access_token, 'me/mailFolders')).status, 200);
  });

  test('a 410 on delta reads as SyncStateNotFound', async () => {
    await fault({ endpoint: 'graph.messages.delta', status: 410, count: 1 });
    const response = await graphFetch(sandbox, rex.access_token, 'me/mailFolders/inbox/messages/delta');
    assert.equal(response.status, 410);
    assert.equal((await json(response)).error.code, 'SyncStateNotFound');
  });

  test('the token endpoint fails in the identity platform shape', async () => {
    await fault({ endpoint: 'oauth.token', status: 503, retryAfterSeconds: 5, count: 1 });
    const response = await fetch(`${sandbox.url}/microsoft/login/common/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: rex.refresh_token ?? '',
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        redirect_uri: REDIRECT_URI,
      }),
    });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '5');
    const body = await json(response);
    assert.equal(body.error, 'temporarily_unavailable');
    assert.match(body.error_description, /^AADSTS90024: /);
    const [row] = await counters('rex@acme.example');
    assert.deepEqual([row?.method, row?.errors], ['oauth.token', 1]);
  });
});
