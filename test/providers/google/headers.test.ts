import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import PostalMime from 'postal-mime';
import { ProviderError } from '../../../src/providers/errors.ts';
import { call } from '../../sandbox/google/helpers.ts';
import { googleTest, jane, type Mailbox, many } from './helpers.ts';

const t = await googleTest();
let box: Mailbox;

before(async () => {
  box = await t.mailbox();
});
afterEach(() => t.sandbox.control.del('/faults'));

const UNKNOWN = 'ffff000000000000';
const fault = (endpoint: string, rule: Record<string, unknown>) =>
  t.sandbox.control.post('/faults', { provider: 'google', endpoint, user: box.email, ...rule });
const rawMessage = (lines: string[]) => ({
  raw: Buffer.from(`${lines.join('\r\n')}\r\n`).toString('base64'),
});

describe('Gmail headers', () => {
  it('reads a received message: participants, an encoded subject, dates, thread and Message-ID', async () => {
    const date = new Date('2026-03-02T09:30:00Z');
    const received = await box.deliver({
      to: [{ name: 'Rex Recruiter', address: box.email }],
      cc: [{ name: 'Héloïse Hiring', address: 'heloise@acme.example' }],
      subject: 'Entretien : café ☕ et résumé',
      text: 'hello',
      date,
    });
    const headers = (await t.mail.headers(box.token, [received.id])).get(received.id);
    const { size, ...rest } = headers ?? {};
    assert.ok(typeof size === 'number' && size > 0, 'the size Gmail estimates comes with the headers');
    assert.deepEqual(rest, {
      id: received.id,
      threadId: received.threadId,
      rfcMessageId: received.messageId,
      from: jane,
      to: [{ name: 'Rex Recruiter', address: box.email }],
      cc: [{ name: 'Héloïse Hiring', address: 'heloise@acme.example' }],
      bcc: [],
      subject: 'Entretien : café ☕ et résumé',
      sentAt: date,
      receivedAt: date,
      flags: { draft: false, spam: false, trash: false, chat: false, sent: false },
    });
  });

  it('reads Bcc on mail the mailbox sent, in the thread it answers, and never on mail it received', async () => {
    const received = await box.deliver({ subject: 'Question', text: 'q' });
    const reply = await box.send({
      to: [jane],
      bcc: [{ address: 'hiring-log@acme.example' }],
      inReplyTo: received.id,
      text: 'answer',
    });
    const spoofed = await box.deliver(
      rawMessage([
        'From: jane@gmail.com',
        `To: ${box.email}`,
        'Bcc: someone@else.example',
        'Subject: With a Bcc header',
        '',
        'x',
      ]),
    );
    const headers = await t.mail.headers(box.token, [reply.id, spoofed.id]);
    assert.deepEqual(headers.get(reply.id)?.bcc, [{ address: 'hiring-log@acme.example' }]);
    assert.equal(headers.get(reply.id)?.threadId, received.threadId);
    assert.equal(headers.get(reply.id)?.subject, 'Re: Question');
    assert.equal(headers.get(reply.id)?.flags.sent, true);
    assert.deepEqual(headers.get(spoofed.id)?.bcc, []);
  });

  it('reads groups, quoted names with commas and encoded names; a bad Date dates it by internalDate, a missing Message-ID is null', async () => {
    const message = await box.deliver(
      rawMessage([
        'From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <JUERGEN@Example.DE>',
        'To: Recruiters: "Doe, John" <john@acme.example>, ann@acme.example;, undisclosed-recipients:;',
        'Cc: =?ISO-8859-1?Q?Ren=E9e?= <renee@acme.example>',
        'Subject: =?UTF-8?Q?Caf=C3=A9?= =?UTF-8?Q?_talk?=',
        'Date: sometime next week',
        '',
        'body',
      ]),
    );
    const headers = (await t.mail.headers(box.token, [message.id])).get(message.id);
    assert.deepEqual(headers?.from, { name: 'Jürgen Müller', address: 'JUERGEN@Example.DE' });
    assert.deepEqual(headers?.to, [
      { name: 'Doe, John', address: 'john@acme.example' },
      { address: 'ann@acme.example' },
    ]);
    assert.deepEqual(headers?.cc, [{ name: 'Renée', address: 'renee@acme.example' }]);
    assert.equal(headers?.subject, 'Café talk');
    // No usable Date header: dated when Gmail accepted it (internalDate), as Graph dates such mail.
    assert.deepEqual(headers?.sentAt, headers?.receivedAt);
    assert.equal(headers?.rfcMessageId, null);
    assert.ok(headers?.receivedAt instanceof Date && !Number.isNaN(headers.receivedAt.getTime()));
  });

  it('reads drafts, spam, trash and chats from labels', async () => {
    const base = `/google/mailboxes/${box.email}`;
    const draft = await t.sandbox.control.post<{ id: string }>(`${base}/draft`, {
      to: [jane],
      subject: 'D',
      text: 'd',
    });
    const spam = await t.sandbox.control.post<{ id: string }>(`${base}/spam`, {
      from: jane,
      subject: 'S',
      text: 's',
    });
    const trashed = await box.deliver({ subject: 'T', text: 't' });
    await box.act(trashed.id, 'trash');
    const chat = await box.deliver({ subject: 'C', text: 'c' });
    await box.act(chat.id, 'labels', { add: ['CHAT'] });
    const headers = await t.mail.headers(box.token, [draft.id, spam.id, trashed.id, chat.id]);
    const flags = (id: string) => Object.entries(headers.get(id)?.flags ?? {}).filter(([, on]) => on);
    assert.deepEqual(flags(draft.id), [['draft', true]]);
    assert.deepEqual(flags(spam.id), [['spam', true]]);
    assert.deepEqual(flags(trashed.id), [['trash', true]]);
    assert.deepEqual(flags(chat.id), [['chat', true]]);
  });

  it('fetches 120 messages in 3 batches of at most 50, one metadata get each; unknown ids are null', async () => {
    const ids = await many(120, async (i) => (await box.deliver({ subject: `Many ${i}`, text: 'm' })).id);
    await t.sandbox.control.del('/counters');
    const headers = await t.mail.headers(box.token, [...ids, UNKNOWN]);
    assert.equal(headers.size, 121);
    assert.equal(headers.get(UNKNOWN), null);
    assert.deepEqual(
      ids.map((id) => headers.get(id)?.subject),
      ids.map((_, i) => `Many ${i}`),
    );
    assert.deepEqual(await t.spent(box.email), {
      'gmail.batch': { calls: 3, units: 0 },
      'gmail.users.messages.get': { calls: 121, units: 605 },
    });
  });
});

describe('Gmail raw messages', () => {
  it('answers the very bytes Gmail serves for format=raw, and null for unknown ids', async () => {
    const message = await box.deliver({
      subject: 'CV — Zoë',
      text: 'Bonjour, voici mon CV.',
      html: '<p>Bonjour, voici mon <b>CV</b>.</p>',
      attachments: [{ filename: 'cv.pdf', contentType: 'application/pdf', contentBase64: 'JVBERi0xLjQK' }],
    });
    const raws = await t.mail.raw(box.token, [message.id, UNKNOWN]);
    assert.equal(raws.get(UNKNOWN), null);
    const served = await call(t.sandbox, box.token, `/gmail/v1/users/me/messages/${message.id}?format=raw`);
    const expected = Buffer.from(served.body.raw, 'base64url');
    assert.deepEqual(raws.get(message.id), expected);
    const [ours, theirs] = await Promise.all([
      PostalMime.parse(raws.get(message.id) ?? ''),
      PostalMime.parse(expected),
    ]);
    assert.equal(ours.subject, 'CV — Zoë');
    assert.equal(ours.text?.trim(), 'Bonjour, voici mon CV.');
    assert.deepEqual(
      ours.attachments.map((a) => a.filename),
      ['cv.pdf'],
    );
    assert.deepEqual(
      { subject: ours.subject, text: ours.text, html: ours.html, messageId: ours.messageId },
      { subject: theirs.subject, text: theirs.text, html: theirs.html, messageId: theirs.messageId },
    );
  });
});

describe('Gmail batch errors', () => {
  const kindOf = (kind: string) => (error: unknown) => error instanceof ProviderError && error.kind === kind;

  it('retries only the parts answered 429, after their Retry-After, and then answers them all', async () => {
    const ids = await many(5, async (i) => (await box.deliver({ subject: `Retry ${i}`, text: 'r' })).id);
    await fault('gmail.users.messages.get', { status: 429, retryAfterSeconds: 1, count: 2 });
    await t.sandbox.control.del('/counters');
    const started = Date.now();
    const headers = await t.mail.headers(box.token, ids);
    assert.ok(Date.now() - started >= 1000, 'waited for Retry-After');
    assert.deepEqual(
      ids.map((id) => headers.get(id)?.subject),
      ids.map((_, i) => `Retry ${i}`),
    );
    const spent = await t.spent(box.email);
    assert.equal(spent['gmail.batch']?.calls, 2);
    assert.equal(spent['gmail.users.messages.get']?.calls, 7);
  });

  it('retries parts that failed with 503 after a short backoff', async () => {
    const message = await box.deliver({ subject: 'Flaky', text: 'f' });
    await fault('gmail.users.messages.get', { status: 503, count: 1 });
    assert.equal((await t.mail.headers(box.token, [message.id])).get(message.id)?.subject, 'Flaky');
  });

  it('gives up after a few tries with rate_limited and the wait Google asked for', async () => {
    const message = await box.deliver({ subject: 'Throttled', text: 't' });
    await fault('gmail.users.messages.get', { status: 429, retryAfterSeconds: 0 });
    await t.sandbox.control.del('/counters');
    await assert.rejects(
      t.mail.headers(box.token, [message.id]),
      (error: unknown) => kindOf('rate_limited')(error) && (error as ProviderError).retryAfterMs === 0,
    );
    assert.equal((await t.spent(box.email))['gmail.users.messages.get']?.calls, 4);
  });

  it('hands a long Retry-After to the caller at once instead of sleeping through it', async () => {
    const message = await box.deliver({ subject: 'Long wait', text: 'l' });
    await fault('gmail.users.messages.get', { status: 429, retryAfterSeconds: 120 });
    await t.sandbox.control.del('/counters');
    await assert.rejects(
      t.mail.raw(box.token, [message.id]),
      (error: unknown) => kindOf('rate_limited')(error) && (error as ProviderError).retryAfterMs === 120_000,
    );
    assert.equal((await t.spent(box.email))['gmail.users.messages.get']?.calls, 1);
  });

  it('sends a whole batch again when the batch request itself fails with 503, or 429 with a short Retry-After', async () => {
    const message = await box.deliver({ subject: 'Whole batch again', text: 'w' });
    await fault('gmail.batch', { status: 503, count: 1 });
    await t.sandbox.control.del('/counters');
    assert.equal(
      (await t.mail.headers(box.token, [message.id])).get(message.id)?.subject,
      'Whole batch again',
    );
    assert.equal((await t.spent(box.email))['gmail.batch']?.calls, 2);
    await fault('gmail.batch', { status: 429, retryAfterSeconds: 1, count: 1 });
    const started = Date.now();
    assert.equal((await t.mail.raw(box.token, [message.id])).size, 1);
    assert.ok(Date.now() - started >= 1000, 'waited for Retry-After');
  });

  it('keeps retrying the failing parts for as long as each round answers some of them', async () => {
    const ids = await many(60, async (i) => (await box.deliver({ subject: `Half ${i}`, text: 'h' })).id);
    await t.sandbox.control.post('/seed', { seed: 7 });
    // Half of all parts fail each round: some part is all but sure to fail four rounds in a row.
    await fault('gmail.users.messages.get', { status: 503, share: 0.5 });
    const headers = await t.mail.headers(box.token, ids);
    assert.deepEqual(
      ids.map((id) => headers.get(id)?.subject),
      ids.map((_, i) => `Half ${i}`),
    );
  });

  it('maps an error of the whole batch through the Google error table, once sending again does not help', async () => {
    const message = await box.deliver({ subject: 'Whole batch', text: 'w' });
    await fault('gmail.batch', { status: 429, retryAfterSeconds: 30, count: 1 });
    await assert.rejects(
      t.mail.headers(box.token, [message.id]),
      (error: unknown) => kindOf('rate_limited')(error) && (error as ProviderError).retryAfterMs === 30_000,
    );
    await fault('gmail.batch', { status: 500 });
    await t.sandbox.control.del('/counters');
    await assert.rejects(t.mail.headers(box.token, [message.id]), kindOf('transient'));
    assert.equal((await t.spent(box.email))['gmail.batch']?.calls, 4, 'four rounds without an answer');
  });
});
