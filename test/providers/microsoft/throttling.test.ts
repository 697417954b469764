import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProviderError } from '../../../src/providers/errors.ts';
import { createGraphClient } from '../../../src/providers/microsoft/graph.ts';
import { createMicrosoftMail } from '../../../src/providers/microsoft/mail.ts';
import { graphFetch } from '../../sandbox/microsoft/helpers.ts';
import { adapterSandbox, anHourAgo, drain, mailbox, upserted } from './helpers.ts';

const { sandbox, config } = await adapterSandbox();
const mail = createMicrosoftMail(config);

const fault = (rule: Record<string, unknown>) =>
  sandbox.control.post<{ id: string }>('/faults', { provider: 'microsoft', ...rule });

describe('429 with Retry-After', () => {
  test('a 429 inside a $batch that answered 200 is sent again after its own Retry-After', async () => {
    const rex = await mailbox(sandbox, 'batch-429@acme.example');
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push((await rex.deliver(`Message ${i}`)).id);
    await mail.headers(rex.token, [ids[0] as string]);
    await sandbox.control.del('/counters');
    await fault({
      endpoint: 'graph.messages.get',
      user: rex.email,
      status: 429,
      retryAfterSeconds: 1,
      count: 2,
    });
    const started = Date.now();
    const found = await mail.headers(rex.token, ids);
    assert.ok(Date.now() - started >= 1000, 'waited for the items’ Retry-After');
    assert.deepEqual(
      ids.map((id) => found.get(id)?.subject),
      ['Message 0', 'Message 1', 'Message 2'],
    );
    const counters = await rex.counters();
    assert.equal(counters['graph.batch']?.calls, 2, 'only the throttled items went again, in one batch');
    assert.deepEqual(counters['graph.messages.get'], { calls: 5, errors: 2 });
  });

  test('a 429 on a direct call is retried', async () => {
    const rex = await mailbox(sandbox, 'direct-429@acme.example');
    await fault({
      endpoint: 'graph.mailFolders.list',
      user: rex.email,
      status: 429,
      retryAfterSeconds: 0,
      count: 1,
    });
    const cursor = await mail.anchor(rex.token, anHourAgo());
    assert.ok((cursor.folders as unknown[]).length > 0);
    assert.equal((await rex.counters())['graph.mailFolders.list']?.errors, 1);
  });

  test('throttling past the retry budget, or a Retry-After too long to wait, is rate_limited with retryAfterMs', async () => {
    const rex = await mailbox(sandbox, 'budget@acme.example');
    const message = await rex.deliver('Throttled');
    const patient = createMicrosoftMail(config, { maxAttempts: 3 });
    await patient.headers(rex.token, [message.id]);
    const always = await fault({
      endpoint: 'graph.messages.get',
      user: rex.email,
      status: 429,
      retryAfterSeconds: 0,
    });
    await assert.rejects(patient.headers(rex.token, [message.id]), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.kind, 'rate_limited');
      assert.equal(error.retryAfterMs, 0);
      return true;
    });
    await sandbox.control.del(`/faults/${always.id}`);
    await fault({
      endpoint: 'graph.messages.delta',
      user: rex.email,
      status: 429,
      retryAfterSeconds: 120,
      count: 1,
    });
    const started = Date.now();
    await assert.rejects(
      patient.changes(rex.token, await patient.anchor(rex.token, anHourAgo())),
      (error: unknown) => {
        assert.ok(error instanceof ProviderError);
        assert.equal(error.kind, 'rate_limited');
        assert.equal(error.retryAfterMs, 120_000);
        return true;
      },
    );
    assert.ok(Date.now() - started < 1000, 'two minutes are left to the job to wait out');
  });
});

describe('503 and 504: the service busy', () => {
  test('a 503 on a direct call, and 503 or 504 items inside a $batch, are sent again after a short backoff', async () => {
    const rex = await mailbox(sandbox, 'busy@acme.example');
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push((await rex.deliver(`Busy ${i}`)).id);
    await fault({ endpoint: 'graph.mailFolders.list', user: rex.email, status: 503, count: 1 });
    const cursor = await mail.anchor(rex.token, anHourAgo());
    assert.ok((cursor.folders as unknown[]).length > 0);
    await fault({ endpoint: 'graph.messages.value', user: rex.email, status: 503, count: 2 });
    await fault({ endpoint: 'graph.messages.get', user: rex.email, status: 504, count: 1 });
    const raw = await mail.raw(rex.token, ids);
    assert.equal(raw.size, 3);
    assert.ok([...raw.values()].every((bytes) => bytes && bytes.length > 0));
    const headers = await mail.headers(rex.token, ids);
    assert.deepEqual(
      ids.map((id) => headers.get(id)?.subject),
      ['Busy 0', 'Busy 1', 'Busy 2'],
    );
    const counters = await rex.counters();
    assert.equal(counters['graph.mailFolders.list']?.errors, 1);
    assert.deepEqual(counters['graph.messages.value'], { calls: 5, errors: 2 });
  });

  test('a service busy past the retry budget is transient', async () => {
    const rex = await mailbox(sandbox, 'always-busy@acme.example');
    const message = await rex.deliver('Never');
    const patient = createMicrosoftMail(config, { maxAttempts: 2 });
    await fault({ endpoint: 'graph.messages.value', user: rex.email, status: 503 });
    await assert.rejects(patient.raw(rex.token, [message.id]), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.kind, 'transient');
      return true;
    });
  });
});

describe('500 and 502: a passing server error', () => {
  test('hardening: a 500 or 502 on a read, direct or inside a $batch, is sent again; on a write it is not', async () => {
    const rex = await mailbox(sandbox, 'server-error@acme.example');
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push((await rex.deliver(`Message ${i}`)).id);
    await mail.headers(rex.token, [ids[0] as string]);
    await sandbox.control.del('/counters');
    await fault({ endpoint: 'graph.mailFolders.list', user: rex.email, status: 500, count: 1 });
    await mail.anchor(rex.token, anHourAgo());
    assert.equal(
      (await rex.counters())['graph.mailFolders.list']?.errors,
      1,
      'the 500 came, and was retried',
    );
    await fault({ endpoint: 'graph.messages.get', user: rex.email, status: 502, count: 2 });
    const found = await mail.headers(rex.token, ids);
    assert.deepEqual(
      ids.map((id) => found.get(id)?.subject),
      ['Message 0', 'Message 1', 'Message 2'],
    );
    await fault({ endpoint: 'graph.batch', user: rex.email, status: 500, count: 1 });
    assert.equal((await mail.headers(rex.token, ids)).size, 3, 'a whole $batch answered 500 goes again');

    // A create that answered 500 may have happened: sending it again could make a second event.
    await fault({ endpoint: 'graph.events.create', user: rex.email, status: 500, count: 1 });
    const graph = createGraphClient(config);
    const answer = await graph.request(rex.token, {
      method: 'POST',
      path: 'me/events',
      json: {
        subject: 'Screening',
        start: { dateTime: '2030-01-01T10:00:00', timeZone: 'UTC' },
        end: { dateTime: '2030-01-01T10:30:00', timeZone: 'UTC' },
      },
    });
    assert.equal(answer.status, 500);
    assert.deepEqual((await rex.counters())['graph.events.create'], { calls: 1, errors: 1 });
  });
});

describe('Outlook concurrency', () => {
  test('at most 4 requests per mailbox are in flight, however many calls run at once', async () => {
    const rex = await mailbox(sandbox, 'busy@acme.example');
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) ids.push((await rex.deliver(`Busy ${i}`)).id);
    const slow = await fault({ endpoint: '*', user: rex.email, latencyMs: 25 });
    // Without a gate, Graph refuses the fifth concurrent request.
    const burst = await Promise.all(
      Array.from({ length: 6 }, () => graphFetch(sandbox, rex.token, `me/messages/${ids[0]}`)),
    );
    assert.ok(burst.some((response) => response.status === 429));
    await sandbox.control.del('/counters');

    const cursor = await mail.anchor(rex.token, anHourAgo());
    const [round, ...answers] = await Promise.all([
      drain(mail, rex.token, cursor).then(() => undefined),
      ...Array.from({ length: 6 }, (_, i) => mail.headers(rex.token, ids.slice(i * 5, i * 5 + 5))),
      mail.raw(rex.token, ids.slice(0, 3)),
      mail.headers(rex.token, ids),
    ]);
    assert.equal(round, undefined);
    assert.equal(answers.length, 8);
    const counters = await rex.counters();
    const throttled = Object.entries(counters).filter(([, row]) => row.errors > 0);
    assert.deepEqual(throttled, [], 'Graph never answered 429 ApplicationThrottled');
    await sandbox.control.del(`/faults/${slow.id}`);
  });

  test('one adapter shares the gate across its calls; the sync itself still reports every message', async () => {
    const rex = await mailbox(sandbox, 'shared@acme.example');
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) ids.push((await rex.deliver(`Shared ${i}`)).id);
    const cursor = await mail.anchor(rex.token, anHourAgo());
    const [round] = await Promise.all([
      drain(mail, rex.token, cursor),
      mail.headers(rex.token, ids),
      mail.headers(rex.token, ids.slice(3)),
    ]);
    assert.deepEqual(upserted(round.changes).sort(), [...ids].sort());
    assert.deepEqual(
      Object.entries(await rex.counters()).filter(([, row]) => row.errors > 0),
      [],
    );
  });
});
