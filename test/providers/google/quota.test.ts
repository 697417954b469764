import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderError } from '../../../src/providers/errors.ts';
import { drain, googleTest, many } from './helpers.ts';

const t = await googleTest();

describe('Gmail quota', () => {
  it('spends the minimum on N new messages: 2 units per history page, 5 per metadata get, 5 per raw match', async () => {
    const box = await t.mailbox();
    const { cursor } = await drain(t.mail, box.token, await t.mail.anchor(box.token, await t.now()));
    const delivered = 510;
    await many(delivered, (i) => box.deliver({ subject: `Quota ${i}`, text: 'q' }));
    await t.sandbox.control.del('/counters');

    const { changes, pages } = await drain(t.mail, box.token, cursor);
    const ids = changes.filter((change) => change.kind === 'upsert').map((change) => change.id);
    const headers = await t.mail.headers(box.token, ids);
    const matches = ids.filter((_, i) => i % 10 === 0);
    const raws = await t.mail.raw(box.token, matches);

    assert.equal(ids.length, delivered);
    assert.equal(headers.size, delivered);
    assert.equal(raws.size, matches.length);
    assert.equal(pages, 2);
    const spent = await t.spent(box.email);
    const units = Object.values(spent).reduce((sum, row) => sum + row.units, 0);
    assert.equal(units, 2 * pages + 5 * delivered + 5 * matches.length);
    assert.deepEqual(spent, {
      'gmail.users.history.list': { calls: pages, units: 2 * pages },
      'gmail.users.messages.get': {
        calls: delivered + matches.length,
        units: 5 * (delivered + matches.length),
      },
      'gmail.batch': { calls: Math.ceil(delivered / 50) + Math.ceil(matches.length / 10), units: 0 },
    });
  });
});

describe('Gmail per-user rate limit', () => {
  it('hands back the wait Gmail names in its "Retry after" message when a mailbox spends its minute', async () => {
    const small = await googleTest({ google: { quotaUnitsPerMinute: 20 } });
    const box = await small.mailbox();
    const ids = await many(5, async (i) => (await box.deliver({ subject: `Budget ${i}`, text: 'b' })).id);
    await assert.rejects(small.mail.headers(box.token, ids), (error: unknown) => {
      assert.ok(error instanceof ProviderError && error.kind === 'rate_limited', String(error));
      assert.ok(
        (error.retryAfterMs ?? 0) > 50_000 && (error.retryAfterMs ?? 0) <= 60_000,
        `${error.retryAfterMs}`,
      );
      return true;
    });
  });
});

describe("Gmail's 403 usage-limit errors", () => {
  for (const reason of ['userRateLimitExceeded', 'rateLimitExceeded', 'dailyLimitExceeded']) {
    it(`treats 403 ${reason} as a rate limit: the batch backs off and gets every message`, async () => {
      const box = await t.mailbox();
      const ids = await many(3, async (i) => (await box.deliver({ subject: `Limit ${i}`, text: 'l' })).id);
      await t.sandbox.control.post('/faults', {
        provider: 'google',
        endpoint: 'gmail.users.messages.get',
        user: box.email,
        status: 403,
        reason,
        count: 2,
      });
      const headers = await t.mail.headers(box.token, ids);
      assert.equal(headers.size, 3);
      const faults = await t.sandbox.control.get<{ faults: { user?: string; hits: number }[] }>('/faults');
      assert.equal(faults.faults.find((rule) => rule.user === box.email)?.hits, 2);
    });
  }

  it('hands a lasting 403 rateLimitExceeded to the caller as rate_limited, never as a permission error', async () => {
    const box = await t.mailbox();
    const ids = await many(2, async (i) => (await box.deliver({ subject: `Lasting ${i}`, text: 'l' })).id);
    await t.sandbox.control.post('/faults', {
      provider: 'google',
      endpoint: 'gmail.users.messages.get',
      user: box.email,
      status: 403,
      reason: 'rateLimitExceeded',
    });
    await assert.rejects(t.mail.headers(box.token, ids), (error: unknown) => {
      assert.ok(error instanceof ProviderError && error.kind === 'rate_limited', String(error));
      return true;
    });
    await t.sandbox.control.del('/faults');
  });
});
