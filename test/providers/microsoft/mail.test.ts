import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProviderError } from '../../../src/providers/errors.ts';
import { createMicrosoftMail } from '../../../src/providers/microsoft/mail.ts';
import { graphFetch, json } from '../../sandbox/microsoft/helpers.ts';
import { adapterSandbox, anHourAgo, deleted, drain, headersOf, JANE, mailbox, upserted } from './helpers.ts';

const { sandbox, config } = await adapterSandbox();
const mail = createMicrosoftMail(config);

describe('anchor and the first round', () => {
  test('R9: mail received since the anchor time is reported as upserts with its headers', async () => {
    const rex = await mailbox(sandbox, 'first@acme.example');
    const cursor = await mail.anchor(rex.token, new Date('2026-03-01T00:00:00Z'));
    const received = await rex.deliver('Application for the Staff Engineer role', {
      to: [{ name: 'Rex Recruiter', address: 'first@acme.example' }],
      cc: [{ name: 'Hiring Manager', address: 'hm@acme.example' }, { address: 'ops@acme.example' }],
      bcc: [{ address: 'hidden@acme.example' }],
      date: '2026-03-02T09:15:00Z',
    });
    const sent = await rex.send('Re: Application', {
      to: [JANE],
      bcc: [{ name: 'Recruiting Log', address: 'log@acme.example' }],
      inReplyTo: received.id,
    });
    const { changes } = await drain(mail, rex.token, cursor);
    assert.deepEqual(deleted(changes), []);
    assert.deepEqual(upserted(changes).sort(), [received.id, sent.id].sort());

    const inbound = headersOf(changes, received.id);
    assert.equal(inbound.id, received.id, 'the immutable id the control API names');
    assert.equal(inbound.threadId, received.threadId);
    assert.equal(inbound.rfcMessageId, received.messageId);
    assert.match(inbound.rfcMessageId ?? '', /^<.+>$/);
    assert.deepEqual(inbound.from, JANE);
    assert.deepEqual(inbound.to, [{ name: 'Rex Recruiter', address: 'first@acme.example' }]);
    assert.deepEqual(inbound.cc, [
      { name: 'Hiring Manager', address: 'hm@acme.example' },
      { address: 'ops@acme.example' },
    ]);
    assert.deepEqual(inbound.bcc, [], 'Bcc is never on received mail');
    assert.equal(inbound.subject, 'Application for the Staff Engineer role');
    assert.equal(inbound.sentAt?.toISOString(), '2026-03-02T09:15:00.000Z');
    assert.equal(inbound.receivedAt.toISOString(), '2026-03-02T09:15:00.000Z');
    assert.deepEqual(inbound.flags, { draft: false, spam: false, trash: false, chat: false, sent: false });
    const raw = await mail.raw(rex.token, [received.id]);
    assert.equal(
      inbound.size,
      raw.get(received.id)?.length,
      'the size (PidTagMessageSize) rides on the delta page: the size cap costs no request of its own',
    );

    const outbound = headersOf(changes, sent.id);
    assert.equal(outbound.threadId, received.threadId, 'a reply joins the conversation');
    assert.deepEqual(outbound.from, { name: 'Rex Recruiter', address: 'first@acme.example' });
    assert.deepEqual(outbound.to, [JANE]);
    assert.deepEqual(outbound.bcc, [{ name: 'Recruiting Log', address: 'log@acme.example' }]);
    assert.equal(outbound.flags.sent, true);
  });

  test('R9: mail received before the anchor time is not reported', async () => {
    const rex = await mailbox(sandbox, 'before@acme.example');
    const since = new Date('2026-01-10T12:00:00Z');
    await rex.deliver('Old news', { date: '2026-01-10T11:59:59Z' });
    const onTime = await rex.deliver('Right on time', { date: '2026-01-10T12:00:00Z' });
    const { changes, cursor } = await drain(mail, rex.token, await mail.anchor(rex.token, since));
    assert.deepEqual(upserted(changes), [onTime.id]);
    const later = await rex.deliver('Later, but dated before', { date: '2026-01-01T00:00:00Z' });
    const next = await drain(mail, rex.token, cursor);
    assert.ok(!upserted(next.changes).includes(later.id));
  });

  test('drafts and junk are not tracked: nothing is reported for them', async () => {
    const rex = await mailbox(sandbox, 'untracked@acme.example');
    const cursor = await mail.anchor(rex.token, anHourAgo());
    await rex.draft('Draft to Jane', { to: [JANE] });
    await rex.spam('Win a prize');
    const inbox = await rex.deliver('Real mail');
    assert.deepEqual(upserted((await drain(mail, rex.token, cursor)).changes), [inbox.id]);
  });

  test('a round ends with more: false; the next call starts a new round and reports only what changed', async () => {
    const rex = await mailbox(sandbox, 'rounds@acme.example');
    const first = await rex.deliver('First');
    const round1 = await drain(mail, rex.token, await mail.anchor(rex.token, anHourAgo()));
    assert.deepEqual(upserted(round1.changes), [first.id]);
    const idle = await drain(mail, rex.token, round1.cursor);
    assert.deepEqual(idle.changes, []);
    assert.equal(idle.calls, 1, 'an idle round passes every folder in one call');
    const second = await rex.deliver('Second');
    assert.deepEqual(upserted((await drain(mail, rex.token, idle.cursor)).changes), [second.id]);
  });
});

describe('paging', () => {
  test('a round pages through a resumable cursor: across restarts, nothing is missed', async () => {
    const rex = await mailbox(sandbox, 'paging@acme.example');
    const delivered = [];
    for (let i = 0; i < 7; i += 1) delivered.push((await rex.deliver(`Message ${i}`)).id);
    let cursor = await mail.anchor(rex.token, anHourAgo());
    const seen: string[] = [];
    let calls = 0;
    for (let more = true; more; calls += 1) {
      // A new process each time: a fresh adapter and the cursor as it was stored.
      const restarted = createMicrosoftMail(config, { pageSize: 2, pagesPerCall: 1 });
      const page = await restarted.changes(rex.token, JSON.parse(JSON.stringify(cursor)));
      assert.ok(page.changes.length <= 2);
      seen.push(...upserted(page.changes));
      cursor = page.cursor;
      more = page.more;
      if (calls === 1) delivered.push((await rex.deliver('Arrived mid-round')).id);
      assert.ok(calls < 30);
    }
    const after = await drain(createMicrosoftMail(config, { pageSize: 2 }), rex.token, cursor);
    seen.push(...upserted(after.changes));
    assert.ok(calls > 4, 'the round took several calls');
    assert.deepEqual([...new Set(seen)].sort(), [...delivered].sort());
  });
});

describe('headers', () => {
  test('headers reads flags from the folder: draft, spam, trash (Deleted Items and Recoverable Items)', async () => {
    const rex = await mailbox(sandbox, 'flags@acme.example');
    const draft = await rex.draft('Unfinished', { to: [JANE] });
    const spam = await rex.spam('Cheap watches');
    const trashed = await rex.deliver('Trash me');
    await rex.act(trashed.id, 'trash');
    const removed = await rex.deliver('Delete me');
    await rex.graphDelete(removed.id);
    const gone = await rex.deliver('Purge me');
    await rex.act(gone.id, 'delete');
    const found = await mail.headers(rex.token, [draft.id, spam.id, trashed.id, removed.id, gone.id]);
    assert.equal(found.get(draft.id)?.flags.draft, true);
    assert.equal(found.get(draft.id)?.flags.sent, true, 'a draft is from the mailbox');
    assert.equal(found.get(spam.id)?.flags.spam, true);
    assert.equal(found.get(trashed.id)?.flags.trash, true);
    assert.equal(found.get(removed.id)?.flags.trash, true);
    assert.equal(found.get(gone.id), null);
  });

  test('headers for 45 ids go in 3 batches of at most 20; an id that no longer exists is null', async () => {
    const rex = await mailbox(sandbox, 'many@acme.example');
    const ids = [];
    for (let i = 0; i < 44; i += 1) ids.push((await rex.deliver(`Bulk ${i}`)).id);
    const gone = await rex.deliver('Gone');
    await rex.act(gone.id, 'delete');
    ids.push(gone.id);
    await mail.headers(rex.token, [ids[0] as string]); // learns the mailbox's folders once
    await sandbox.control.del('/counters');
    const found = await mail.headers(rex.token, ids);
    assert.equal(found.size, 45);
    assert.equal(found.get(gone.id), null);
    assert.equal(found.get(ids[7] as string)?.subject, 'Bulk 7');
    const counters = await rex.counters();
    assert.equal(counters['graph.batch']?.calls, 3);
    assert.equal(counters['graph.messages.get']?.calls, 45);
  });

  test('raw answers the bytes of $value, decoded from the batch; a missing id is null', async () => {
    const rex = await mailbox(sandbox, 'raw@acme.example');
    const message = await rex.deliver('CV attached', {
      html: '<p>Hello <b>Rex</b> — résumé attached</p>',
      attachments: [
        {
          filename: 'cv.pdf',
          contentType: 'application/pdf',
          contentBase64: Buffer.from('%PDF-1.4').toString('base64'),
        },
      ],
    });
    const gone = await rex.deliver('Gone');
    await rex.act(gone.id, 'delete');
    const found = await mail.raw(rex.token, [message.id, gone.id]);
    const direct = await graphFetch(sandbox, rex.token, `me/messages/${message.id}/$value`);
    assert.deepEqual(found.get(message.id), Buffer.from(await direct.arrayBuffer()));
    assert.equal(found.get(gone.id), null);
    const PostalMime = (await import('postal-mime')).default;
    const parsed = await PostalMime.parse(found.get(message.id) as Buffer);
    assert.equal(parsed.subject, 'CV attached');
    assert.equal(parsed.attachments[0]?.filename, 'cv.pdf');
  });
});

describe('errors', () => {
  test('R7: after the grant is revoked, Graph answers 401 and the adapter throws auth_revoked', async () => {
    const rex = await mailbox(sandbox, 'revoked@acme.example');
    const cursor = await mail.anchor(rex.token, anHourAgo());
    await sandbox.control.post('/microsoft/users/revoked@acme.example/revoke');
    const revoked = (error: unknown) => error instanceof ProviderError && error.kind === 'auth_revoked';
    await assert.rejects(mail.changes(rex.token, cursor), revoked);
    await assert.rejects(mail.headers(rex.token, ['AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0Aanything']), revoked);
    assert.equal(
      (await json(await graphFetch(sandbox, rex.token, 'me'))).error.code,
      'InvalidAuthenticationToken',
    );
  });

  test('a 5xx from Graph that outlasts the retries is transient', async () => {
    const rex = await mailbox(sandbox, 'unwell@acme.example');
    const cursor = await mail.anchor(rex.token, anHourAgo());
    // A read is tried 4 times (see throttling.test.ts): a 500 on each of them.
    await sandbox.control.post('/faults', {
      provider: 'microsoft',
      endpoint: 'graph.messages.delta',
      user: rex.email,
      status: 500,
      count: 4,
    });
    await assert.rejects(
      mail.changes(rex.token, cursor),
      (error: unknown) => error instanceof ProviderError && error.kind === 'transient',
    );
    assert.equal(
      (await drain(mail, rex.token, cursor)).changes.length,
      0,
      'the same cursor works afterwards',
    );
  });
});
