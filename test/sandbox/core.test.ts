import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import PostalMime from 'postal-mime';
import { createFaultInjector } from '../../src/sandbox/faults.ts';
import { buildRaw, readRaw } from '../../src/sandbox/mime.ts';
import { createPushDispatcher } from '../../src/sandbox/push.ts';
import { createRandom } from '../../src/sandbox/random.ts';
import { createRateWindow } from '../../src/sandbox/rate-window.ts';
import { testSandbox } from '../support/sandbox.ts';

describe('sandbox core', () => {
  it('hits about the configured share of calls, exactly `count` times when limited, and can be cleared', () => {
    const faults = createFaultInjector(createRandom(42));
    faults.add({
      provider: 'google',
      endpoint: 'gmail.users.messages.get',
      status: 429,
      share: 0.3,
      retryAfterSeconds: 2,
    });
    let hits = 0;
    for (let i = 0; i < 10_000; i += 1) {
      const fault = faults.check('google', 'gmail.users.messages.get', 'a@x.example');
      if (fault) {
        hits += 1;
        assert.equal(fault.status, 429);
        assert.equal(fault.retryAfterSeconds, 2);
      }
    }
    assert.ok(hits > 2800 && hits < 3200, `about 30 % hit (${hits})`);
    assert.equal(faults.check('microsoft', 'gmail.users.messages.get', 'a@x.example'), undefined);

    faults.clear();
    faults.add({ provider: 'microsoft', endpoint: '*', user: 'B@x.example', status: 503, count: 3 });
    const results = Array.from(
      { length: 5 },
      () => faults.check('microsoft', 'graph.me', 'b@x.example')?.status,
    );
    assert.deepEqual(results, [503, 503, 503, undefined, undefined]);
    assert.equal(
      faults.check('microsoft', 'graph.me', 'c@x.example'),
      undefined,
      'other mailboxes are spared',
    );
  });

  it('allows a budget per key within a sliding window and says when it frees up', () => {
    let now = 1_000_000;
    const clock = {
      now: () => now,
      advance: (ms: number) => {
        now += ms;
      },
      reset: () => {},
    };
    const window = createRateWindow(clock, 10, 60_000);
    assert.deepEqual(window.take('u', 6), { ok: true });
    clock.advance(30_000);
    assert.deepEqual(window.take('u', 4), { ok: true });
    const refused = window.take('u', 1);
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok && refused.retryAfterMs === 30_000);
    assert.deepEqual(window.take('other', 10), { ok: true });
    clock.advance(30_000);
    assert.deepEqual(window.take('u', 6), { ok: true }, 'the first spending left the window');
  });

  it('builds real MIME that reads back to the same values', async () => {
    const raw = await buildRaw({
      from: { name: 'Zoë Ext', address: 'zoe@outside.example' },
      to: [{ address: 'rex@acme.example' }],
      cc: [{ name: 'C', address: 'c@outside.example' }],
      bcc: [],
      subject: 'Entretien — café ☕',
      text: 'Bonjour',
      html: '<p>Bonjour</p>',
      attachments: [{ filename: 'cv.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4') }],
      date: new Date('2026-11-20T09:30:00Z'),
      messageId: '<m1@outside.example>',
      references: ['<m0@acme.example>'],
      inReplyTo: '<m0@acme.example>',
    });
    const read = await readRaw(raw);
    assert.equal(read.subject, 'Entretien — café ☕');
    assert.deepEqual(read.from, { name: 'Zoë Ext', address: 'zoe@outside.example' });
    assert.deepEqual(read.cc, [{ name: 'C', address: 'c@outside.example' }]);
    assert.equal(read.messageId, '<m1@outside.example>');
    assert.deepEqual(read.references, ['<m0@acme.example>']);
    assert.equal(read.date.toISOString(), '2026-11-20T09:30:00.000Z');
    assert.deepEqual(read.attachments, [
      { filename: 'cv.pdf', contentType: 'application/pdf', size: 8, contentId: undefined },
    ]);
    assert.ok(
      read.headers.some((header) => header.name === 'Subject' && header.value.startsWith('=?UTF-8?')),
    );
    const parsed = await PostalMime.parse(raw);
    assert.equal(parsed.text?.trim(), 'Bonjour');
  });

  it('drops, duplicates and retries push deliveries as configured', async () => {
    const received: string[] = [];
    let failFirst = true;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        if (body === '"retry"' && failFirst) {
          failFirst = false;
          response.writeHead(500).end();
          return;
        }
        received.push(body);
        response.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const push = createPushDispatcher(createRandom(7), { retryBaseMs: 5 });

    push.send('google', { url, body: '"retry"', headers: {} });
    push.configure('google', { duplicateShare: 1 });
    push.send('google', { url, body: '"twice"', headers: {} });
    push.configure('google', { duplicateShare: 0, dropShare: 1 });
    push.send('google', { url, body: '"never"', headers: {} });
    push.configure('google', { dropShare: 0, paused: true });
    push.send('google', { url, body: '"held"', headers: {} });
    await push.idle();
    assert.deepEqual(received.sort(), ['"retry"', '"twice"', '"twice"']);
    push.configure('google', { paused: false });
    await push.idle();
    assert.ok(received.includes('"held"'), 'held notifications go out on resume');
    const stats = push.stats().find((row) => row.provider === 'google');
    assert.deepEqual(
      {
        dropped: stats?.dropped,
        duplicated: stats?.duplicated,
        delivered: stats?.delivered,
        failed: stats?.failed,
      },
      { dropped: 1, duplicated: 1, delivered: 4, failed: 0 },
    );
  });

  it('serves the shared control API: clock, faults, counters, push settings, reset', async () => {
    const sandbox = await testSandbox();
    const before = Date.parse((await sandbox.control.get<{ now: string }>('/clock')).now);
    const moved = await sandbox.control.post<{ now: string }>('/clock', { advanceMs: 3_600_000 });
    assert.ok(Date.parse(moved.now) - before >= 3_600_000);
    const rule = await sandbox.control.post<{ id: string }>('/faults', {
      provider: 'google',
      endpoint: '*',
      status: 500,
      count: 1,
    });
    assert.equal((await sandbox.control.get<{ faults: unknown[] }>('/faults')).faults.length, 1);
    await sandbox.control.del(`/faults/${rule.id}`);
    assert.equal((await sandbox.control.get<{ faults: unknown[] }>('/faults')).faults.length, 0);
    await assert.rejects(
      sandbox.control.post('/faults', { provider: 'yahoo', endpoint: '*', status: 500 }),
      /400/,
    );
    const settings = await sandbox.control.post<{ dropShare: number }>('/push/microsoft', { dropShare: 0.5 });
    assert.equal(settings.dropShare, 0.5);
    await sandbox.control.post('/reset');
    const after = await sandbox.control.get<{ controls: { microsoft: { dropShare: number } } }>('/push');
    assert.equal(after.controls.microsoft.dropShare, 0);
    assert.ok(Date.parse((await sandbox.control.get<{ now: string }>('/clock')).now) < before + 3_600_000);
  });
});
