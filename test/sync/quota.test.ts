/**
 * What a sync of many new messages spends at Microsoft Graph, against the least the design allows
 * (bench/stages/quota.ts derives it): delta pages of 200 per folder (one for each idle folder), the folder
 * listings of a new round, one `$value` per match and one `$batch` per 20 of them. Sync pages of about
 * 500 changes keep the batches full: pages of 50 sent one batch of 5 bodies per page.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await providerTest();
const CANDIDATE = 'quota.candidate@candidates.example';
await t.member({ emails: [CANDIDATE] });

describe('Graph requests of a sync', () => {
  it('600 new messages, one in ten from a candidate: the minimum number of requests', async () => {
    const box = await connectedMailbox(t, 'microsoft', 'quota-graph.example');
    await box.sync();
    const count = 600;
    const { messages } = await t.sandbox.control.post<{ messages: { id: string }[] }>(
      `/microsoft/mailboxes/${box.recruiter.email}/deliver-many`,
      {
        messages: Array.from({ length: count }, (_, i) => ({
          from: { address: i % 10 === 0 ? CANDIDATE : `sender-${i}@elsewhere.example` },
          to: [{ address: box.recruiter.email }],
          subject: `Quota ${i}`,
          text: `Message ${i}`,
        })),
      },
    );
    const matches = messages.filter((_, i) => i % 10 === 0).map((message) => message.id);
    await t.sandbox.control.del('/counters');
    await t.sandbox.control.del(`/microsoft/mailboxes/${box.recruiter.email}/body-reads`);
    await box.sync();

    const { rows } = await t.sandbox.control.get<{ rows: { method: string; calls: number }[] }>(
      `/counters?provider=microsoft&user=${box.recruiter.email}`,
    );
    const calls = Object.fromEntries(rows.map((row) => [row.method, row.calls]));
    // Tracked: Archive, Conversation History, Team Chat, Inbox, Outbox, Sent Items; the inbox holds them all.
    const idleFolders = 5;
    assert.deepEqual(calls, {
      'graph.mailFolders.list': 2,
      'graph.messages.delta': Math.ceil(count / 200) + idleFolders,
      'graph.messages.value': matches.length,
      'graph.batch': Math.ceil(matches.length / 20),
    });
    const reads = await t.sandbox.control.get<{ ids: string[] }>(
      `/microsoft/mailboxes/${box.recruiter.email}/body-reads`,
    );
    assert.deepEqual(new Set(reads.ids), new Set(matches), 'R10: only the matches were downloaded');
    const threads = await box.threads();
    assert.equal(threads.length, matches.length);
  });
});
