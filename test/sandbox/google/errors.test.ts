import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { testSandbox } from '../../support/sandbox.ts';
import { call, failure, GMAIL_READONLY, gmailClient, newUser, registerClient, signIn } from './helpers.ts';

const sandbox = await testSandbox();
let email: string;
let api: ReturnType<typeof gmailClient>['api'];

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  // Without a refresh token: with one, google-auth-library refreshes and retries once on any 401/403.
  const { access_token } = await signIn(sandbox, email, [GMAIL_READONLY]);
  api = gmailClient(sandbox, { access_token }).api;
});

describe('Gmail error bodies (the "Resolve errors" guide)', () => {
  it('answers a bad token with 401 UNAUTHENTICATED, errors[0] "Invalid Credentials" / authError on the Authorization header', async () => {
    const stranger = gmailClient(sandbox, { access_token: 'ya29.not-a-token' }).api;
    const { status, body } = await failure(stranger.users.getProfile({ userId: 'me' }));
    assert.equal(status, 401);
    assert.equal(body.error.status, 'UNAUTHENTICATED');
    assert.match(body.error.message, /^Request had invalid authentication credentials\./);
    assert.deepEqual(body.error.errors[0], {
      message: 'Invalid Credentials',
      domain: 'global',
      reason: 'authError',
      location: 'Authorization',
      locationType: 'header',
    });
  });

  for (const [reason, message] of [
    ['userRateLimitExceeded', 'User Rate Limit Exceeded'],
    ['rateLimitExceeded', 'Rate Limit Exceeded'],
    ['dailyLimitExceeded', 'Daily Limit Exceeded'],
  ] as const) {
    it(`injects Gmail's 403 ${reason} (domain usageLimits) as a fault, then serves the call again`, async () => {
      await sandbox.control.post('/faults', {
        provider: 'google',
        endpoint: 'gmail.users.messages.list',
        status: 403,
        reason,
        count: 1,
      });
      const { status, body } = await failure(api.users.messages.list({ userId: 'me' }));
      assert.equal(status, 403);
      assert.equal(body.error.message, message);
      assert.equal(body.error.status, 'PERMISSION_DENIED');
      assert.deepEqual(body.error.errors[0], { message, domain: 'usageLimits', reason });
      assert.equal((await api.users.messages.list({ userId: 'me' })).status, 200);
    });
  }
});

describe('Unknown routes under the Google APIs', () => {
  for (const path of [
    '/gmail/v1/users/me/nothing-here',
    '/gmail/v1/users/me/threads/abc/nope',
    '/calendar/v3/calendars/primary/nothing',
    '/gmail/v2/users/me/profile',
    '/batch/nothing',
  ]) {
    it(`answers ${path} with Google's 404 envelope, not Fastify's`, async () => {
      for (const prefix of ['', '/google']) {
        const response = await fetch(`${sandbox.url}${prefix}${path}`);
        assert.equal(response.status, 404, prefix + path);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
        const body = (await response.json()) as { error: Record<string, unknown> };
        assert.deepEqual(Object.keys(body.error).sort(), ['code', 'errors', 'message', 'status']);
        assert.equal(body.error.code, 404);
        assert.equal(body.error.status, 'NOT_FOUND');
        assert.equal((body.error.errors as { reason: string }[])[0]?.reason, 'notFound');
      }
    });
  }

  it('answers a wrong method on a known path in the same envelope', async () => {
    const answer = await call(sandbox, undefined, '/gmail/v1/users/me/profile', { method: 'DELETE' });
    assert.equal(answer.status, 404);
    assert.equal(answer.body.error.status, 'NOT_FOUND');
  });
});
