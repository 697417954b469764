/**
 * Chaos scenario 4 (R7): the grant is revoked at the provider in the middle of a sync, with the worker
 * running and mail still arriving; then the recruiter reconnects through consent. What must hold: the
 * connection moves to `reauthorization_required`, keeps its cursor and data, nothing is synced while
 * revoked; reconnecting resumes the same connection from its cursor, and in the end every candidate
 * message (those that arrived while revoked included) is stored exactly once and nothing else.
 *
 *   CHAOS_REVOKE_MESSAGES=1000 npm run chaos -- revoke
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAllowing } from '../support/browser.ts';
import {
  chaosProviders,
  chaosTeam,
  deliverInto,
  envNumber,
  firstSync,
  logger,
  report,
  settled,
  sum,
  type Tally,
  tally,
} from '../support/chaos.ts';
import { lookedAt, until } from '../support/exactly-once.ts';
import { liveTest } from '../support/live.ts';

const SCENARIO = 'revoked-grant';
const messages = envNumber('CHAOS_REVOKE_MESSAGES', 1000);
const live = await liveTest({ pollQuietMs: 10_000 });

describe(`chaos: ${SCENARIO}`, () => {
  it(`R7: ${messages} messages per provider, the grant revoked mid-sync, then reconnected`, {
    timeout: 1_200_000,
  }, async () => {
    const tallies: Tally[] = [];
    for (const provider of chaosProviders()) {
      const log = logger(SCENARIO, provider);
      const started = performance.now();
      const team = await chaosTeam(live, provider, 'revoke');
      await firstSync(live, team, { push: true });
      const { box } = team;
      const { db } = live.database;
      const connection = async () =>
        (await live.call(box.recruiter.token, 'GET', '/api/connection')).json().connection;
      const cursor = async () =>
        (
          await db
            .selectFrom('mailbox_sync')
            .select('cursor')
            .where('connection_id', '=', box.connectionId)
            .executeTakeFirstOrThrow()
        ).cursor;
      // Slow batches (headers, bodies), so that the revocation lands between pages.
      await live.sandbox.control.post('/faults', {
        provider,
        endpoint: provider === 'google' ? 'gmail.batch' : 'graph.batch',
        user: box.recruiter.email,
        latencyMs: 100,
      });
      const half = Math.floor(messages / 2);
      const first = deliverInto(team, half, { concurrency: 4 });
      await until(
        async () => (await lookedAt(db, box.connectionId)) > 0,
        120_000,
        () => 'nothing was synced before the revocation',
      );
      await live.sandbox.control.post(`/${provider}/users/${box.recruiter.email}/revoke`);
      const atRevocation = await lookedAt(db, box.connectionId);
      await first;
      // Mail keeps arriving while access is revoked: R7 says nothing of it is lost once reconnected.
      await deliverInto(team, messages - half, { concurrency: 4, start: half });
      await until(
        async () => (await connection()).status === 'reauthorization_required',
        120_000,
        async () => `the connection stayed ${(await connection()).status}`,
      );
      const whileRevoked = await lookedAt(db, box.connectionId);
      const kept = await cursor();
      await sleep(3000);
      assert.equal(await lookedAt(db, box.connectionId), whileRevoked, 'nothing syncs while revoked');
      log(
        `revoked with ${atRevocation} of ${half} looked at; reauthorization_required with ${whileRevoked} of ${messages}; reconnecting`,
      );
      await live.sandbox.control.del('/faults');

      const outcome = await connectAllowing(live, box.recruiter);
      assert.equal(outcome.status, 200, outcome.html);
      const reconnected = await connection();
      assert.equal(reconnected.status, 'connected');
      assert.equal(reconnected.id, box.connectionId, 'the same connection resumes');
      assert.deepEqual(await cursor(), kept, 'from the cursor it had');
      await settled(db, team, 900_000, log);
      const counts = await tally(live, team);
      log(
        `expected ${counts.expected}, present ${counts.present}, duplicated ${counts.duplicated}, leaked ${counts.leaked} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      tallies.push(counts);
    }
    report(SCENARIO, sum(tallies));
  });
});
