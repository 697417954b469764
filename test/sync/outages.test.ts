import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ProviderError } from '../../src/providers/errors.ts';
import type { Provider } from '../../src/providers/types.ts';
import { runSync } from '../../src/services/sync.ts';
import { assertExactlyOnce, deliverMix, lookedAt, syncOutcome } from '../support/exactly-once.ts';
import { assertFaultsHit, failShareOfCalls } from '../support/faults.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

// Runs are retried one after another, as the job queue would retry them, only without its waits.
const t = await providerTest();

/** Gmail's page of 300 changes fetches headers in 6 batches of 50, all needed; Graph's is one delta page. */
const MESSAGES: Record<Provider, number> = { google: 300, microsoft: 120 };
const MAX_RUNS = 40;

for (const provider of ['google', 'microsoft'] as const) {
  describe(`sync through a flaky provider (${provider})`, () => {
    it('R10, R19: with 30 % of calls answered 503, runs retried until caught up store every candidate message exactly once and nothing else', async () => {
      const tag = randomBytes(3).toString('hex');
      const total = MESSAGES[provider];
      const box = await connectedMailbox(t, provider, `failing-${provider}-${tag}.example`);
      const candidate = `failing-${tag}@candidates.example`;
      await t.member({ emails: [candidate] });
      await box.sync();
      const delivered = await deliverMix(box, {
        messages: total,
        candidateEvery: 10,
        candidates: [candidate],
        tag,
      });
      await failShareOfCalls(t, provider, { status: 503 });

      const { db } = t.database;
      for (let runs = 1; (await lookedAt(db, box.connectionId)) < total; runs += 1) {
        assert.ok(
          runs <= MAX_RUNS,
          `still ${await lookedAt(db, box.connectionId)} of ${total} after ${MAX_RUNS} runs`,
        );
        await runSync(t.context, box.orgId, box.connectionId).catch((error: unknown) => {
          assert.ok(error instanceof ProviderError && error.kind === 'transient', String(error));
        });
      }
      await t.sandbox.control.del('/faults');

      await assertFaultsHit(t, provider, box.recruiter.email);
      assertExactlyOnce(await syncOutcome(db, box.connectionId), delivered.expected, delivered.others);
    });
  });
}
