import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BatchRequestContent,
  BatchResponseContent,
  type GraphError,
} from '@microsoft/microsoft-graph-client';
import PostalMime from 'postal-mime';
import { graphClient, graphFetch, json, microsoftSandbox, signIn } from './helpers.ts';

const sandbox = await microsoftSandbox({ https: true });
await sandbox.control.post('/microsoft/users', { email: 'rex@acme.example', name: 'Rex Recruiter' });
const { access_token: token } = await signIn(sandbox, 'rex@acme.example');
const graph = graphClient(sandbox, token);
const v1 = `${sandbox.url}/microsoft/graph/v1.0`;
const deliver = (subject: string) =>
  sandbox.control.post<{ id: string; regularId: string }>('/microsoft/mailboxes/rex@acme.example/deliver', {
    from: { address: 'jane@gmail.com' },
    subject,
    text: `Body of ${subject}`,
  });
const batch = (requests: unknown[]) =>
  graphFetch(sandbox, token, '$batch', { method: 'POST', body: JSON.stringify({ requests }) });

describe('JSON batching', () => {
  test('BatchRequestContent runs several requests and BatchResponseContent reads their answers', async () => {
    const message = await deliver('Batched');
    const content = new BatchRequestContent([
      { id: 'me', request: new Request(`${v1}/me`) },
      {
        id: 'message',
        request: new Request(`${v1}/me/messages/${message.id}?$select=subject`, {
          headers: { Prefer: 'IdType="ImmutableId"' },
        }),
      },
      { id: 'mime', request: new Request(`${v1}/me/messages/${message.id}/$value`) },
    ]);
    const answer = new BatchResponseContent(await graph.api('/$batch').post(await content.getContent()));
    const part = (id: string) => {
      const response = answer.getResponseById(id);
      assert.ok(response, id);
      return response;
    };
    assert.equal(part('me').status, 200);
    assert.equal((await json(part('me'))).mail, 'rex@acme.example');
    const single = await json(part('message'));
    assert.equal(single.id, message.id);
    assert.equal(single.subject, 'Batched');
    assert.equal(part('mime').headers.get('content-type'), 'text/plain');
    const parsed = await PostalMime.parse(Buffer.from(await part('mime').text(), 'base64'));
    assert.equal(parsed.subject, 'Batched');
  });

  test('more than 20 requests is a 400', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/me' }));
    const response = await batch(requests);
    assert.equal(response.status, 400);
    assert.equal((await json(response)).error.code, 'BadRequest');
    assert.equal((await batch(requests.slice(0, 20))).status, 200);
  });

  test('ids must be unique, urls relative, and batches not nested', async () => {
    assert.equal(
      (
        await batch([
          {
            id: 'a',
            method: 'POST',
            url: '/$batch',
            body: {},
            headers: { 'Content-Type': 'application/json' },
          },
        ])
      ).status,
      400,
    );
    assert.equal(
      (
        await batch([
          { id: 'a', method: 'GET', url: '/me' },
          { id: 'A', method: 'GET', url: '/me' },
        ])
      ).status,
      400,
    );
    assert.equal((await batch([{ id: 'a', method: 'GET', url: `${v1}/me` }])).status, 400);
  });

  test('dependsOn orders requests; when a dependency fails, its dependants answer 424', async () => {
    const message = await deliver('Chained');
    const response = await batch([
      {
        id: '1',
        method: 'POST',
        url: `/me/messages/${message.id}/move`,
        body: { destinationId: 'archive' },
        headers: { 'Content-Type': 'application/json', Prefer: 'IdType="ImmutableId"' },
      },
      { id: '2', dependsOn: ['1'], method: 'GET', url: `/me/mailFolders/archive/messages/${message.id}` },
      { id: '3', method: 'GET', url: '/me/messages/not-an-id' },
      { id: '4', dependsOn: ['3'], method: 'GET', url: '/me' },
    ]);
    assert.equal(response.status, 200);
    const { responses } = await json(response);
    const status = Object.fromEntries(
      responses.map((item: { id: string; status: number }) => [item.id, item.status]),
    );
    assert.deepEqual(status, { 1: 201, 2: 200, 3: 400, 4: 424 });
  });

  test('a 429 inside a batch carries its own Retry-After while the batch answers 200', async () => {
    const message = await deliver('Throttled inside');
    await sandbox.control.post('/faults', {
      provider: 'microsoft',
      endpoint: 'graph.messages.get',
      status: 429,
      retryAfterSeconds: 7,
      count: 1,
    });
    await sandbox.control.del('/counters');
    const response = await batch([
      { id: 'a', method: 'GET', url: `/me/messages/${message.id}` },
      { id: 'b', dependsOn: ['a'], method: 'GET', url: '/me' },
      { id: 'c', method: 'GET', url: '/me/mailFolders/inbox' },
    ]);
    assert.equal(response.status, 200);
    const { responses } = await json(response);
    const a = responses.find((item: { id: string }) => item.id === 'a');
    assert.equal(a.status, 429);
    assert.equal(a.headers['Retry-After'], '7');
    assert.equal(a.body.error.code, 'TooManyRequests');
    assert.equal(responses.find((item: { id: string }) => item.id === 'c').status, 200);
    const { rows } = await sandbox.control.get<{ rows: { method: string; calls: number; errors: number }[] }>(
      '/counters?provider=microsoft',
    );
    const row = (method: string) => rows.find((entry) => entry.method === method);
    assert.deepEqual(
      [row('graph.batch')?.calls, row('graph.messages.get')?.calls, row('graph.messages.get')?.errors],
      [1, 1, 1],
    );
  });
});

describe('Outlook throttling per app and mailbox', () => {
  test('a fifth concurrent request is refused with 429 ApplicationThrottled and Retry-After', async () => {
    const message = await deliver('Slow');
    const fault = await sandbox.control.post<{ id: string }>('/faults', {
      provider: 'microsoft',
      endpoint: 'graph.messages.get',
      latencyMs: 300,
    });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => graphFetch(sandbox, token, `me/messages/${message.id}`)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
    const refused = answers.find((answer) => answer.status === 429);
    assert.equal(refused?.headers.get('retry-after'), '1');
    const body = await json(refused as Response);
    assert.equal(body.error.code, 'ApplicationThrottled');
    assert.equal(body.error.message, 'Application is over its MailboxConcurrency limit.');
    const alone = await batch(
      Array.from({ length: 8 }, (_, i) => ({
        id: String(i),
        method: 'GET',
        url: `/me/messages/${message.id}`,
      })),
    );
    const { responses } = await json(alone);
    assert.ok(
      responses.every((item: { status: number }) => item.status === 200),
      'a batch alone runs at most 4 at once',
    );
    await sandbox.control.del(`/faults/${fault.id}`);
  });

  test('the 10,000-requests-in-10-minutes budget is enforced (here made small)', async () => {
    const small = await microsoftSandbox({ microsoft: { requestsPerWindow: 5 } });
    await small.control.post('/microsoft/users', { email: 'rex@acme.example', name: 'Rex' });
    const { access_token } = await signIn(small, 'rex@acme.example');
    for (let i = 0; i < 5; i += 1)
      assert.equal((await graphFetch(small, access_token, 'me/mailFolders')).status, 200);
    const over = await graphFetch(small, access_token, 'me/mailFolders');
    assert.equal(over.status, 429);
    assert.equal(over.headers.get('retry-after'), '600');
    assert.equal((await json(over)).error.code, 'ApplicationThrottled');
    await small.control.post('/clock', { advanceMs: 10 * 60 * 1000 });
    const renewed = await graphFetch(small, access_token, 'me/mailFolders');
    assert.notEqual(renewed.status, 429);
  });

  test("the Graph client's retry handler waits out a 429's Retry-After and succeeds", async () => {
    await sandbox.control.post('/faults', {
      provider: 'microsoft',
      endpoint: 'graph.mailFolders.list',
      status: 429,
      retryAfterSeconds: 1,
      count: 1,
    });
    const started = Date.now();
    const folders = await graph.api('/me/mailFolders').get();
    assert.ok(folders.value.length > 0);
    assert.ok(Date.now() - started >= 1000, 'waited for Retry-After');
    await assert.rejects(
      graph.api('/me/messages/nope').get(),
      (error: GraphError) => error.statusCode === 400,
    );
  });
});
