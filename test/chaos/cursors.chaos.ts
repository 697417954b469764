/**
 * Chaos scenario 3: the provider forgets the sync cursor again and again in the middle of a sync (Gmail: every
 * history id issued so far is too old, 404; Graph: the delta token is gone, 410 with a Location to start
 * over), while mail keeps arriving and some stored candidate mail is deleted in the mailbox meanwhile (a
 * deletion the forgotten changes held, R13). Every candidate message not deleted must end stored once, every
 * deleted one gone, nothing else stored.
 *
 *   CHAOS_CURSOR_MESSAGES=1000 CHAOS_CURSOR_EXPIRIES=6 npm run chaos -- cursors
 */

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
import { lookedAt } from '../support/exactly-once.ts';
import { liveTest } from '../support/live.ts';

const SCENARIO = 'expired-cursors';
const messages = envNumber('CHAOS_CURSOR_MESSAGES', 1000);
const expiries = envNumber('CHAOS_CURSOR_EXPIRIES', 6);
const live = await liveTest({ pollQuietMs: 10_000 });

describe(`chaos: ${SCENARIO}`, () => {
  it(`${messages} messages per provider with the cursor expired ${expiries} times mid-sync`, {
    timeout: 1_200_000,
  }, async () => {
    const tallies: Tally[] = [];
    for (const provider of chaosProviders()) {
      const log = logger(SCENARIO, provider);
      const started = performance.now();
      const random = createRandom(SEED);
      const team = await chaosTeam(live, provider, 'cursors');
      await firstSync(live, team, { push: true });
      const user = team.box.recruiter.email;
      // Slower calls, so that the cursor expires while pages are being read.
      await live.sandbox.control.post('/faults', { provider, endpoint: '*', user, latencyMs: 20 });
      const delivering = deliverInto(team, messages, { concurrency: 2 });
      let deleted = 0;
      let lastSeen = -1;
      for (let expiry = 1; expiry <= expiries; expiry += 1) {
        await sleep(500 + random.next() * 2500);
        // A stored candidate message is deleted while the cursor is forgotten: only the recovery finds it.
        const victim = pickExpected(team, random);
        await live.sandbox.control.post(`/${provider}/mailboxes/${user}/expire-cursors`);
        if (victim) {
          await deleteInMailbox(team, victim, expiry % 2 === 0 ? 'trash' : 'delete');
          deleted += 1;
        }
        const seen = await lookedAt(live.database.db, team.box.connectionId);
        log(
          `cursor expired (${expiry}/${expiries}) with ${seen} messages looked at${victim ? '; one candidate message deleted' : ''}`,
        );
        if (seen === lastSeen && expiry > 2) log('  (no progress since the last expiry)');
        lastSeen = seen;
      }
      await delivering;
      log(
        `delivered ${messages} (${team.ledger.expected.size + deleted} from candidates, ${deleted} of them deleted)`,
      );
      await settled(live.database.db, team, 900_000, log);
      await live.sandbox.control.del('/faults');
      const counts = await tally(live, team);
      log(
        `expected ${counts.expected}, present ${counts.present}, duplicated ${counts.duplicated}, leaked ${counts.leaked} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      tallies.push(counts);
    }
    report(SCENARIO, sum(tallies));
  });
});
