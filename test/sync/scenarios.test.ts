import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Provider } from '../../src/providers/types.ts';
import { runSync } from '../../src/services/sync.ts';
import { consent } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await providerTest();
const DAY = 86_400_000;

for (const provider of ['google', 'microsoft'] as Provider[]) {
  describe(`scenarios from the rules on ${provider}`, () => {
    it('R10: Bcc counts on mail the owner sent, never on mail they received', async () => {
      const box = await connectedMailbox(t, provider, `bcc-${provider}.example`);
      await t.member({ emails: [`blind-${provider}@candidates.example`] });
      await box.send({
        to: [{ address: 'hiring-manager@elsewhere.example' }],
        bcc: [{ address: `blind-${provider}@candidates.example` }],
        subject: 'sent with bcc',
        text: 'b',
      });
      await box.deliver({
        raw: Buffer.from(
          [
            'From: someone@elsewhere.example',
            `To: ${box.recruiter.email}`,
            `Bcc: blind-${provider}@candidates.example`,
            'Subject: received with a leaked bcc',
            `Date: ${new Date().toUTCString()}`,
            'Message-ID: <leaked-bcc@elsewhere.example>',
            '',
            'x',
          ].join('\r\n'),
        ).toString('base64'),
      });
      await box.sync();
      assert.deepEqual(
        (await box.threads()).map((thread) => thread.subject),
        ['sent with bcc'],
      );
    });

    it('R11: on a personal mailbox, other people on the same consumer domain are not colleagues', async () => {
      const org = await t.organization(`consumer-${provider}.example`);
      await t.call(org.admin.token, 'PATCH', '/api/organization', { provider });
      const personal =
        provider === 'google' ? `recruiter.${Date.now()}@gmail.com` : `recruiter.${Date.now()}@outlook.com`;
      const peer =
        provider === 'google'
          ? `peer.candidate.${Date.now()}@gmail.com`
          : `peer.candidate.${Date.now()}@outlook.com`;
      await t.member({ emails: [peer] });
      await t.sandbox.control.post(`/${provider}/users`, { email: personal, name: 'Personal' });
      const started = (await t.call(org.recruiter.token, 'POST', '/api/connection')).json();
      assert.equal(
        (
          await consent(t.app, started.url, {
            token: org.recruiter.token,
            email: personal,
            decision: 'allow',
          })
        ).status,
        200,
      );
      const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
      await t.sandbox.control.post(`/${provider}/mailboxes/${personal}/deliver`, {
        from: { address: peer },
        to: [{ address: personal }],
        subject: 'same domain, still a candidate',
        text: 'p',
      });
      await runSync(t.context, org.orgId, connection.id);
      const threads = (await t.call(org.recruiter.token, 'GET', '/api/threads')).json().threads;
      assert.deepEqual(
        threads.map((thread: { subject: string }) => thread.subject),
        ['same domain, still a candidate'],
      );
    });

    it('R9: an organization’s backfill window imports candidate mail from that many days before authorization, no more', async () => {
      const org = await t.organization(`backfill-${provider}.example`);
      await t.call(org.admin.token, 'PATCH', '/api/organization', { provider, backfillDays: 30 });
      await t.member({ emails: [`past-${provider}@candidates.example`] });
      await t.sandbox.control.post(`/${provider}/users`, { email: org.recruiter.email, name: 'R' });
      for (const [subject, daysAgo] of [
        ['ten days ago', 10],
        ['forty days ago', 40],
      ] as const) {
        await t.sandbox.control.post(`/${provider}/mailboxes/${org.recruiter.email}/deliver`, {
          from: { address: `past-${provider}@candidates.example` },
          to: [{ address: org.recruiter.email }],
          subject,
          text: subject,
          date: new Date(Date.now() - daysAgo * DAY).toISOString(),
        });
      }
      const started = (await t.call(org.recruiter.token, 'POST', '/api/connection')).json();
      await consent(t.app, started.url, {
        token: org.recruiter.token,
        email: org.recruiter.email,
        decision: 'allow',
      });
      const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
      for (let run = 0; run < 5; run += 1) await runSync(t.context, org.orgId, connection.id);
      const threads = (await t.call(org.recruiter.token, 'GET', '/api/threads')).json().threads;
      assert.deepEqual(
        threads.map((thread: { subject: string }) => thread.subject),
        ['ten days ago'],
      );
    });
  });
}
