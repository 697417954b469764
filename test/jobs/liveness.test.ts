import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { enqueue, holdPoolLock, unlockDeadPools } from '../../src/db/jobs.ts';
import { testDatabase } from '../support/database.ts';

const database = await testDatabase();
const { db } = database;

/** Queues a job in its own queue and marks it locked by `poolId`, `agoMs` ago, as a running pool would. */
async function lockedJob(key: string, poolId: string, agoMs: number): Promise<void> {
  await enqueue(db, 'sync_mailbox', {}, { jobKey: key, queueName: `queue:${key}` });
  await sql`
    with job as (
      update graphile_worker._private_jobs
      set locked_by = ${poolId}, locked_at = now() - make_interval(secs => ${agoMs / 1000}),
        attempts = attempts + 1
      where key = ${key}
      returning job_queue_id
    )
    update graphile_worker._private_job_queues set locked_by = ${poolId}, locked_at = now()
    where id in (select job_queue_id from job)`.execute(db);
}

async function lockOf(key: string) {
  const { rows } = await sql<{ job: string | null; queue: string | null }>`
    select j.locked_by as job, q.locked_by as queue
    from graphile_worker._private_jobs j
    join graphile_worker._private_job_queues q on q.id = j.job_queue_id
    where j.key = ${key}`.execute(db);
  return rows[0];
}

describe('crashed workers’ jobs', () => {
  it('are released, job and queue, once no process holds the pool’s lock; a live pool’s jobs are not', async () => {
    const live = new pg.Client({ connectionString: database.url });
    await live.connect();
    await holdPoolLock(live, 'pool-live');
    await lockedJob('a', 'pool-live', 60_000);
    await lockedJob('b', 'pool-crashed', 60_000);

    assert.deepEqual(await unlockDeadPools(db, 3_000, []), ['pool-crashed']);
    assert.deepEqual(await lockOf('b'), { job: null, queue: null }, 'the crashed pool’s job runs again');
    assert.deepEqual(await lockOf('a'), { job: 'pool-live', queue: 'pool-live' });

    await live.end();
    assert.deepEqual(await unlockDeadPools(db, 3_000, []), ['pool-live'], 'its process gone, it is released');
    assert.deepEqual(await lockOf('a'), { job: null, queue: null });
  });

  it('are left alone while just locked (the pool may not have taken its lock yet) and when the pool is ours', async () => {
    await lockedJob('c', 'pool-starting', 0);
    await lockedJob('d', 'pool-ours', 60_000);
    assert.deepEqual(await unlockDeadPools(db, 3_000, ['pool-ours']), []);
    assert.equal((await lockOf('c'))?.job, 'pool-starting');
    assert.equal((await lockOf('d'))?.job, 'pool-ours');
  });
});
