/**
 * Chaos scenario 1, the long crash run: a 10,000-message sync, one message in ten from a candidate, with
 * the real worker process killed by SIGKILL 20 times at random moments of its sync runs and started again.
 * Afterwards every candidate message must be stored exactly once and nothing else; the counts are printed.
 * A sync job killed as often as its attempts allow (8) is given up, as Graphile gives up a job that keeps
 * failing, and the poll fallback resumes the mailbox: the workers here poll after 15 quiet seconds.
 *
 *   CHAOS_PROVIDERS=google,microsoft CHAOS_MESSAGES=10000 CHAOS_KILLS=20 CHAOS_SEED=20261126 npm run chaos -- sigkill
 */
import { describe, it } from 'node:test';
import {
  chaosProviders,
  envNumber,
  Ledger,
  logger,
  report,
  SEED,
  sum,
  type Tally,
  tally,
} from '../support/chaos.ts';
import { syncThroughCrashes } from '../support/crash.ts';
import { assertExactlyOnce } from '../support/exactly-once.ts';
import { providerTest } from '../support/providers.ts';

const SCENARIO = 'sigkill';
const messages = envNumber('CHAOS_MESSAGES', 10_000);
const kills = envNumber('CHAOS_KILLS', 20);

// Gmail's per-minute quota is lifted: re-reading pages after crashes would otherwise wait on it for minutes.
const t = await providerTest({ sandbox: { google: { quotaUnitsPerMinute: 10_000_000 } } });

describe(`chaos: ${SCENARIO}`, () => {
  it(`${messages} messages per provider through ${kills} SIGKILLs of the worker`, {
    timeout: 3_000_000,
  }, async () => {
    const tallies: Tally[] = [];
    const failures: unknown[] = [];
    for (const provider of chaosProviders()) {
      const log = logger(SCENARIO, provider);
      const report_ = await syncThroughCrashes(t, {
        provider,
        messages,
        candidateEvery: 10,
        kills,
        killAfterMs: [0, 2500],
        seed: SEED,
        callLatencyMs: 50,
        pollQuietSeconds: 15,
        finishWithinMs: 600_000,
        log,
      });
      const midSync = report_.progressAtKills.filter((seen) => seen < messages).length;
      log(
        [
          `checked after ${report_.seconds.toFixed(0)} s, seed ${SEED}:`,
          `  delivered ${report_.delivered.all.length} (${report_.delivered.expected.length} from candidates, ${report_.delivered.others.length} others)`,
          `  SIGKILLs ${report_.progressAtKills.length}, ${midSync} of them mid-sync (messages looked at when each came: ${report_.progressAtKills.join(', ')})`,
          `  stored rows ${report_.storedRows.length}, distinct ${new Set(report_.storedRows).size}`,
          `  R19 decision rows ${report_.decidedRows.length}, distinct ${new Set(report_.decidedRows).size}`,
          `  member links ${report_.links}; the sync state counted ${report_.counted} stored`,
        ].join('\n'),
      );
      const ledger = new Ledger();
      const sent = (id: string) => ({ id, messageId: report_.delivered.messageIds.get(id) ?? '' });
      for (const id of report_.delivered.expected) ledger.expect(sent(id));
      for (const id of report_.delivered.others) ledger.other(sent(id));
      const counts = await tally(t, {
        box: report_.box,
        colleague: await t.user(report_.box.orgId),
        admin: report_.box.admin,
        candidates: report_.candidates,
        tag: '',
        ledger,
      });
      log(
        `expected ${counts.expected}, present ${counts.present}, duplicated ${counts.duplicated}, leaked ${counts.leaked}`,
      );
      tallies.push(counts);
      try {
        assertExactlyOnce(report_, report_.delivered.expected, report_.delivered.others);
        log('exactly once: every candidate message stored once, every other message decided once');
      } catch (error) {
        failures.push(error);
      }
    }
    report(SCENARIO, sum(tallies));
    if (failures[0]) throw failures[0];
  });
});
