/**
 * The job worker outlives its database: PostgreSQL killed (SIGKILL, a crash) while a sync job runs, then
 * started again. Graphile could not record that job's end; before the fix the failed write escaped as an
 * unhandled rejection and ended the process, so no mailbox synced again until someone restarted the worker.
 * The database here is a server of this file's own (test/support/own-postgres.ts), on a fixed port.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { startWorker } from '../../src/jobs/worker.ts';
import { enqueueSync } from '../../src/services/sync.ts';
import { onCleanup } from '../support/cleanup.ts';
import { until } from '../support/exactly-once.ts';
import { ownPostgres } from '../support/own-postgres.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const server = await ownPostgres();
const t = await providerTest();

describe('the job worker through a database crash', () => {
  it('hardening: a database killed under a running sync job and started again: the worker carries on syncing', {
    timeout: 180_000,
  }, async () => {
    const candidate = 'restart.candidate@candidates.example';
    await t.member({ emails: [candidate] });
    const box = await connectedMailbox(t, 'google', 'db-restart.example');
    const worker = await startWorker(
      t.database.pool,
      t.context,
      { pollQuietMs: 3_600_000, decisionTtlMs: 30 * 86_400_000 },
      2,
    );
    onCleanup(() => worker.stop());
    const { db } = t.database;
    const stored = async () =>
      Number(
        (
          await db
            .selectFrom('messages')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('connection_id', '=', box.connectionId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const mail = (subject: string) => ({
      from: { address: candidate },
      to: [{ address: box.recruiter.email }],
      subject,
      text: 'Hello.',
    });
    await box.deliver(mail('Before the crash'));
    await until(
      async () => (await stored()) === 1,
      30_000,
      () => 'the first message was not synced',
    );

    // The next run waits on the provider when the database dies, and finds it gone when it answers.
    await t.sandbox.control.post('/faults', { provider: 'google', endpoint: '*', latencyMs: 2000 });
    await box.deliver(mail('During the crash'));
    await enqueueSync(db, box.orgId, box.connectionId);
    await until(
      async () => {
        const { rows } = await sql<{ locked_at: Date | null }>`
          select locked_at from graphile_worker.jobs where key = ${`sync:${box.connectionId}`}`.execute(db);
        return Boolean(rows[0]?.locked_at);
      },
      20_000,
      () => 'the sync job did not start',
    );
    await server.kill();
    await sleep(5000);
    await server.start();
    await t.sandbox.control.del('/faults');

    await box.deliver(mail('After the crash'));
    await until(
      async () => {
        await enqueueSync(db, box.orgId, box.connectionId).catch(() => undefined);
        return (await stored()) === 3;
      },
      90_000,
      async () => `only ${await stored()} of 3 messages were synced after the database came back`,
    );
    assert.equal(await stored(), 3);
  });
});
