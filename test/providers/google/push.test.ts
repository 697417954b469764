import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { ProviderError } from '../../../src/providers/errors.ts';
import { createGooglePush, createGooglePushVerifier } from '../../../src/providers/google/push.ts';
import type { PushChannel } from '../../../src/providers/types.ts';
import { call, pushReceiver } from '../../sandbox/google/helpers.ts';
import { googleTest, type Mailbox } from './helpers.ts';

const receiver = await pushReceiver();
const audience = 'https://talentsync.example/webhooks/google';
const serviceAccount = 'gmail-push@talentsync.iam.gserviceaccount.com';
const t = await googleTest({
  google: { pushEndpoint: receiver.url, pushAudience: audience, pushServiceAccount: serviceAccount },
});
const issuer = `${t.sandbox.url}/google`;
const jwksUrl = `${t.sandbox.url}/google/oauth2/v3/certs`;
const settings = { jwksUrl, issuers: [issuer], audience, serviceAccountEmail: serviceAccount };
const verify = createGooglePushVerifier(settings);
const push: PushChannel = createGooglePush(t.config, { topicName: 'projects/talentsync/topics/gmail' });
const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
let box: Mailbox;

before(async () => {
  box = await t.mailbox();
});

/** Waits for the next `count` pushes after `seen` and answers them as the webhook got them. */
async function pushesAfter(seen: number, count = 1) {
  for (let i = 0; i < 300 && receiver.received.length < seen + count; i += 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(receiver.received.length, seen + count);
  return receiver.received.slice(seen).map((entry) => ({
    authorization: String(entry.headers.authorization),
    body: JSON.parse(entry.body) as unknown,
  }));
}

async function profileHistoryId(): Promise<string> {
  const profile = await call(t.sandbox, box.token, '/gmail/v1/users/me/profile');
  assert.equal(profile.status, 200);
  return profile.body.historyId;
}
const refused = (code: string) => (error: unknown) =>
  error instanceof ProviderError && error.kind === 'permanent' && error.code === code;
const pushBody = (data: unknown) => ({
  message: { data: Buffer.from(JSON.stringify(data)).toString('base64'), messageId: '1' },
  subscription: 'projects/talentsync/subscriptions/gmail-push',
});

/** A key of our own, served as a JWKS from a local server: tokens Google's keys did not sign. */
async function ownKeys() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'own', alg: 'RS256', use: 'sig' };
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const sign = (claims: JWTPayload, options: { kid?: string; expiresAt?: number } = {}) =>
    new SignJWT({ email: serviceAccount, email_verified: true, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'own' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(options.expiresAt ?? '1h')
      .sign(privateKey);
  return { jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/certs`, sign };
}

describe('Gmail watch', () => {
  it('starts a watch on all mail, expiring when Gmail says (7 days)', async () => {
    const now = await t.now();
    const state = await push.start(box.token, { clientState: 'unused by Gmail' });
    assert.deepEqual(Object.keys(state), ['expiresAt']);
    assert.ok(Math.abs(state.expiresAt.getTime() - (now.getTime() + 7 * DAY)) < 60_000);
    const seen = receiver.received.length;
    await box.deliver({ subject: 'Inbox', text: 'i' });
    await box.send({ to: [{ address: 'jane@gmail.com' }], subject: 'Sent, outside INBOX', text: 's' });
    await pushesAfter(seen, 2);
  });

  it('renews by watching again, moving the expiry on', async () => {
    const first = await push.start(box.token, { clientState: 'x' });
    await t.sandbox.control.post('/clock', { advanceMs: 10 * MINUTE });
    const renewed = await push.renew(box.token, first);
    const moved = renewed.expiresAt.getTime() - first.expiresAt.getTime();
    assert.ok(moved >= 10 * MINUTE && moved < 11 * MINUTE, `moved by ${moved} ms`);
  });

  it('stops pushes; stopping again, or a watch Gmail no longer knows (404), counts as stopped', async () => {
    const state = await push.start(box.token, { clientState: 'x' });
    await push.stop(box.token, state);
    assert.deepEqual(await t.sandbox.control.post(`/google/mailboxes/${box.email}/push`), { pushed: false });
    await push.stop(box.token, state);
    await t.sandbox.control.post('/faults', {
      provider: 'google',
      endpoint: 'gmail.users.stop',
      status: 404,
      count: 1,
    });
    await push.stop(box.token, state);
    await push.start(box.token, { clientState: 'x' });
  });
});

describe('Pub/Sub push verification', () => {
  it('accepts the push Gmail sends, naming the mailbox and its historyId', async () => {
    const seen = receiver.received.length;
    await box.deliver({ subject: 'Push me', text: 'p' });
    const [request] = await pushesAfter(seen);
    assert.ok(request);
    assert.deepEqual(await verify(request), { address: box.email, historyId: await profileHistoryId() });
  });

  it('refuses a real push checked for another audience, issuer or service account', async () => {
    const seen = receiver.received.length;
    await t.sandbox.control.post(`/google/mailboxes/${box.email}/push`);
    const [request] = await pushesAfter(seen);
    assert.ok(request);
    const variants = [
      { audience: 'https://elsewhere.example/webhooks/google' },
      { issuers: ['https://accounts.google.com', 'accounts.google.com'] },
      { serviceAccountEmail: 'someone-else@talentsync.iam.gserviceaccount.com' },
    ];
    for (const variant of variants) {
      await assert.rejects(
        createGooglePushVerifier({ ...settings, ...variant })(request),
        refused('push_unauthenticated'),
      );
    }
  });

  it('refuses a missing or non-Bearer Authorization header', async () => {
    const body = pushBody({ emailAddress: box.email, historyId: 1 });
    await assert.rejects(verify({ authorization: undefined, body }), refused('push_unauthenticated'));
    await assert.rejects(
      verify({ authorization: 'Basic Zm9vOmJhcg==', body }),
      refused('push_unauthenticated'),
    );
    await assert.rejects(
      verify({ authorization: 'Bearer not.a.jwt', body }),
      refused('push_unauthenticated'),
    );
  });

  it('refuses a token signed by another key, even under Google’s key id', async () => {
    const own = await ownKeys();
    const { keys } = (await (await fetch(jwksUrl)).json()) as { keys: { kid: string }[] };
    const body = pushBody({ emailAddress: box.email, historyId: 1 });
    for (const kid of [keys[0]?.kid, 'own']) {
      const authorization = `Bearer ${await own.sign({}, { kid })}`;
      await assert.rejects(verify({ authorization, body }), refused('push_unauthenticated'));
    }
  });

  it('refuses an expired token and one whose email is not verified, where the key itself is trusted', async () => {
    const own = await ownKeys();
    const trusting = createGooglePushVerifier({ ...settings, jwksUrl: own.jwksUrl });
    const body = pushBody({ emailAddress: box.email, historyId: 1 });
    const fresh = await own.sign({});
    assert.deepEqual(await trusting({ authorization: `Bearer ${fresh}`, body }), {
      address: box.email,
      historyId: '1',
    });
    const expired = await own.sign({}, { expiresAt: Math.floor(Date.now() / 1000) - 60 });
    await assert.rejects(
      trusting({ authorization: `Bearer ${expired}`, body }),
      refused('push_unauthenticated'),
    );
    const unverified = await own.sign({ email_verified: false });
    await assert.rejects(
      trusting({ authorization: `Bearer ${unverified}`, body }),
      refused('push_unauthenticated'),
    );
  });

  it('reads historyId given as a string or as a number past 2^53 without rounding, and lowercases the address', async () => {
    const own = await ownKeys();
    const trusting = createGooglePushVerifier({ ...settings, jwksUrl: own.jwksUrl });
    const authorization = `Bearer ${await own.sign({})}`;
    const big = '18446744073709551615';
    const data = Buffer.from(`{"emailAddress":"Rex@ACME.example","historyId":${big}}`).toString('base64');
    assert.deepEqual(await trusting({ authorization, body: { message: { data } } }), {
      address: 'rex@acme.example',
      historyId: big,
    });
    const asString = pushBody({ emailAddress: 'rex@acme.example', historyId: '100000002' });
    assert.equal((await trusting({ authorization, body: asString })).historyId, '100000002');
  });

  it('refuses bodies that are not a Gmail notification', async () => {
    const own = await ownKeys();
    const trusting = createGooglePushVerifier({ ...settings, jwksUrl: own.jwksUrl });
    const authorization = `Bearer ${await own.sign({})}`;
    const bodies = [
      undefined,
      'text',
      {},
      { message: {} },
      { message: { data: '%%% not base64 %%%' } },
      { message: { data: Buffer.from('not json').toString('base64') } },
      pushBody({ emailAddress: box.email }),
      pushBody({ emailAddress: box.email, historyId: 'abc' }),
      pushBody({ emailAddress: box.email, historyId: -5 }),
      pushBody({ emailAddress: 'nobody', historyId: 5 }),
    ];
    for (const body of bodies)
      await assert.rejects(trusting({ authorization, body }), refused('push_malformed'));
  });

  it('answers transient when Google’s keys cannot be fetched, so Pub/Sub retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const own = await ownKeys();
    const unreachable = createGooglePushVerifier({ ...settings, jwksUrl: `http://127.0.0.1:${port}/certs` });
    await assert.rejects(
      unreachable({ authorization: `Bearer ${await own.sign({})}`, body: pushBody({}) }),
      (error: unknown) => error instanceof ProviderError && error.kind === 'transient',
    );
  });
});
