/**
 * Chaos scenario 5: push notifications dropped, duplicated, delayed and out of order (the sandbox's Gmail
 * Pub/Sub push and Graph change notifications, into the app's webhooks, with the worker running), while
 * mail arrives in bursts and some stored candidate mail is deleted. Dropped notifications are made up for
 * by the poll fallback. Every candidate message not deleted must end stored once, nothing else stored.
 *
 *   CHAOS_PUSH_MESSAGES=1000 npm run chaos -- notifications
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRandom } from '../../src/sandbox/random.ts';
import {
  chaosProviders,
  chaosTeam,
  deleteInMailbox,
  deliverInto,
  envNumber,
  firstSync,
  logger,
  pickExpected,
  report,
  SEED,
  settled,
  sum,
  type Tally,
  tally,
} from '../support/chaos.ts';
import { liveTest } from '../support/live.ts';

const SCENARIO = 'notifications';
const messages = envNumber('CHAOS_PUSH_MESSAGES', 1000);
const BURSTS = 10;
const live = await liveTest({ pollQuietMs: 10_000 });

interface PushStats {
  provider: string;
  queued: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  failed: number;
}

describe(`chaos: ${SCENARIO}`, () => {
  it(`${messages} messages per provider with notifications dropped, duplicated, delayed and reordered`, {
    timeout: 1_200_000,
  }, async () => {
    const tallies: Tally[] = [];
    for (const provider of chaosProviders()) {
      const log = logger(SCENARIO, provider);
      const started = performance.now();
      const random = createRandom(SEED);
      const team = await chaosTeam(live, provider, 'push');
      await firstSync(live, team, { push: true });
      await live.sandbox.control.post('/seed', { seed: SEED });
      await live.sandbox.control.post(`/push/${provider}`, {
        dropShare: 0.3,
        duplicateShare: 0.3,
        delayMs: 100,
        jitterMs: 4000,
      });
      const before = await pushStats(provider);
      const perBurst = Math.ceil(messages / BURSTS);
      for (let burst = 0; burst < BURSTS; burst += 1) {
        const count = Math.min(perBurst, messages - burst * perBurst);
        await deliverInto(team, count, { concurrency: 2, start: burst * perBurst });
        // A deletion in the mailbox is a change that is notified (or not) like any other.
        const victim = pickExpected(team, random);
        if (victim && burst % 2 === 1)
          await deleteInMailbox(team, victim, burst % 4 === 1 ? 'trash' : 'delete');
        await sleep(random.next() * 1500);
      }
      log(`delivered ${messages} in ${BURSTS} bursts (${team.ledger.expected.size} candidate messages kept)`);
      await settled(live.database.db, team, 900_000, log);
      const after = await pushStats(provider);
      await live.sandbox.control.post(`/push/${provider}`, {
        dropShare: 0,
        duplicateShare: 0,
        delayMs: 0,
        jitterMs: 0,
      });
      const dropped = after.dropped - before.dropped;
      const duplicated = after.duplicated - before.duplicated;
      assert.ok(dropped > 0 && duplicated > 0, 'notifications were dropped and duplicated');
      const counts = await tally(live, team);
      log(
        `notifications: ${after.queued - before.queued} sent, ${dropped} dropped, ${duplicated} duplicated, ${after.delivered - before.delivered} delivered; ` +
          `expected ${counts.expected}, present ${counts.present}, duplicated ${counts.duplicated}, leaked ${counts.leaked} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      tallies.push(counts);
    }
    report(SCENARIO, sum(tallies));
  });
});

async function pushStats(provider: string): Promise<PushStats> {
  const { stats } = await live.sandbox.control.get<{ stats: PushStats[] }>('/push');
  return (
    stats.find((row) => row.provider === provider) ?? {
      provider,
      queued: 0,
      delivered: 0,
      dropped: 0,
      duplicated: 0,
      failed: 0,
    }
  );
}
