import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { testSandbox } from '../../support/sandbox.ts';
import { GMAIL_READONLY, gmailClient, newUser, pushReceiver, registerClient, signIn } from './helpers.ts';

const receiver = await pushReceiver();
const audience = 'https://app.example/webhooks/google';
const serviceAccount = 'gmail-push@talentsync.iam.gserviceaccount.com';
const sandbox = await testSandbox({
  google: { pushEndpoint: receiver.url, pushAudience: audience, pushServiceAccount: serviceAccount },
});
const jane = { address: 'jane@gmail.com' };
let email: string;
let api: ReturnType<typeof gmailClient>['api'];

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  api = gmailClient(sandbox, await signIn(sandbox, email, [GMAIL_READONLY])).api;
});

/** Waits until `count` pushes have arrived in all. */
async function pushes(count: number) {
  for (let i = 0; i < 200 && receiver.received.length < count; i += 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(receiver.received.length, count);
  return receiver.received;
}
const decode = (body: string) => {
  const parsed = JSON.parse(body);
  return { ...parsed, data: JSON.parse(Buffer.from(parsed.message.data, 'base64').toString('utf8')) };
};

describe('Gmail watch and Pub/Sub push', () => {
  it('answers watch with the current historyId and an expiration 7 days out, in ms', async () => {
    const before = Date.parse((await sandbox.control.get<{ now: string }>('/clock')).now);
    const { data } = await api.users.watch({
      userId: 'me',
      requestBody: {
        topicName: 'projects/talentsync/topics/gmail',
        labelIds: ['INBOX'],
        labelFilterBehavior: 'include',
      },
    });
    assert.equal(data.historyId, (await api.users.getProfile({ userId: 'me' })).data.historyId);
    const expiration = Number(data.expiration);
    assert.ok(expiration >= before + 7 * 86_400_000 && expiration < before + 7 * 86_400_000 + 60_000);
  });

  it('pushes each inbox change with an OIDC JWT that verifies against the sandbox JWKS', async () => {
    const seen = receiver.received.length;
    await sandbox.control.post(`/google/mailboxes/${email}/deliver`, {
      from: jane,
      subject: 'Ping',
      text: 'x',
    });
    const [push] = (await pushes(seen + 1)).slice(seen);
    const token = String(push?.headers.authorization).replace(/^Bearer /, '');
    const jwks = createRemoteJWKSet(new URL(`${sandbox.url}/google/oauth2/v3/certs`));
    const { payload } = await jwtVerify(token, jwks, { issuer: `${sandbox.url}/google`, audience });
    assert.equal(payload.email, serviceAccount);
    assert.equal(payload.email_verified, true);
    assert.match(String(payload.sub), /^\d+$/);
    const body = decode(push?.body ?? '{}');
    assert.deepEqual(body.data, {
      emailAddress: email,
      historyId: Number((await api.users.getProfile({ userId: 'me' })).data.historyId),
    });
    assert.equal(typeof body.data.historyId, 'number');
    assert.match(body.message.messageId, /^\d+$/);
    assert.ok(!Number.isNaN(Date.parse(body.message.publishTime)));
    assert.deepEqual(body.message.attributes, {});
    assert.match(body.subscription, /^projects\/talentsync\/subscriptions\/.+/);
  });

  it('leaves out changes the label filter excludes (a sent message under an INBOX filter)', async () => {
    const seen = receiver.received.length;
    await sandbox.control.post(`/google/mailboxes/${email}/send`, { to: [jane], subject: 'Out', text: 'o' });
    await sandbox.control.post(`/google/mailboxes/${email}/deliver`, {
      from: jane,
      subject: 'In',
      text: 'i',
    });
    const arrived = (await pushes(seen + 1)).slice(seen);
    assert.equal(
      decode(arrived[0]?.body ?? '{}').data.historyId,
      Number((await api.users.getProfile({ userId: 'me' })).data.historyId),
    );
  });

  it('sends pushes through the shared dispatcher, which can drop them', async () => {
    const seen = receiver.received.length;
    await sandbox.control.post('/push/google', { dropShare: 1 });
    assert.deepEqual(await sandbox.control.post(`/google/mailboxes/${email}/push`), { pushed: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sandbox.control.post('/push/google', { dropShare: 0 });
    assert.equal(receiver.received.length, seen);
    const { deliveries } = await sandbox.control.get<{ deliveries: { status: unknown; user: string }[] }>(
      '/push/log',
    );
    assert.deepEqual(deliveries.at(-1), { ...deliveries.at(-1), status: 'dropped', user: email });
  });

  it('pushes on demand through the control API, and stops after users.stop', async () => {
    const seen = receiver.received.length;
    assert.deepEqual(await sandbox.control.post(`/google/mailboxes/${email}/push`), { pushed: true });
    await pushes(seen + 1);
    await api.users.stop({ userId: 'me' });
    assert.deepEqual(await sandbox.control.post(`/google/mailboxes/${email}/push`), { pushed: false });
    await sandbox.control.post(`/google/mailboxes/${email}/deliver`, {
      from: jane,
      subject: 'Unwatched',
      text: 'u',
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(receiver.received.length, seen + 1);
  });

  it('stops pushing when a watch expires after 7 days of sandbox time', async () => {
    const user = await newUser(sandbox);
    const client = gmailClient(sandbox, await signIn(sandbox, user, [GMAIL_READONLY])).api;
    await client.users.watch({
      userId: 'me',
      requestBody: { topicName: 'projects/talentsync/topics/gmail' },
    });
    await sandbox.control.post('/clock', { advanceMs: 7 * 86_400_000 });
    assert.deepEqual(await sandbox.control.post(`/google/mailboxes/${user}/push`), { pushed: false });
  });

  it('refuses a watch without a valid topicName with 400', async () => {
    const user = await newUser(sandbox);
    const client = gmailClient(sandbox, await signIn(sandbox, user, [GMAIL_READONLY])).api;
    await assert.rejects(
      client.users.watch({ userId: 'me', requestBody: { topicName: 'gmail' } }),
      (error: { status: number }) => error.status === 400,
    );
  });
});

describe('push issuer', () => {
  it('signs with the configured pushIssuer (real Pub/Sub uses https://accounts.google.com)', async () => {
    const other = await pushReceiver();
    const issuing = await testSandbox({
      google: { pushEndpoint: other.url, pushIssuer: 'https://accounts.google.com' },
    });
    await registerClient(issuing);
    const user = await newUser(issuing);
    const client = gmailClient(issuing, await signIn(issuing, user, [GMAIL_READONLY])).api;
    await client.users.watch({ userId: 'me', requestBody: { topicName: 'projects/p/topics/t' } });
    await issuing.control.post(`/google/mailboxes/${user}/push`);
    for (let i = 0; i < 200 && other.received.length === 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const token = String(other.received[0]?.headers.authorization).replace(/^Bearer /, '');
    const { payload } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(`${issuing.url}/google/oauth2/v3/certs`)),
      { issuer: 'https://accounts.google.com', audience: other.url },
    );
    assert.equal(payload.iss, 'https://accounts.google.com');
  });
});
