/**
 * The long crash run (`npm run chaos`): a 10,000-message sync, one message in ten from a candidate, with the
 * real worker process killed by SIGKILL 20 times at random moments of its sync runs and started again.
 * Afterwards every candidate message must be stored exactly once and nothing else; the counts are printed.
 * A sync job killed as often as its attempts allow (8) is given up, as Graphile gives up a job that keeps
 * failing, and the poll fallback resumes the mailbox: the workers here poll after 15 quiet seconds.
 *
 *   CHAOS_PROVIDERS=google,microsoft CHAOS_MESSAGES=10000 CHAOS_KILLS=20 CHAOS_SEED=20261126 npm run chaos
 */
import { describe, it } from 'node:test';
import type { Provider } from '../../src/providers/types.ts';
import { syncThroughCrashes } from '../support/crash.ts';
import { assertExactlyOnce } from '../support/exactly-once.ts';
import { providerTest } from '../support/providers.ts';

const providers = (process.env.CHAOS_PROVIDERS ?? 'google').split(',') as Provider[];
const messages = Number(process.env.CHAOS_MESSAGES ?? 10_000);
const kills = Number(process.env.CHAOS_KILLS ?? 20);
const seed = Number(process.env.CHAOS_SEED ?? 20261126);

// Gmail's per-minute quota is lifted: re-reading pages after crashes would otherwise wait on it for minutes.
const t = await providerTest({ sandbox: { google: { quotaUnitsPerMinute: 10_000_000 } } });

for (const provider of providers) {
  describe(`chaos: ${messages} messages through ${kills} SIGKILLs (${provider})`, () => {
    it('stores every candidate message exactly once and nothing else', async () => {
      const log = (line: string) => process.stdout.write(`[${provider}] ${line}\n`);
      const report = await syncThroughCrashes(t, {
        provider,
        messages,
        candidateEvery: 10,
        kills,
        killAfterMs: [0, 2500],
        seed,
        callLatencyMs: 50,
        pollQuietSeconds: 15,
        finishWithinMs: 600_000,
        log,
      });
      const midSync = report.progressAtKills.filter((seen) => seen < messages).length;
      log(
        [
          `checked after ${report.seconds.toFixed(0)} s, seed ${seed}:`,
          `  delivered ${report.delivered.all.length} (${report.delivered.expected.length} from candidates, ${report.delivered.others.length} others)`,
          `  SIGKILLs ${report.progressAtKills.length}, ${midSync} of them mid-sync (messages looked at when each came: ${report.progressAtKills.join(', ')})`,
          `  stored rows ${report.storedRows.length}, distinct ${new Set(report.storedRows).size}, all candidate mail: ${report.storedRows.every((id) => report.delivered.expected.includes(id))}`,
          `  R19 decision rows ${report.decidedRows.length}, distinct ${new Set(report.decidedRows).size}`,
          `  member links ${report.links}; the sync state counted ${report.counted} stored`,
        ].join('\n'),
      );
      assertExactlyOnce(report, report.delivered.expected, report.delivered.others);
      log(
        'exactly once: every candidate message stored once, every other message decided once, nothing else',
      );
    });
  });
}
