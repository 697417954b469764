import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OAuth2Client } from 'google-auth-library';
import { controlClient } from '../../support/sandbox.ts';
import {
  GMAIL_READONLY,
  gmailClient,
  newUser,
  pushReceiver,
  registerClient,
  signIn,
  type TestSandbox,
} from './helpers.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/talentsync.js');
const first = await pushReceiver();
const second = await pushReceiver();
const serviceAccount = 'gmail-push@talentsync.iam.gserviceaccount.com';
const audience = 'https://app.example/webhooks/google';
let child: ChildProcess;
let sandbox: TestSandbox;

/** `talentsync sandbox` in its own process, with the push subscription given on the command line. */
async function startStandalone(): Promise<string> {
  child = spawn(
    process.execPath,
    [
      BIN,
      'sandbox',
      '--port',
      '0',
      '--push-endpoint',
      first.url,
      '--push-auth-service-account',
      serviceAccount,
      '--push-auth-token-audience',
      audience,
    ],
    { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn' }, stdio: 'pipe' },
  );
  let stdout = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const url = /provider sandbox running at (\S+)/.exec(stdout)?.[1];
      if (url) resolve(url);
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited ${code}: ${stdout}`)));
  });
}

before(async () => {
  const url = await startStandalone();
  sandbox = { url, control: controlClient(url) } as TestSandbox;
  await registerClient(sandbox);
});
after(() => {
  child.kill('SIGTERM');
});

async function put(pathname: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${sandbox.url}/_sandbox${pathname}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}

async function waitFor(received: { body: string }[], count: number) {
  for (let i = 0; i < 300 && received.length < count; i += 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(received.length, count);
}

/** The push's OIDC token checked as an app checks Pub/Sub's: google-auth-library's verifyIdToken. */
async function verified(headers: Record<string, string | string[] | undefined>, wanted: string) {
  const token = String(headers.authorization).replace(/^Bearer /, '');
  const issuer = `${sandbox.url}/google`;
  const client = new OAuth2Client({
    endpoints: { oauth2FederatedSignonPemCertsUrl: `${issuer}/oauth2/v1/certs` },
    issuers: [issuer],
  });
  return (await client.verifyIdToken({ idToken: token, audience: wanted })).getPayload();
}

describe('A standalone sandbox pushes Gmail notifications', () => {
  it('pushes to the endpoint given on the command line, signed for the given audience and service account', async () => {
    const email = await newUser(sandbox);
    const api = gmailClient(sandbox, await signIn(sandbox, email, [GMAIL_READONLY])).api;
    await api.users.watch({ userId: 'me', requestBody: { topicName: 'projects/talentsync/topics/gmail' } });
    await sandbox.control.post(`/google/mailboxes/${email}/deliver`, {
      from: { address: 'jane@gmail.com' },
      text: 'x',
    });
    await waitFor(first.received, 1);
    const push = first.received[0];
    const payload = await verified(push?.headers ?? {}, audience);
    assert.equal(payload?.email, serviceAccount);
    assert.equal(payload?.email_verified, true);
    const body = JSON.parse(push?.body ?? '{}');
    const data = JSON.parse(Buffer.from(body.message.data, 'base64').toString('utf8'));
    assert.equal(data.emailAddress, email);
    assert.equal(String(data.historyId), (await api.users.getProfile({ userId: 'me' })).data.historyId);
    const shown = await sandbox.control.get<{ pushConfig: { pushEndpoint: string } }>(
      '/google/push-subscription',
    );
    assert.equal(shown.pushConfig.pushEndpoint, first.url);
  });

  it('moves the subscription through the control API: new endpoint, audience, name and topic', async () => {
    const subscription = await put('/google/push-subscription', {
      name: 'projects/talentsync/subscriptions/app',
      topic: 'projects/talentsync/topics/gmail',
      pushConfig: {
        pushEndpoint: second.url,
        oidcToken: { serviceAccountEmail: serviceAccount, audience: second.url },
      },
    });
    assert.deepEqual(subscription, {
      name: 'projects/talentsync/subscriptions/app',
      topic: 'projects/talentsync/topics/gmail',
      pushConfig: {
        pushEndpoint: second.url,
        oidcToken: { serviceAccountEmail: serviceAccount, audience: second.url },
      },
    });
    const email = await newUser(sandbox);
    const api = gmailClient(sandbox, await signIn(sandbox, email, [GMAIL_READONLY])).api;
    await api.users.watch({ userId: 'me', requestBody: { topicName: 'projects/talentsync/topics/gmail' } });
    const before = first.received.length;
    await sandbox.control.post(`/google/mailboxes/${email}/deliver`, {
      from: { address: 'jane@gmail.com' },
      text: 'y',
    });
    await waitFor(second.received, 1);
    assert.equal(first.received.length, before);
    assert.equal(
      JSON.parse(second.received[0]?.body ?? '{}').subscription,
      'projects/talentsync/subscriptions/app',
    );
    assert.ok(await verified(second.received[0]?.headers ?? {}, second.url));
  });

  it('pushes nothing for a watch on another topic, nor once the subscription is deleted', async () => {
    const email = await newUser(sandbox);
    const api = gmailClient(sandbox, await signIn(sandbox, email, [GMAIL_READONLY])).api;
    await api.users.watch({ userId: 'me', requestBody: { topicName: 'projects/talentsync/topics/other' } });
    const { pushed } = await sandbox.control.post<{ pushed: boolean }>(`/google/mailboxes/${email}/push`);
    assert.equal(pushed, false);
    await api.users.watch({ userId: 'me', requestBody: { topicName: 'projects/talentsync/topics/gmail' } });
    assert.deepEqual(await sandbox.control.del('/google/push-subscription'), { deleted: true });
    assert.equal(
      (await sandbox.control.post<{ pushed: boolean }>(`/google/mailboxes/${email}/push`)).pushed,
      false,
    );
    const missing = await fetch(`${sandbox.url}/_sandbox/google/push-subscription`);
    assert.equal(missing.status, 404);
  });

  it('refuses a subscription without a push endpoint URL', async () => {
    for (const pushConfig of [{}, { pushEndpoint: 'not a url' }, { pushEndpoint: 'ftp://x' }]) {
      const response = await fetch(`${sandbox.url}/_sandbox/google/push-subscription`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pushConfig }),
      });
      assert.equal(response.status, 400, JSON.stringify(pushConfig));
    }
  });
});
