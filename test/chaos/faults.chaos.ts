/**
 * Chaos scenario 2: 30 % of the sync's provider calls answered 429 or 5xx, each with `Retry-After`, while
 * mail arrives and pushes ask for syncs (the worker running, as in production). Every candidate message
 * must end stored exactly once, nothing else stored, no private thread visible to anyone else.
 *
 *   CHAOS_FAULT_MESSAGES=1000 CHAOS_PROVIDERS=google,microsoft CHAOS_SEED=1 npm run chaos -- faults
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chaosProviders,
  chaosTeam,
  deliverInto,
  envNumber,
  logger,
  report,
  SEED,
  settled,
  sum,
  type Tally,
  tally,
} from '../support/chaos.ts';
import { failShareWithRetryAfter, faultsHit } from '../support/faults.ts';
import { eventually, liveTest } from '../support/live.ts';

const SCENARIO = 'provider-faults';
const messages = envNumber('CHAOS_FAULT_MESSAGES', 1000);
const live = await liveTest({ pollQuietMs: 10_000 });

describe(`chaos: ${SCENARIO}`, () => {
  it(`${messages} messages per provider with 30 % of calls answered 429/5xx with Retry-After`, {
    timeout: 1_200_000,
  }, async () => {
    const tallies: Tally[] = [];
    for (const provider of chaosProviders()) {
      const log = logger(SCENARIO, provider);
      const started = performance.now();
      const team = await chaosTeam(live, provider, 'faults');
      await eventually(async () => {
        const { sync } = (await live.call(team.box.recruiter.token, 'GET', '/api/connection')).json()
          .connection;
        return sync.pushActive && sync.lastSyncAt;
      }, 30_000);
      await failShareWithRetryAfter(live, provider, {
        share: 0.3,
        statuses: [429, 500, 502, 503, 504],
        retryAfterSeconds: 1,
        seed: SEED,
        user: team.box.recruiter.email,
      });
      await deliverInto(team, messages, { concurrency: 4 });
      log(`delivered ${messages} (${team.ledger.expected.size} from candidates); syncing through faults`);
      await settled(live.database.db, team, 900_000, log);
      await live.sandbox.control.del('/faults');
      const hit = await faultsHit(live, provider, team.box.recruiter.email);
      assert.ok(hit.errors > 0, 'the sandbox failed some calls');
      const counts = await tally(live, team);
      log(
        `${hit.errors} of ${hit.calls} calls failed (${((100 * hit.errors) / hit.calls).toFixed(0)} %); ` +
          `expected ${counts.expected}, present ${counts.present}, duplicated ${counts.duplicated}, leaked ${counts.leaked} ` +
          `in ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      tallies.push(counts);
    }
    report(SCENARIO, sum(tallies));
  });
});
