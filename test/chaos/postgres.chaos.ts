/**
 * Chaos scenario 6: the PostgreSQL server killed (SIGKILL of the postmaster: a crash, no checkpoint) in
 * the middle of syncs, several times, and started again on the same port, with the real worker process
 * syncing and mail arriving. The database is a server of this file's own (test/support/own-postgres.ts),
 * not the test run's shared one. After the last restart every candidate message must end stored exactly
 * once and nothing else; a worker process that does not survive the outage is reported (and started again,
 * as its supervisor would).
 *
 *   CHAOS_PG_MESSAGES=1000 CHAOS_PG_KILLS=3 npm run chaos -- postgres
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRandom } from '../../src/sandbox/random.ts';
import { enqueueSync } from '../../src/services/sync.ts';
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
import { onCleanup } from '../support/cleanup.ts';
import { lookedAt, until } from '../support/exactly-once.ts';
import { ownPostgres } from '../support/own-postgres.ts';
import { providerTest } from '../support/providers.ts';
import { spawnWorker, type WorkerProcess, workerEnv } from '../support/worker-process.ts';

const SCENARIO = 'postgres-restart';
const messages = envNumber('CHAOS_PG_MESSAGES', 1000);
const kills = envNumber('CHAOS_PG_KILLS', 3);

const server = await ownPostgres();
const t = await providerTest({ sandbox: { google: { quotaUnitsPerMinute: 10_000_000 } } });

async function lastStarted(connectionId: string): Promise<number> {
  const row = await t.database.db
    .selectFrom('mailbox_sync')
    .select('last_sync_started_at')
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
  return row?.last_sync_started_at?.getTime() ?? 0;
}

describe(`chaos: ${SCENARIO}`, () => {
  it(`${messages} messages per provider through ${kills} SIGKILLs of the database server`, {
    timeout: 1_800_000,
  }, async () => {
    const tallies: Tally[] = [];
    const env = workerEnv(t.database.url, t.sandbox.url);
    env.SYNC_POLL_QUIET_SECONDS = '15';
    let worker: WorkerProcess = spawnWorker(env);
    onCleanup(() => worker.kill('SIGTERM'));
    await worker.ready;
    let workerDeaths = 0;
    for (const provider of chaosProviders()) {
      const log = logger(SCENARIO, provider);
      const started = performance.now();
      const random = createRandom(SEED);
      const team = await chaosTeam(t, provider, 'pg');
      const { db } = t.database;
      await until(
        async () =>
          Boolean(
            (
              await db
                .selectFrom('mailbox_sync')
                .select('last_sync_succeeded_at')
                .where('connection_id', '=', team.box.connectionId)
                .executeTakeFirst()
            )?.last_sync_succeeded_at,
          ),
        60_000,
        () => `the first sync did not finish\n${worker.output()}`,
      );
      await t.sandbox.control.post('/faults', {
        provider,
        endpoint: '*',
        user: team.box.recruiter.email,
        latencyMs: 50,
      });
      const chunk = Math.ceil(messages / kills);
      for (let kill = 1; kill <= kills; kill += 1) {
        // Mail arrives, a sync starts for it, and the database dies under it.
        const count = Math.min(chunk, messages - (kill - 1) * chunk);
        await deliverInto(team, count, { concurrency: 8, start: (kill - 1) * chunk });
        const before = await lastStarted(team.box.connectionId);
        await enqueueSync(db, team.box.orgId, team.box.connectionId);
        await until(
          async () => (await lastStarted(team.box.connectionId)) > before,
          60_000,
          () => `no sync run started\n${worker.output()}`,
        );
        await sleep(200 + random.next() * 1500);
        const seen = await lookedAt(db, team.box.connectionId);
        const pid = server.pid();
        await server.kill();
        await sleep(random.next() * 2000);
        const ms = await server.start();
        log(
          `kill ${kill}/${kills}: SIGKILL of postgres ${pid} with ${seen} of ${kill * chunk} delivered looked at; back after ${ms} ms`,
        );
        await sleep(2000);
        if (!worker.alive()) {
          workerDeaths += 1;
          log(`the worker process did not survive the outage; started again:\n${worker.output()}`);
          worker = spawnWorker(env);
          await worker.ready;
        }
      }
      log(`delivered ${messages} (${team.ledger.expected.size} from candidates)`);
      // A sync started by the worker as it found the database again, or by the poll fallback.
      await settled(db, team, 600_000, log);
      await t.sandbox.control.del('/faults');
      const counts = await tally(t, team);
      log(
        `expected ${counts.expected}, present ${counts.present}, duplicated ${counts.duplicated}, leaked ${counts.leaked} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      tallies.push(counts);
    }
    report(SCENARIO, sum(tallies));
    assert.equal(workerDeaths, 0, 'the worker process survives a database outage');
  });
});
