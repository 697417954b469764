import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';
import { CONTENT_KEYS } from '../support/visibility.ts';

const t = await providerTest();

describe('R15: one message read on request', () => {
  it('R15: a thread lists messages without bodies; GET /api/messages/{id} gives the body, sanitized HTML, attachments and truncation to who sees the thread; a metadata thread answers without content; private and foreign answer 404', async () => {
    const box = await connectedMailbox(t, 'google', `message-${randomUUID().slice(0, 8)}.example`);
    const candidate = `ada.${randomUUID().slice(0, 8)}@candidates.example`;
    await t.member({ emails: [candidate] });
    const colleague = await t.user(box.orgId);
    const outsider = (await t.organization()).recruiter;
    await box.deliver({
      from: { name: 'Ada Candidate', address: candidate },
      to: [{ address: box.recruiter.email }],
      subject: 'subject-one-message',
      text: 'body-one-message',
      html: '<p>html-one-message</p><script>alert(1)</script>',
      attachments: [
        {
          filename: 'cv-one-message.pdf',
          contentType: 'application/pdf',
          contentBase64: Buffer.from('pdf').toString('base64'),
        },
      ],
    });
    await box.deliver({
      from: { address: candidate },
      to: [{ address: box.recruiter.email }],
      subject: 'a long one',
      text: 'long '.repeat(300_000),
    });
    await box.sync();
    const threads = await box.threads();
    const threadId = threads.find((thread) => thread.subject === 'subject-one-message')?.id;
    const longThreadId = threads.find((thread) => thread.subject === 'a long one')?.id;
    assert.ok(threadId && longThreadId);
    const detail = await t.call(box.recruiter.token, 'GET', `/api/threads/${threadId}`);
    const [stored] = detail.json().messages;
    assert.equal(stored.snippet, 'body-one-message', 'the thread lists each message with its snippet');
    assert.equal('bodyText' in stored || 'bodyHtml' in stored, false, 'and without its body');
    assert.equal(detail.body.includes('html-one-message'), false);
    const url = `/api/messages/${stored.id}`;

    const own = await t.call(box.recruiter.token, 'GET', url);
    assert.equal(own.statusCode, 200, own.body);
    const message = own.json();
    assert.equal(message.access, 'full');
    assert.equal(message.threadId, threadId);
    assert.equal(message.direction, 'received');
    assert.equal(message.from.address, candidate);
    assert.deepEqual(
      message.to.map((to: { address: string }) => to.address),
      [box.recruiter.email],
    );
    assert.match(message.bodyText, /body-one-message/);
    assert.match(message.bodyHtml, /html-one-message/);
    assert.doesNotMatch(message.bodyHtml, /script/, 'the HTML is the sanitized one');
    assert.deepEqual(
      message.attachments.map((a: { filename: string; contentType: string; size: number }) => [
        a.filename,
        a.contentType,
        typeof a.size,
      ]),
      [['cv-one-message.pdf', 'application/pdf', 'number']],
    );
    assert.equal(message.truncated, false);

    const [long] = (await t.call(box.recruiter.token, 'GET', `/api/threads/${longThreadId}`)).json().messages;
    const cut = (await t.call(box.recruiter.token, 'GET', `/api/messages/${long.id}`)).json();
    assert.equal(cut.truncated, true, 'a reader learns that the body was cut');
    assert.match(cut.bodyText, /\[message truncated/);

    for (const who of [colleague, box.admin, outsider]) {
      const hidden = await t.call(who.token, 'GET', url);
      assert.equal(hidden.statusCode, 404, 'a private thread’s message is not found');
      assert.equal(hidden.body.includes('one-message'), false);
    }
    const missing = await t.call(box.recruiter.token, 'GET', `/api/messages/${randomUUID()}`);
    assert.deepEqual(missing.json(), (await t.call(colleague.token, 'GET', url)).json());

    await t.call(box.recruiter.token, 'PUT', `/api/threads/${threadId}/visibility`, {
      visibility: 'metadata',
    });
    const meta = await t.call(colleague.token, 'GET', url);
    assert.equal(meta.statusCode, 200, meta.body);
    assert.equal(meta.json().access, 'metadata');
    for (const key of CONTENT_KEYS) assert.equal(key in meta.json(), false, `no ${key}`);
    assert.equal(meta.body.includes('one-message'), false, 'no word of the subject, body or attachment');
    assert.equal((await t.call(outsider.token, 'GET', url)).statusCode, 404);

    await t.call(box.recruiter.token, 'PUT', `/api/threads/${threadId}/visibility`, {
      visibility: 'organization',
    });
    const shared = await t.call(colleague.token, 'GET', url);
    assert.equal(shared.json().access, 'full');
    assert.match(shared.json().bodyText, /body-one-message/);
    assert.equal((await t.call(outsider.token, 'GET', url)).statusCode, 404, 'never another organization');
  });
});
