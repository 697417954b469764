/**
 * The sandbox's byte counter (response body bytes per mailbox and operation, a batch counted once on the
 * wire), the reset of body reads, and `deliver-many`, for both providers.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { testSandbox } from '../support/sandbox.ts';
import { GMAIL_READONLY, signIn as googleSignIn, newUser, registerClient } from './google/helpers.ts';
import { APP, signIn as microsoftSignIn } from './microsoft/helpers.ts';

interface Row {
  method: string;
  calls: number;
  bytes: number;
}

const sandbox = await testSandbox();
const rows = async (provider: string, user: string) =>
  (await sandbox.control.get<{ rows: Row[]; total: { bytes: number } }>(
    `/counters?provider=${provider}&user=${user}`,
  )) as { rows: Row[]; total: { bytes: number } };
const row = (list: Row[], method: string) => list.find((entry) => entry.method === method);

before(async () => {
  await registerClient(sandbox);
  await sandbox.control.post('/microsoft/clients', APP);
});

describe('sandbox counters: bytes', () => {
  it('Gmail: counts each answer body once, a batch as its whole answer and none for its parts', async () => {
    const email = await newUser(sandbox);
    const token = (await googleSignIn(sandbox, email, [GMAIL_READONLY])).access_token;
    const { messages } = await sandbox.control.post<{ messages: { id: string }[] }>(
      `/google/mailboxes/${email}/deliver-many`,
      {
        messages: [1, 2, 3].map((i) => ({
          from: { address: 'jane@gmail.com' },
          subject: `Many ${i}`,
          text: `Body ${i}`,
        })),
      },
    );
    assert.equal(messages.length, 3);
    await sandbox.control.del('/counters');

    const get = await fetch(
      `${sandbox.url}/google/gmail/v1/users/me/messages/${messages[0]?.id}?format=full`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    const single = (await get.arrayBuffer()).byteLength;
    assert.equal(get.status, 200);

    const boundary = 'b_counters';
    const body = messages
      .map(
        ({ id }, i) =>
          `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <i${i}>\r\n\r\n` +
          `GET /gmail/v1/users/me/messages/${id}?format=raw HTTP/1.1\r\n\r\n`,
      )
      .join('');
    const batch = await fetch(`${sandbox.url}/google/batch/gmail/v1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/mixed; boundary=${boundary}` },
      body: `${body}--${boundary}--\r\n`,
    });
    const batched = (await batch.arrayBuffer()).byteLength;

    const { rows: list, total } = await rows('google', email);
    assert.equal(row(list, 'gmail.users.messages.get')?.calls, 4);
    assert.equal(row(list, 'gmail.users.messages.get')?.bytes, single, 'the parts count no bytes');
    assert.equal(row(list, 'gmail.batch')?.bytes, batched);
    assert.equal(total.bytes, single + batched);

    // Full and raw served bodies; reset forgets them.
    const reads = `/google/mailboxes/${email}/body-reads`;
    assert.deepEqual(
      new Set((await sandbox.control.get<{ ids: string[] }>(reads)).ids),
      new Set(messages.map(({ id }) => id)),
    );
    await sandbox.control.del(reads);
    assert.deepEqual((await sandbox.control.get<{ ids: string[] }>(reads)).ids, []);
  });

  it('Graph: counts each answer body once, a $batch as its whole answer and none for its items', async () => {
    const email = 'rex@counters.example';
    await sandbox.control.post('/microsoft/users', { email, name: 'Rex' });
    const token = (await microsoftSignIn(sandbox, email)).access_token;
    const { messages } = await sandbox.control.post<{ messages: { id: string; subject: string }[] }>(
      `/microsoft/mailboxes/${email}/deliver-many`,
      {
        messages: [1, 2].map((i) => ({
          from: { address: 'jane@gmail.com' },
          subject: `Many ${i}`,
          text: `Body ${i}`,
        })),
      },
    );
    assert.deepEqual(
      messages.map((message) => message.subject),
      ['Many 1', 'Many 2'],
    );
    await assert.rejects(
      sandbox.control.post(`/microsoft/mailboxes/${email}/deliver-many`, { messages: [] }),
      /400/,
    );
    await sandbox.control.del('/counters');

    const graph = (path: string, init: RequestInit = {}) =>
      fetch(`${sandbox.url}/microsoft/graph/v1.0/${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${token}`,
          prefer: 'IdType="ImmutableId"',
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
      });
    const value = await graph(`me/messages/${messages[0]?.id}/$value`);
    const single = (await value.arrayBuffer()).byteLength;
    assert.equal(value.status, 200);
    const batch = await graph('$batch', {
      method: 'POST',
      body: JSON.stringify({
        requests: messages.map(({ id }, i) => ({
          id: String(i),
          method: 'GET',
          url: `/me/messages/${id}?$select=subject,body`,
        })),
      }),
    });
    const batched = (await batch.arrayBuffer()).byteLength;

    const { rows: list, total } = await rows('microsoft', email);
    assert.equal(row(list, 'graph.messages.value')?.bytes, single);
    assert.equal(row(list, 'graph.messages.get')?.calls, 2);
    assert.equal(row(list, 'graph.messages.get')?.bytes, 0, 'the items count no bytes');
    assert.equal(row(list, 'graph.batch')?.bytes, batched);
    assert.equal(total.bytes, single + batched);

    const reads = `/microsoft/mailboxes/${email}/body-reads`;
    assert.equal((await sandbox.control.get<{ ids: string[] }>(reads)).ids.length, 2);
    await sandbox.control.del(reads);
    assert.deepEqual((await sandbox.control.get<{ ids: string[] }>(reads)).ids, []);
  });
});
