import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { testSandbox } from '../../support/sandbox.ts';
import {
  CALENDAR_FREEBUSY,
  CLIENT_FORM,
  call,
  GMAIL_READONLY,
  newUser,
  registerClient,
  signIn,
} from './helpers.ts';

const sandbox = await testSandbox({ seed: 42 });
let email: string;
let token: string;
let messageId: string;

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  token = (await signIn(sandbox, email, [GMAIL_READONLY, CALENDAR_FREEBUSY])).access_token;
  messageId = (
    await sandbox.control.post<{ id: string }>(`/google/mailboxes/${email}/deliver`, {
      from: { address: 'jane@gmail.com' },
      subject: 'Quota',
      text: 'q',
      attachments: [{ filename: 'a.txt', contentType: 'text/plain', contentBase64: 'aGk=' }],
    })
  ).id;
});
beforeEach(async () => {
  await sandbox.control.del('/faults');
  await sandbox.control.del('/counters');
});

const profile = () => call(sandbox, token, '/gmail/v1/users/me/profile');
const fault = (rule: Record<string, unknown>) =>
  sandbox.control.post('/faults', { provider: 'google', ...rule });

describe('Google fault injection', () => {
  it('fails exactly `count` calls with the status in Google\u2019s error shape', async () => {
    await fault({ endpoint: 'gmail.users.getProfile', status: 503, count: 3 });
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await profile()).status);
    assert.deepEqual(statuses, [503, 503, 503, 200, 200, 200]);
    const [rule] = (await sandbox.control.get<{ faults: { hits: number }[] }>('/faults')).faults;
    assert.equal(rule?.hits, 3);
  });

  it('fails about `share` of the calls, reproducibly for a seed', async () => {
    await sandbox.control.post('/seed', { seed: 7 });
    await fault({ endpoint: 'gmail.users.getProfile', status: 500, share: 0.3 });
    let failed = 0;
    let body: { error: { status: string; code: number } } | undefined;
    for (let i = 0; i < 200; i += 1) {
      const answer = await profile();
      if (answer.status === 500) {
        failed += 1;
        body = answer.body;
      }
    }
    assert.ok(failed > 35 && failed < 85, `${failed} of 200 failed`);
    assert.equal(body?.error.status, 'INTERNAL');
    const { rows } = await sandbox.control.get<{ rows: { method: string; errors: number }[] }>(
      `/counters?provider=google&user=${email}`,
    );
    assert.equal(rows.find((row) => row.method === 'gmail.users.getProfile')?.errors, failed);
  });

  it('answers a 429 fault with Retry-After and RESOURCE_EXHAUSTED / rateLimitExceeded', async () => {
    await fault({ endpoint: '*', status: 429, retryAfterSeconds: 30, count: 1 });
    const answer = await call(sandbox, token, `/gmail/v1/users/me/messages/${messageId}`);
    assert.equal(answer.status, 429);
    assert.equal(answer.headers.get('retry-after'), '30');
    assert.equal(answer.body.error.status, 'RESOURCE_EXHAUSTED');
    assert.equal(answer.body.error.errors[0].reason, 'rateLimitExceeded');
  });

  it('delays calls by latencyMs without failing them', async () => {
    await fault({ endpoint: 'gmail.users.history.list', latencyMs: 150 });
    const started = performance.now();
    const { historyId } = (await profile()).body;
    const answer = await call(sandbox, token, `/gmail/v1/users/me/history?startHistoryId=${historyId}`);
    assert.equal(answer.status, 200);
    assert.ok(performance.now() - started >= 150);
  });

  it('hits only the named mailbox when the rule names a user', async () => {
    const other = await newUser(sandbox);
    const otherToken = (await signIn(sandbox, other, [GMAIL_READONLY])).access_token;
    await fault({ endpoint: '*', user: other, status: 503 });
    assert.equal((await profile()).status, 200);
    assert.equal((await call(sandbox, otherToken, '/gmail/v1/users/me/profile')).status, 503);
  });

  it('fails the token endpoint in the OAuth error shape', async () => {
    await fault({ endpoint: 'oauth.token', status: 503, count: 1 });
    const response = await fetch(`${sandbox.url}/google/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'x',
        ...CLIENT_FORM,
      }).toString(),
    });
    assert.equal(response.status, 503);
    assert.equal(((await response.json()) as { error: string }).error, 'internal_failure');
  });
});

describe('Gmail per-user quota and counters', () => {
  it('charges each method its documented units (getProfile 1, list 5, get 5, attachments 5, history 2, watch 100, stop 50)', async () => {
    const { historyId } = (await profile()).body;
    await call(sandbox, token, '/gmail/v1/users/me/messages');
    const full = await call(sandbox, token, `/gmail/v1/users/me/messages/${messageId}`);
    const attachmentId = full.body.payload.parts[1].body.attachmentId;
    await call(sandbox, token, `/gmail/v1/users/me/messages/${messageId}/attachments/${attachmentId}`);
    await call(sandbox, token, `/gmail/v1/users/me/history?startHistoryId=${historyId}`);
    await call(sandbox, token, '/gmail/v1/users/me/watch', {
      method: 'POST',
      body: JSON.stringify({ topicName: 'projects/p/topics/t' }),
    });
    await call(sandbox, token, '/gmail/v1/users/me/stop', { method: 'POST' });
    await call(sandbox, token, '/calendar/v3/freeBusy', {
      method: 'POST',
      body: JSON.stringify({
        timeMin: '2026-01-01T00:00:00Z',
        timeMax: '2026-01-02T00:00:00Z',
        items: [{ id: 'primary' }],
      }),
    });
    await call(sandbox, token, '/gmail/v1/users/me/messages/ffff000000000000');
    const { rows, total } = await sandbox.control.get<{
      rows: { method: string; calls: number; units: number; errors: number }[];
      total: { units: number };
    }>(`/counters?provider=google&user=${email}`);
    const units = Object.fromEntries(rows.map((row) => [row.method, [row.calls, row.units, row.errors]]));
    assert.deepEqual(units, {
      'gmail.users.getProfile': [1, 1, 0],
      'gmail.users.messages.list': [1, 5, 0],
      'gmail.users.messages.get': [2, 10, 1],
      'gmail.users.messages.attachments.get': [1, 5, 0],
      'gmail.users.history.list': [1, 2, 0],
      'gmail.users.watch': [1, 100, 0],
      'gmail.users.stop': [1, 50, 0],
      'calendar.freebusy.query': [1, 1, 0],
    });
    assert.equal(total.units, 174);
  });

  it('answers 429 rateLimitExceeded once a mailbox spends 15,000 units in a minute, and recovers a minute later', async () => {
    const user = await newUser(sandbox);
    const own = (await signIn(sandbox, user, [GMAIL_READONLY])).access_token;
    const watch = () =>
      call(sandbox, own, '/gmail/v1/users/me/watch', {
        method: 'POST',
        body: JSON.stringify({ topicName: 'projects/p/topics/t' }),
      });
    for (let i = 0; i < 150; i += 1) assert.equal((await watch()).status, 200);
    const limited = await call(sandbox, own, '/gmail/v1/users/me/profile');
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.status, 'RESOURCE_EXHAUSTED');
    assert.equal(limited.body.error.errors[0].reason, 'rateLimitExceeded');
    assert.equal(limited.body.error.errors[0].domain, 'usageLimits');
    assert.match(limited.body.error.message, /^User-rate limit exceeded\. {2}Retry after \d{4}-\d\d-\d\dT/);
    assert.equal((await profile()).status, 200, 'other mailboxes keep their own quota');
    await sandbox.control.post('/clock', { advanceMs: 60_000 });
    const fresh = (await signIn(sandbox, user, [GMAIL_READONLY])).access_token;
    assert.equal((await call(sandbox, fresh, '/gmail/v1/users/me/profile')).status, 200);
  });
});
