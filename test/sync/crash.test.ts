import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syncThroughCrashes } from '../support/crash.ts';
import { assertExactlyOnce } from '../support/exactly-once.ts';
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
      report.progressAtKills.some((seen) => seen < report.delivered.all.length),
      `a kill came mid-sync (progress at kills: ${report.progressAtKills.join(', ')})`,
    );
    assertExactlyOnce(report, report.delivered.expected, report.delivered.others);
  });
});
