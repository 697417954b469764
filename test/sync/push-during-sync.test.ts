/**
 * A push that arrives while that mailbox's sync runs (after the run has listed its changes) asks for one
 * more run: it must start as soon as the running one ends, not at the worker's next poll. The worker here
 * polls every ten minutes, so a run left to the poll shows as a timeout, not as a slow figure.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Provider } from '../../src/providers/types.ts';
import { eventually, liveTest } from '../support/live.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await liveTest({ workerPollMs: 600_000 });
await t.member({ emails: ['during@candidates.example'] });

/** The calls a sync makes after listing what changed: a latency here holds the run past its listing. */
const MESSAGE_READS: Record<Provider, string[]> = {
  google: ['gmail.users.messages.get', 'gmail.batch'],
  microsoft: ['graph.messages.get', 'graph.messages.value', 'graph.batch'],
};

/** Graphile's cron queues its jobs on the minute, which wakes every idle worker: start clear of it. */
async function clearOfTheMinute(seconds: number): Promise<void> {
  const left = 60 - new Date().getSeconds();
  if (left < seconds) await new Promise((resolve) => setTimeout(resolve, (left + 1) * 1000));
}

for (const provider of ['google', 'microsoft'] as const) {
  describe(`a push while the mailbox's sync runs (${provider})`, () => {
    it('is synced right after that run, not at the next poll', async () => {
      const box = await connectedMailbox(t, provider, `during-${provider}.example`);
      await eventually(async () => {
        const { sync } = (await t.call(box.recruiter.token, 'GET', '/api/connection')).json().connection;
        return sync.pushActive && sync.lastSyncAt;
      });
      const subjects = async () =>
        (await t.call(box.recruiter.token, 'GET', '/api/threads?limit=50'))
          .json()
          .threads.map((thread: { subject: string }) => thread.subject);
      const mail = { from: { address: 'during@candidates.example' }, to: [{ address: box.recruiter.email }] };

      for (let round = 0; round < 2; round += 1) {
        await clearOfTheMinute(25);
        const rules: { id: string }[] = [];
        for (const endpoint of MESSAGE_READS[provider])
          rules.push(
            await t.sandbox.control.post('/faults', {
              provider,
              endpoint,
              user: box.recruiter.email,
              latencyMs: 1500,
              count: 1,
            }),
          );
        await box.deliver({ ...mail, subject: `first ${round}`, text: 'one' });
        // The first run has listed its change and is reading the message: the second mail comes now.
        await eventually(async () => {
          const { faults } = await t.sandbox.control.get<{ faults: { id: string; hits: number }[] }>(
            '/faults',
          );
          return faults.some((fault) => rules.some((rule) => rule.id === fault.id) && fault.hits > 0);
        });
        await box.deliver({ ...mail, subject: `second ${round}`, text: 'two' });
        await eventually(async () => (await subjects()).includes(`first ${round}`));
        const firstAt = Date.now();
        await eventually(async () => (await subjects()).includes(`second ${round}`), 15_000);
        const after = Date.now() - firstAt;
        await t.sandbox.control.del('/faults');
        assert.ok(after < 10_000, `the second mail came ${after} ms after the first`);
      }
    });
  });
}
