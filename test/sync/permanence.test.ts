/**
 * R12 and R14 on both providers: disconnecting (R12), Do Not Integrate (R4), switching provider (R5) and
 * time (R19's decisions ageing out, token refresh sweeps) stop sync and keep every synced message, readable by
 * its owner through the thread list, the thread and the candidate's history. Mail arriving after the stop
 * is not synced; reconnecting resumes and removes nothing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { expireDecisions } from '../../src/db/mail.ts';
import type { Provider } from '../../src/providers/types.ts';
import { refreshExpiringTokens } from '../../src/services/grants.ts';
import { runSync } from '../../src/services/sync.ts';
import { connectAllowing } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox, type Mailbox } from '../support/sync.ts';

const t = await providerTest();
const unique = () => randomUUID().slice(0, 8);

/** A mailbox on `provider` holding one synced candidate thread; answers it with the member. */
async function withSyncedMail(provider: Provider) {
  const box = await connectedMailbox(t, provider, `keep-${unique()}.example`);
  const address = `kept.${unique()}@candidates.example`;
  const member = await t.member({ emails: [address] });
  const subject = `Kept ${unique()}`;
  await box.deliver({
    from: { address },
    to: [{ address: box.recruiter.email }],
    subject,
    text: 'kept body',
  });
  await box.sync();
  assert.deepEqual(
    (await box.threads()).map((thread) => thread.subject),
    [subject],
  );
  return { box, member, address, subject };
}

/** What the owner still reads: the list, the thread with its body, and the candidate's history. */
async function ownerReads(box: Mailbox, memberId: string, subject: string): Promise<void> {
  const threads = await box.threads();
  assert.deepEqual(
    threads.map((thread) => thread.subject),
    [subject],
    'the thread is listed',
  );
  const [thread] = threads;
  assert.ok(thread);
  const detail = await t.call(box.recruiter.token, 'GET', `/api/threads/${thread.id}`);
  assert.equal(detail.statusCode, 200, detail.body);
  const [message] = detail.json().messages;
  const one = await t.call(box.recruiter.token, 'GET', `/api/messages/${message.id}`);
  assert.equal(one.statusCode, 200, one.body);
  assert.ok(one.body.includes('kept body'), 'the body is kept');
  const history = await t.call(box.recruiter.token, 'GET', `/api/members/${memberId}/history`);
  assert.equal(history.statusCode, 200, history.body);
  assert.deepEqual(
    history.json().entries.map((entry: { subject?: string }) => entry.subject),
    [subject],
    'the history shows it',
  );
}

/** Mail delivered after the stop is not synced: sync of the ended connection does nothing. */
async function nothingNewSyncs(box: Mailbox, address: string, subject: string): Promise<void> {
  await box.deliver({
    from: { address },
    to: [{ address: box.recruiter.email }],
    subject: `After ${unique()}`,
    text: 'late',
  });
  await runSync(t.context, box.orgId, box.connectionId);
  assert.deepEqual(
    (await box.threads()).map((thread) => thread.subject),
    [subject],
    'no mail after the stop',
  );
}

for (const provider of ['google', 'microsoft'] as const) {
  const other: Provider = provider === 'google' ? 'microsoft' : 'google';

  describe(`R12, R14 on ${provider}: synced mail outlives the connection`, () => {
    it(`R12: ${provider}: the user disconnects; sync stops, the mail stays`, async () => {
      const { box, member, address, subject } = await withSyncedMail(provider);
      const answer = await t.call(box.recruiter.token, 'DELETE', '/api/connection');
      assert.equal(answer.statusCode < 300, true, answer.body);
      await nothingNewSyncs(box, address, subject);
      await ownerReads(box, member.id, subject);
    });

    it(`R4, R12: ${provider}: the admin chooses Do Not Integrate; the mail stays`, async () => {
      const { box, member, address, subject } = await withSyncedMail(provider);
      const answer = await t.call(box.admin.token, 'PATCH', '/api/organization', { provider: 'none' });
      assert.equal(answer.statusCode, 200, answer.body);
      await nothingNewSyncs(box, address, subject);
      await ownerReads(box, member.id, subject);
    });

    it(`R5, R12: ${provider}: the admin switches to ${other}; the mail stays, also after connecting again`, async () => {
      const { box, member, address, subject } = await withSyncedMail(provider);
      const answer = await t.call(box.admin.token, 'PATCH', '/api/organization', { provider: other });
      assert.equal(answer.statusCode, 200, answer.body);
      await nothingNewSyncs(box, address, subject);
      await ownerReads(box, member.id, subject);
      // The recruiter connects again on the new provider: the old thread stays, nothing is duplicated.
      await t.sandbox.control.post(`/${other}/users`, { email: box.recruiter.email, name: 'Rex Recruiter' });
      const outcome = await connectAllowing(t, box.recruiter);
      assert.equal(outcome.status, 200, outcome.html);
      const { connection } = (await t.call(box.recruiter.token, 'GET', '/api/connection')).json();
      assert.equal(connection.provider, other);
      await runSync(t.context, box.orgId, connection.id);
      await ownerReads(box, member.id, subject);
    });

    it(`R14: ${provider}: time removes nothing: decisions age out, tokens refresh, sync runs again`, async () => {
      const { box, member, subject } = await withSyncedMail(provider);
      await expireDecisions(t.database.db, 0);
      await refreshExpiringTokens(t.context, 365 * 86_400_000);
      await box.sync();
      await ownerReads(box, member.id, subject);
    });
  });
}
