import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Provider } from '../../src/providers/types.ts';
import { runSync } from '../../src/services/sync.ts';
import { connectAllowing } from '../support/browser.ts';
import { assertExactlyOnce, deliverMix, lookedAt, syncOutcome, until } from '../support/exactly-once.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await providerTest();

/** Several pages' worth: Gmail's hold 500 changes, Graph's delta pages of 200 until about 500 (600 here). */
const MESSAGES: Record<Provider, number> = { google: 600, microsoft: 700 };
const BATCH_API: Record<Provider, string> = { google: 'gmail.batch', microsoft: 'graph.batch' };

for (const provider of ['google', 'microsoft'] as const) {
  describe(`a grant revoked in the middle of a sync (${provider})`, () => {
    it('R7: a grant revoked before the first sync moves the connection to reauthorization_required at that sync', async () => {
      const tag = randomBytes(3).toString('hex');
      const box = await connectedMailbox(t, provider, `revoked-first-${provider}-${tag}.example`);
      // Revoked at the provider before anything was read: the first call (the cursor's anchor) gets a 401.
      await t.sandbox.control.post(`/${provider}/users/${box.recruiter.email}/revoke`);
      await runSync(t.context, box.orgId, box.connectionId);
      const { connection } = (await t.call(box.recruiter.token, 'GET', '/api/connection')).json();
      assert.equal(connection.status, 'reauthorization_required');
    });

    it('R7: moves the connection to reauthorization_required with whole pages stored and no page half-written; reconnecting resumes and ends with every message exactly once', async () => {
      const tag = randomBytes(3).toString('hex');
      const total = MESSAGES[provider];
      const box = await connectedMailbox(t, provider, `revoked-${provider}-${tag}.example`);
      const candidate = `revoked-${tag}@candidates.example`;
      await t.member({ emails: [candidate] });
      await box.sync();
      // One at a time, so that the mailbox's change order is the delivery order.
      const delivered = await deliverMix(box, {
        messages: total,
        candidateEvery: 10,
        candidates: [candidate],
        tag,
      });
      const { db } = t.database;
      // Slow batches (headers, bodies) leave a window between the first page's commit and the next one's.
      await t.sandbox.control.post('/faults', { provider, endpoint: BATCH_API[provider], latencyMs: 100 });

      const running = runSync(t.context, box.orgId, box.connectionId);
      await until(
        async () => (await lookedAt(db, box.connectionId)) > 0,
        20_000,
        () => 'no page was committed',
      );
      await t.sandbox.control.post(`/${provider}/users/${box.recruiter.email}/revoke`);
      await running;
      await t.sandbox.control.del('/faults');

      const connection = async () =>
        (await t.call(box.recruiter.token, 'GET', '/api/connection')).json().connection;
      assert.equal((await connection()).status, 'reauthorization_required');
      const seen = await lookedAt(db, box.connectionId);
      assert.ok(seen > 0 && seen < total, `the sync stopped part way (${seen} of ${total})`);
      if (provider === 'google') assert.equal(seen % 500, 0, 'Gmail pages hold 500 changes');
      const outcome = await syncOutcome(db, box.connectionId);
      const firstSeen = delivered.all.slice(0, seen);
      assert.deepEqual(
        new Set([...outcome.storedRows, ...outcome.decidedRows]),
        new Set(firstSeen),
        'what was stored or decided is exactly the pages committed before the revocation',
      );
      assert.equal(outcome.counted, outcome.storedRows.length);
      const cursor = async () =>
        (
          await db
            .selectFrom('mailbox_sync')
            .select('cursor')
            .where('connection_id', '=', box.connectionId)
            .executeTakeFirstOrThrow()
        ).cursor;
      const kept = await cursor();

      await runSync(t.context, box.orgId, box.connectionId);
      assert.equal(await lookedAt(db, box.connectionId), seen, 'nothing syncs while access is revoked');

      const outcomeOfConsent = await connectAllowing(t, box.recruiter);
      assert.equal(outcomeOfConsent.status, 200, outcomeOfConsent.html);
      const reconnected = await connection();
      assert.equal(reconnected.status, 'connected');
      assert.equal(reconnected.id, box.connectionId, 'the same connection resumes');
      assert.deepEqual(await cursor(), kept, 'from the cursor it had');

      await box.sync();
      assertExactlyOnce(await syncOutcome(db, box.connectionId), delivered.expected, delivered.others);
    });
  });
}
