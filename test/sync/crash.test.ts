import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syncThroughCrashes } from '../support/crash.ts';
import { providerTest } from '../support/providers.ts';

// The quota is lifted so that re-reading pages after each crash never waits on Gmail's per-minute limit.
const t = await providerTest({ sandbox: { google: { quotaUnitsPerMinute: 1_000_000 } } });

describe('sync through worker crashes', () => {
  it('stores every candidate message exactly once, and nothing else, when the worker is killed mid-sync and restarted', async () => {
    const report = await syncThroughCrashes(t, {
      provider: 'google',
      messages: 600,
      candidateEvery: 10,
      kills: 3,
      killAfterMs: [0, 2000],
      seed: 600,
      callLatencyMs: 20,
      finishWithinMs: 30_000,
    });
    assert.ok(
      report.progressAtKills.some((seen) => seen < report.delivered),
      `a kill came mid-sync (progress at kills: ${report.progressAtKills.join(', ')})`,
    );
    assert.equal(report.storedRows.length, report.expected.size, 'one row per candidate message');
    assert.deepEqual(new Set(report.storedRows), report.expected, 'exactly the candidate messages');
    assert.equal(report.decidedRows.length, report.others.size, 'one decision per other message');
    assert.deepEqual(new Set(report.decidedRows), report.others);
    assert.equal(report.links, report.expected.size, 'each stored message linked to its one candidate');
    assert.equal(report.counted, report.expected.size, 'the synced count saw each message once');
  });
});
