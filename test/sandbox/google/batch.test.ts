import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { testSandbox } from '../../support/sandbox.ts';
import { GMAIL_READONLY, newUser, registerClient, signIn } from './helpers.ts';

const sandbox = await testSandbox();
let email: string;
let token: string;
const ids: string[] = [];

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  token = (await signIn(sandbox, email, [GMAIL_READONLY])).access_token;
  for (let i = 0; i < 3; i += 1) {
    const sent = await sandbox.control.post<{ id: string }>(`/google/mailboxes/${email}/deliver`, {
      from: { address: 'jane@gmail.com' },
      subject: `Batch ${i}`,
      text: 'b',
    });
    ids.push(sent.id);
  }
});

/** Sends a batch of GET paths the way Google's batch guide shows; answers the parsed parts. */
async function batch(paths: string[], root = '/google/batch/gmail/v1') {
  const boundary = 'batch_test_boundary';
  const body = paths
    .map(
      (path, i) =>
        `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item${i}>\r\n\r\nGET ${path} HTTP/1.1\r\n\r\n`,
    )
    .join('');
  const response = await fetch(`${sandbox.url}${root}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/mixed; boundary=${boundary}` },
    body: `${body}--${boundary}--\r\n`,
  });
  const text = await response.text();
  const responseBoundary = /boundary=(\S+)/.exec(response.headers.get('content-type') ?? '')?.[1] ?? '';
  const parts = text
    .split(`--${responseBoundary}`)
    .slice(1, -1)
    .map((part) => {
      const contentId = /Content-ID: <([^>]+)>/.exec(part)?.[1];
      const status = Number(/HTTP\/1\.1 (\d{3})/.exec(part)?.[1]);
      const retryAfter = /Retry-After: (\d+)/i.exec(part)?.[1];
      const json = part.slice(part.indexOf('{'), part.lastIndexOf('}') + 1);
      return { contentId, status, retryAfter, body: JSON.parse(json) };
    });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', parts, text };
}

describe('Gmail batch endpoint', () => {
  it('answers multipart/mixed in request order with Content-ID response-… and each inner response', async () => {
    const answer = await batch(
      ids.map((id) => `/gmail/v1/users/me/messages/${id}?format=metadata&metadataHeaders=Subject`),
    );
    assert.equal(answer.status, 200);
    assert.match(answer.contentType, /^multipart\/mixed; boundary=batch_/);
    assert.deepEqual(
      answer.parts.map((part) => part.contentId),
      ['response-item0', 'response-item1', 'response-item2'],
    );
    assert.deepEqual(
      answer.parts.map((part) => part.body.id),
      ids,
    );
    assert.deepEqual(
      answer.parts.map((part) => part.body.payload.headers[0].value),
      ['Batch 0', 'Batch 1', 'Batch 2'],
    );
  });

  it('carries per-part errors: a 404 for an unknown message, a 429 with Retry-After from a fault, beside 200s', async () => {
    await sandbox.control.post('/faults', {
      provider: 'google',
      endpoint: 'gmail.users.messages.get',
      status: 429,
      retryAfterSeconds: 7,
      count: 1,
    });
    const answer = await batch([
      `/gmail/v1/users/me/messages/${ids[0]}`,
      '/gmail/v1/users/me/messages/ffff000000000000',
      `/gmail/v1/users/me/messages/${ids[1]}`,
    ]);
    assert.equal(answer.status, 200);
    const statuses = answer.parts.map((part) => part.status);
    assert.deepEqual([...statuses].sort(), [200, 404, 429]);
    const limited = answer.parts.find((part) => part.status === 429);
    assert.equal(limited?.retryAfter, '7');
    assert.equal(limited?.body.error.status, 'RESOURCE_EXHAUSTED');
  });

  it('serves the batch endpoint at the server root as well, with full inner paths', async () => {
    const answer = await batch(
      [`/gmail/v1/users/${email}/messages/${ids[2]}?format=minimal`],
      '/batch/gmail/v1',
    );
    assert.equal(answer.parts[0]?.status, 200);
    assert.equal(answer.parts[0]?.body.id, ids[2]);
  });

  it('refuses more than 100 parts with 400', async () => {
    const answer = await batch(Array.from({ length: 101 }, () => `/gmail/v1/users/me/messages/${ids[0]}`));
    assert.equal(answer.status, 400);
    assert.equal(JSON.parse(answer.text).error.code, 400);
  });

  it('counts the batch as gmail.batch and each part as its own method with its units', async () => {
    await sandbox.control.del('/counters');
    await batch(ids.map((id) => `/gmail/v1/users/me/messages/${id}`));
    const { rows } = await sandbox.control.get<{ rows: { method: string; calls: number; units: number }[] }>(
      `/counters?provider=google&user=${email}`,
    );
    const byMethod = Object.fromEntries(
      rows.map((row) => [row.method, { calls: row.calls, units: row.units }]),
    );
    assert.deepEqual(byMethod['gmail.batch'], { calls: 1, units: 0 });
    assert.deepEqual(byMethod['gmail.users.messages.get'], { calls: 3, units: 15 });
  });
});
