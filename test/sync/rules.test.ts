import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Provider } from '../../src/providers/types.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await providerTest();
const PROVIDERS: Provider[] = ['google', 'microsoft'];

for (const provider of PROVIDERS) {
  describe(`sync rules on ${provider}`, () => {
    it('R10: a candidate’s mail syncs whether received, sent, or cc’d, linked to the candidate', async () => {
      const box = await connectedMailbox(t, provider, `r10-${provider}.example`);
      const jane = await t.member({ emails: ['jane.candidate@gmail.com'] });
      const received = await box.deliver({
        from: { name: 'Jane', address: 'Jane.Candidate+jobs@googlemail.com' },
        to: [{ address: box.recruiter.email }],
        subject: 'My application',
        text: 'Hello, here is my CV.',
        html: '<p>Hello, <b>here</b> is my CV.<script>alert(1)</script></p>',
      });
      await box.send({
        to: [{ address: 'jane.candidate@gmail.com' }],
        subject: 'Interview?',
        text: 'Are you free?',
      });
      await box.deliver({
        from: { address: 'referrer@elsewhere.example' },
        to: [{ address: box.recruiter.email }],
        cc: [{ address: 'jane.candidate@gmail.com' }],
        subject: 'Meet Jane',
        text: 'cc-ing Jane',
      });
      await box.sync();

      const threads = await box.threads();
      assert.deepEqual(threads.map((thread) => thread.subject).sort(), [
        'Interview?',
        'Meet Jane',
        'My application',
      ]);
      for (const thread of threads)
        assert.deepEqual(
          thread.members.map((member) => member.id),
          [jane.id],
        );
      const application = threads.find((thread) => thread.subject === 'My application');
      const detail = (await t.call(box.recruiter.token, 'GET', `/api/threads/${application?.id}`)).json();
      const [listed] = detail.messages;
      assert.equal('bodyText' in listed, false, 'a thread lists its messages without their bodies');
      const message = (await t.call(box.recruiter.token, 'GET', `/api/messages/${listed.id}`)).json();
      assert.equal(message.direction, 'received');
      assert.equal(message.providerMessageId, received.id);
      assert.equal(message.rfcMessageId, received.messageId);
      assert.match(message.bodyText, /here is my CV/);
      assert.match(message.bodyHtml, /<b>here<\/b>/);
      assert.doesNotMatch(message.bodyHtml, /script/, 'HTML is sanitized on ingest');
      assert.equal(message.snippet, 'Hello, here is my CV.');
      const sent = threads.find((thread) => thread.subject === 'Interview?');
      const sentDetail = (await t.call(box.recruiter.token, 'GET', `/api/threads/${sent?.id}`)).json();
      assert.equal(sentDetail.messages[0].direction, 'sent');
    });

    it('R10, R11, R19: mail with non-members, hidden members or only colleagues does not sync, and R19 says why', async () => {
      const box = await connectedMailbox(t, provider, `r19-${provider}.example`);
      await t.member({ emails: ['hidden@people.example'], discoverability: 'connections' });
      await t.member({ emails: [`colleague@r19-${provider}.example`] });
      const cases = [
        { from: 'stranger@people.example', expected: 'no_member' },
        { from: 'hidden@people.example', expected: 'no_member' },
        { from: `colleague@r19-${provider}.example`, expected: 'internal_only' },
        { from: `someone@eu.r19-${provider}.example`, expected: 'internal_only' },
      ];
      const delivered = [];
      for (const item of cases) {
        delivered.push(
          await box.deliver({
            from: { address: item.from },
            to: [{ address: box.recruiter.email }],
            subject: item.from,
            text: 'x',
          }),
        );
      }
      await box.sync();
      assert.deepEqual(await box.threads(), []);
      for (const [index, item] of cases.entries()) {
        const byId = await t.call(
          box.recruiter.token,
          'GET',
          `/api/sync/why?providerMessageId=${encodeURIComponent(delivered[index]?.id ?? '')}`,
        );
        assert.equal(byId.json().status, 'skipped');
        assert.equal(byId.json().rule, item.expected, item.from);
        const byMessageId = await t.call(
          box.recruiter.token,
          'GET',
          `/api/sync/why?messageId=${encodeURIComponent(delivered[index]?.messageId ?? '')}`,
        );
        assert.equal(byMessageId.json().rule, item.expected);
        assert.ok(byMessageId.json().explanation.length > 20);
      }
      const colleague = await t.user(box.orgId);
      const foreign = await t.call(
        colleague.token,
        'GET',
        `/api/sync/why?providerMessageId=${encodeURIComponent(delivered[0]?.id ?? '')}`,
      );
      assert.equal(foreign.json().status, 'unknown', 'R19 answers only about your own mail');

      const decisions = await t.database.db
        .selectFrom('sync_decisions')
        .selectAll()
        .where('connection_id', '=', box.connectionId)
        .execute();
      const stored = JSON.stringify(decisions);
      for (const item of cases)
        assert.equal(stored.includes(item.from), false, 'no address is kept in a decision');
    });

    it('hardening: a hidden member’s address and a stranger’s address get the identical R19 answer', async () => {
      const box = await connectedMailbox(t, provider, `r19-same-${provider}.example`);
      await t.member({ emails: [`quiet-${provider}@people.example`], discoverability: 'nobody' });
      await t.member({ emails: [`friends-${provider}@people.example`], discoverability: 'connections' });
      const senders = [
        `stranger-${provider}@people.example`,
        `quiet-${provider}@people.example`,
        `friends-${provider}@people.example`,
      ];
      const delivered = [];
      for (const from of senders) {
        delivered.push(
          await box.deliver({
            from: { address: from },
            to: [{ address: box.recruiter.email }],
            subject: 'Hi',
            text: 'x',
          }),
        );
      }
      await box.sync();
      const answers = [];
      for (const message of delivered) {
        const why = await t.call(
          box.recruiter.token,
          'GET',
          `/api/sync/why?messageId=${encodeURIComponent(message.messageId)}`,
        );
        assert.equal(why.statusCode, 200, why.body);
        const { decidedAt, ...answer } = why.json();
        assert.ok(decidedAt);
        answers.push(answer);
      }
      assert.equal(answers[0]?.rule, 'no_member');
      for (const answer of answers.slice(1)) assert.deepEqual(answer, answers[0]);
      const rules = await t.database.db
        .selectFrom('sync_decisions')
        .select('rule')
        .where('connection_id', '=', box.connectionId)
        .execute();
      assert.deepEqual(
        rules.map((row) => row.rule),
        ['no_member', 'no_member', 'no_member'],
        'the recorded row keeps no more than the answer',
      );
    });

    it('R9: mail from before the moment of authorization is never imported', async () => {
      const org = await t.organization(`r9-${provider}.example`);
      await t.member({ emails: ['early@candidates.example'] });
      await t.call(org.admin.token, 'PATCH', '/api/organization', { provider });
      await t.sandbox.control.post(`/${provider}/users`, { email: org.recruiter.email, name: 'R' });
      const before = await t.sandbox.control.post<{ id: string }>(
        `/${provider}/mailboxes/${org.recruiter.email}/deliver`,
        {
          from: { address: 'early@candidates.example' },
          to: [{ address: org.recruiter.email }],
          subject: 'Too early',
          text: 'before you connected',
          date: new Date(Date.now() - 3 * 86_400_000).toISOString(),
        },
      );
      const { consent } = await import('../support/browser.ts');
      const started = (await t.call(org.recruiter.token, 'POST', '/api/connection')).json();
      await consent(t.app, started.url, {
        token: org.recruiter.token,
        email: org.recruiter.email,
        decision: 'allow',
      });
      const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
      const { runSync } = await import('../../src/services/sync.ts');
      await runSync(t.context, org.orgId, connection.id);
      const threads = (await t.call(org.recruiter.token, 'GET', '/api/threads')).json().threads;
      assert.deepEqual(threads, []);
      const why = (
        await t.call(
          org.recruiter.token,
          'GET',
          `/api/sync/why?providerMessageId=${encodeURIComponent(before.id)}`,
        )
      ).json();
      assert.equal(why.rule, 'before_authorization', JSON.stringify(why));
    });

    it('R13, R14: trash deletes, restore brings back, delete deletes; archive and moves keep', async () => {
      const box = await connectedMailbox(t, provider, `r13-${provider}.example`);
      await t.member({ emails: ['moves@candidates.example'] });
      const ids: string[] = [];
      for (const subject of ['trash me', 'delete me', 'archive me', 'move me']) {
        ids.push(
          (
            await box.deliver({
              from: { address: 'moves@candidates.example' },
              to: [{ address: box.recruiter.email }],
              subject,
              text: subject,
            })
          ).id,
        );
      }
      await box.sync();
      const subjects = async () => (await box.threads()).map((thread) => thread.subject).sort();
      assert.deepEqual(await subjects(), ['archive me', 'delete me', 'move me', 'trash me']);

      const [trash, remove, archive, move] = ids as [string, string, string, string];
      await box.act(trash, 'trash');
      await box.act(remove, 'delete');
      await box.act(archive, 'archive');
      await box.act(move, 'move', { folder: 'Candidates' });
      await box.sync();
      assert.deepEqual(await subjects(), ['archive me', 'move me'], 'a thread with no message left goes');

      await box.act(trash, 'restore');
      await box.sync();
      assert.deepEqual(await subjects(), ['archive me', 'move me', 'trash me'], 'restored mail comes back');
    });

    it('never downloads the body of mail that is not candidate mail, and skips drafts and spam', async () => {
      const box = await connectedMailbox(t, provider, `privacy-${provider}.example`);
      await t.member({ emails: ['wanted@candidates.example'] });
      const wanted = await box.deliver({
        from: { address: 'wanted@candidates.example' },
        to: [{ address: box.recruiter.email }],
        subject: 'wanted',
        text: 'yes',
      });
      for (let i = 0; i < 5; i += 1) {
        await box.deliver({
          from: { address: `newsletter${i}@shop.example` },
          to: [{ address: box.recruiter.email }],
          subject: `private ${i}`,
          text: 'private',
        });
      }
      await t.sandbox.control.post(`/${provider}/mailboxes/${box.recruiter.email}/spam`, {
        from: { address: 'wanted@candidates.example' },
        to: [{ address: box.recruiter.email }],
        subject: 'spammy',
        text: 'spam',
      });
      await t.sandbox.control.post(`/${provider}/mailboxes/${box.recruiter.email}/draft`, {
        to: [{ address: 'wanted@candidates.example' }],
        subject: 'draft',
        text: 'not sent yet',
      });
      await box.sync();
      const reads = await t.sandbox.control.get<{ ids: string[] }>(
        `/${provider}/mailboxes/${box.recruiter.email}/body-reads`,
      );
      assert.deepEqual(reads.ids, [wanted.id]);
      assert.deepEqual(
        (await box.threads()).map((thread) => thread.subject),
        ['wanted'],
      );
    });

    it('stores each message once however often its changes are read, and recovers an expired cursor', async () => {
      const box = await connectedMailbox(t, provider, `once-${provider}.example`);
      await t.member({ emails: ['once@candidates.example'] });
      const first = await box.deliver({
        from: { address: 'once@candidates.example' },
        to: [{ address: box.recruiter.email }],
        subject: 'one',
        text: '1',
      });
      const second = await box.deliver({
        from: { address: 'once@candidates.example' },
        to: [{ address: box.recruiter.email }],
        subject: 'two',
        text: '2',
      });
      await box.sync();
      await box.sync();
      await t.sandbox.control.post(`/${provider}/mailboxes/${box.recruiter.email}/expire-cursors`);
      await box.act(first.id, 'delete');
      await box.deliver({
        from: { address: 'once@candidates.example' },
        to: [{ address: box.recruiter.email }],
        subject: 'three',
        text: '3',
      });
      await box.sync();
      const subjects = (await box.threads()).map((thread) => thread.subject).sort();
      assert.deepEqual(
        subjects,
        ['three', 'two'],
        'the deletion during the gap was caught, the new mail arrived',
      );
      const rows = await t.database.db
        .selectFrom('messages')
        .select('provider_message_id')
        .where('connection_id', '=', box.connectionId)
        .execute();
      assert.equal(rows.length, 2);
      assert.ok(rows.some((row) => row.provider_message_id === second.id));
      const { connection } = (await t.call(box.recruiter.token, 'GET', '/api/connection')).json();
      assert.equal(connection.sync.messagesSynced, 3);
      assert.ok(connection.sync.lastSyncAt);
      assert.equal(connection.sync.error, null);
    });
  });
}
