import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ProviderError } from '../../src/providers/errors.ts';
import type { MailSource, Provider } from '../../src/providers/types.ts';
import { onCleanup } from '../support/cleanup.ts';
import { assertExactlyOnce, deliverMix, lookedAt, syncOutcome, until } from '../support/exactly-once.ts';
import { assertFaultsHit, failShareOfCalls } from '../support/faults.ts';
import { eventually, liveTest } from '../support/live.ts';
import type { ProviderTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

// Runs go through the real job queue: the worker runs them, pushes ask for them, Retry-After reschedules them.
const live = await liveTest();

const CANDIDATE_EVERY = 10;
/** A rate limit on reading changes that outlasts the adapter's own retries (Gmail's none, Graph's 4 tries). */
const OPENING_LIMIT: Record<Provider, { provider: Provider; endpoint: string; count: number }> = {
  google: { provider: 'google', endpoint: 'gmail.users.history.list', count: 1 },
  microsoft: { provider: 'microsoft', endpoint: 'graph.messages.delta', count: 4 },
};
/** Gmail fetches headers in batches of 50; Graph's delta pages hold 200 changes. */
const MESSAGES: Record<Provider, number> = { google: 100, microsoft: 60 };

/**
 * Notes, per access token, when each call to the mail source started and each rate limit it ended in
 * (the moment, and the moment its Retry-After allows another call).
 */
function watchMailCalls(t: ProviderTest, provider: Provider) {
  const adapter = t.context.providers[provider];
  const inner = adapter?.mail;
  assert.ok(adapter && inner);
  const calls: { token: string; at: number }[] = [];
  const limits: { token: string; at: number; until: number }[] = [];
  const watched = <K extends keyof MailSource>(name: K) =>
    (async (token: string, ...rest: unknown[]) => {
      calls.push({ token, at: Date.now() });
      try {
        return await (inner[name] as (...args: unknown[]) => Promise<unknown>)(token, ...rest);
      } catch (error) {
        if (error instanceof ProviderError && error.kind === 'rate_limited') {
          limits.push({ token, at: Date.now(), until: Date.now() + (error.retryAfterMs ?? 1000) });
        }
        throw error;
      }
    }) as MailSource[K];
  adapter.mail = {
    anchor: watched('anchor'),
    changes: watched('changes'),
    headers: watched('headers'),
    findByMessageId: watched('findByMessageId'),
    raw: watched('raw'),
    sizes: watched('sizes'),
    summary: watched('summary'),
  };
  onCleanup(() => {
    adapter.mail = inner;
  });
  return {
    limits,
    /** Calls that started while a rate limit of the same mailbox (token) still asked us to wait. */
    early: () =>
      calls
        .filter((call) =>
          limits.some((limit) => limit.token === call.token && call.at > limit.at && call.at < limit.until),
        )
        .map((call) => new Date(call.at).toISOString()),
  };
}

describe('Retry-After and push', () => {
  it('a push arriving while Retry-After runs does not bring the next provider call forward', async () => {
    const tag = randomBytes(3).toString('hex');
    const box = await connectedMailbox(live, 'google', `patient-${tag}.example`);
    const candidate = `patient-${tag}@candidates.example`;
    await live.member({ emails: [candidate] });
    await eventually(async () => {
      const { sync } = (await live.call(box.recruiter.token, 'GET', '/api/connection')).json().connection;
      return sync.pushActive && sync.lastSyncAt;
    });
    const watch = watchMailCalls(live, 'google');
    await live.sandbox.control.post('/faults', {
      provider: 'google',
      endpoint: 'gmail.users.history.list',
      user: box.recruiter.email,
      status: 429,
      retryAfterSeconds: 3,
      count: 1,
    });
    const mail = { from: { address: candidate }, to: [{ address: box.recruiter.email }], text: 'hello' };
    await box.deliver({ ...mail, subject: 'first' });
    await eventually(async () => watch.limits.length === 1);
    await box.deliver({ ...mail, subject: 'second' });
    await eventually(async () => (await box.threads()).length === 2, 15_000);
    assert.deepEqual(watch.early(), [], 'the run the push asked for waited for Retry-After');
  });
});

for (const provider of ['google', 'microsoft'] as const) {
  describe(`sync under provider faults (${provider})`, () => {
    it('R10, R19: with 30 % of calls answered 429 (Retry-After 1 s) every candidate message is stored exactly once and nothing else, and no call comes before Retry-After', async () => {
      const tag = randomBytes(3).toString('hex');
      const total = MESSAGES[provider];
      const box = await connectedMailbox(live, provider, `limited-${provider}-${tag}.example`);
      const candidate = `limited-${tag}@candidates.example`;
      await live.member({ emails: [candidate] });
      await eventually(async () => {
        const { sync } = (await live.call(box.recruiter.token, 'GET', '/api/connection')).json().connection;
        return sync.pushActive && sync.lastSyncAt;
      });
      const watch = watchMailCalls(live, provider);
      // The mail arrives unannounced; then faults start, and one more message's push asks for a sync.
      await live.sandbox.control.post(`/push/${provider}`, { dropShare: 1 });
      const delivered = await deliverMix(box, {
        messages: total - 1,
        candidateEvery: CANDIDATE_EVERY,
        candidates: [candidate],
        tag,
      });
      await live.sandbox.control.post(`/push/${provider}`, { dropShare: 0 });
      await failShareOfCalls(live, provider, { status: 429, retryAfterSeconds: 1 });
      // And the first read of changes stays limited past what the adapter retries itself, so that at least
      // one run ends rate-limited and the job is rescheduled.
      await live.sandbox.control.post('/faults', {
        ...OPENING_LIMIT[provider],
        status: 429,
        retryAfterSeconds: 1,
      });
      const last = await box.deliver({
        from: { address: candidate },
        to: [{ address: box.recruiter.email }],
        subject: 'Last',
        text: 'pushed',
      });
      delivered.expected.push(last.id);
      await until(
        async () => (await lookedAt(live.database.db, box.connectionId)) >= total,
        90_000,
        async () => `looked at ${await lookedAt(live.database.db, box.connectionId)} of ${total}`,
      );
      await live.sandbox.control.del('/faults');

      assertExactlyOnce(
        await syncOutcome(live.database.db, box.connectionId),
        delivered.expected,
        delivered.others,
      );
      await assertFaultsHit(live, provider, box.recruiter.email);
      assert.ok(watch.limits.length > 0, 'some sync runs ended rate-limited');
      assert.deepEqual(watch.early(), [], 'no call came while Retry-After asked us to wait');
    });
  });
}
