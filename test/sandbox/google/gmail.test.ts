import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import PostalMime from 'postal-mime';
import { rawHeaders } from '../../../src/sandbox/mime.ts';
import { testSandbox } from '../../support/sandbox.ts';
import {
  failure,
  GMAIL_METADATA,
  GMAIL_READONLY,
  gmailClient,
  newUser,
  registerClient,
  signIn,
} from './helpers.ts';

const sandbox = await testSandbox();
let email: string;
let api: ReturnType<typeof gmailClient>['api'];

type Part = {
  partId?: string | null;
  mimeType?: string | null;
  filename?: string | null;
  headers?: { name?: string | null; value?: string | null }[] | null;
  body?: { size?: number | null; data?: string | null; attachmentId?: string | null } | null;
  parts?: Part[] | null;
};
const walk = (part: Part): Part[] => [part, ...(part.parts ?? []).flatMap(walk)];
const deliver = (to: string, body: Record<string, unknown>) =>
  sandbox.control.post<{ id: string; threadId: string; messageId: string }>(
    `/google/mailboxes/${to}/deliver`,
    body,
  );
const jane = { name: 'Jane Roe', address: 'jane@gmail.com' };
const pdf = Buffer.from('%PDF-1.4 fake cv \u0000\u0001\u0002 bytes');

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  api = gmailClient(sandbox, await signIn(sandbox, email, [GMAIL_READONLY])).api;
});

describe('Gmail users.getProfile', () => {
  it('reports the address, message and thread totals, and the current historyId as a numeric string', async () => {
    const user = await newUser(sandbox);
    const client = gmailClient(sandbox, await signIn(sandbox, user, [GMAIL_READONLY])).api;
    const first = await deliver(user, { from: jane, subject: 'One', text: 'a' });
    await deliver(user, { from: jane, subject: 'Re: One', text: 'b', inReplyTo: first.id });
    const { data } = await client.users.getProfile({ userId: 'me' });
    assert.equal(data.emailAddress, user);
    assert.equal(data.messagesTotal, 2);
    assert.equal(data.threadsTotal, 1);
    assert.match(data.historyId ?? '', /^\d+$/);
  });
});

describe('Gmail messages.get', () => {
  it('serves raw as the real RFC 5322 message: postal-mime reads back the same headers, bodies and attachment', async () => {
    const sent = await deliver(email, {
      from: jane,
      subject: 'Your application \u2013 caf\u00e9',
      text: 'Hello Rex,\nsee my CV.',
      html: '<p>Hello <b>Rex</b></p>',
      attachments: [
        { filename: 'cv.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') },
      ],
      date: '2026-11-20T10:00:00Z',
    });
    const { data } = await api.users.messages.get({ userId: 'me', id: sent.id, format: 'raw' });
    const raw = Buffer.from(data.raw ?? '', 'base64url');
    const parsed = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
    assert.equal(parsed.subject, 'Your application \u2013 caf\u00e9');
    assert.equal(parsed.from?.address, 'jane@gmail.com');
    assert.equal(parsed.messageId, sent.messageId);
    assert.equal(parsed.text?.trim(), 'Hello Rex,\nsee my CV.');
    assert.equal(parsed.html?.trim(), '<p>Hello <b>Rex</b></p>');
    assert.equal(parsed.attachments[0]?.filename, 'cv.pdf');
    assert.deepEqual(Buffer.from(parsed.attachments[0]?.content as ArrayBuffer), pdf);
    assert.equal(data.internalDate, String(Date.parse('2026-11-20T10:00:00Z')));
    assert.equal(data.sizeEstimate, raw.length);
    assert.equal(data.payload, undefined);
  });

  it('serves full as the payload tree of that same message: same headers, decoded bodies, attachment size and id', async () => {
    const sent = await deliver(email, {
      from: jane,
      subject: 'Full tree',
      text: 'plain \u00e9t\u00e9 body',
      html: '<p>html body</p>',
      attachments: [
        { filename: 'cv.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') },
      ],
    });
    const raw = Buffer.from(
      (await api.users.messages.get({ userId: 'me', id: sent.id, format: 'raw' })).data.raw ?? '',
      'base64url',
    );
    const { data } = await api.users.messages.get({ userId: 'me', id: sent.id, format: 'full' });
    const payload = data.payload as Part;
    assert.equal(payload.partId, '');
    assert.equal(payload.mimeType, 'multipart/mixed');
    assert.deepEqual(payload.headers, rawHeaders(raw));
    const parts = walk(payload);
    assert.deepEqual(
      parts.map((part) => part.partId),
      ['', '0', '0.0', '0.1', '1'],
    );
    const text = parts.find((part) => part.mimeType === 'text/plain');
    const html = parts.find((part) => part.mimeType === 'text/html');
    assert.equal(
      Buffer.from(text?.body?.data ?? '', 'base64url')
        .toString('utf8')
        .trim(),
      'plain \u00e9t\u00e9 body',
    );
    assert.equal(
      Buffer.from(html?.body?.data ?? '', 'base64url')
        .toString('utf8')
        .trim(),
      '<p>html body</p>',
    );
    const attachment = parts.find((part) => part.filename === 'cv.pdf');
    assert.equal(attachment?.body?.size, pdf.length);
    assert.equal(attachment?.body?.data, undefined);
    const fetched = await api.users.messages.attachments.get({
      userId: 'me',
      messageId: sent.id,
      id: attachment?.body?.attachmentId ?? '',
    });
    assert.equal(fetched.data.size, pdf.length);
    assert.deepEqual(Buffer.from(fetched.data.data ?? '', 'base64url'), pdf);
    assert.equal(data.snippet, 'plain \u00e9t\u00e9 body');
    assert.deepEqual(data.labelIds, ['UNREAD', 'CATEGORY_PERSONAL', 'INBOX']);
    assert.match(data.historyId ?? '', /^\d+$/);
  });

  it('serves metadata with only the requested headers, and minimal without a payload', async () => {
    const sent = await deliver(email, { from: jane, subject: 'Metadata', text: 'x' });
    const { data } = await api.users.messages.get({
      userId: 'me',
      id: sent.id,
      format: 'metadata',
      metadataHeaders: ['Subject', 'From'],
    });
    assert.deepEqual(data.payload?.headers?.map((header) => header.name).sort(), ['From', 'Subject']);
    assert.equal(data.payload?.headers?.find((header) => header.name === 'Subject')?.value, 'Metadata');
    const minimal = await api.users.messages.get({ userId: 'me', id: sent.id, format: 'minimal' });
    assert.equal(minimal.data.payload, undefined);
    assert.equal(minimal.data.id, sent.id);
    assert.equal(minimal.data.threadId, sent.threadId);
  });

  it('stores hostile raw mail byte for byte', async () => {
    const hostile = Buffer.from(
      'From: "=?x?Q?bad?=" <a@b>\r\nSubject: =?utf-8?B?broken\r\nContent-Type: multipart/mixed; boundary="unterminated"\r\n\r\n--unterminated\r\nContent-Type: text/plain\r\n\r\nno end',
      'latin1',
    );
    const sent = await deliver(email, { raw: hostile.toString('base64') });
    const { data } = await api.users.messages.get({ userId: 'me', id: sent.id, format: 'raw' });
    assert.deepEqual(Buffer.from(data.raw ?? '', 'base64url'), hostile);
    const full = await api.users.messages.get({ userId: 'me', id: sent.id, format: 'full' });
    assert.equal(full.data.payload?.mimeType, 'multipart/mixed');
  });

  it('keeps Bcc in the raw of sent mail, labelled SENT', async () => {
    const sent = await sandbox.control.post<{ id: string }>(`/google/mailboxes/${email}/send`, {
      to: [{ address: 'cand@gmail.com' }],
      bcc: [{ address: 'boss@acme.example' }],
      subject: 'Offer',
      text: 'Welcome',
    });
    const { data } = await api.users.messages.get({ userId: 'me', id: sent.id, format: 'raw' });
    assert.match(Buffer.from(data.raw ?? '', 'base64url').toString('utf8'), /^Bcc: boss@acme\.example/m);
    assert.deepEqual(data.labelIds, ['SENT']);
  });

  it('answers 404 notFound for an unknown id and 400 for a malformed one, in Google\u2019s error shape', async () => {
    const missing = await failure(api.users.messages.get({ userId: 'me', id: '18c0ffee00000000' }));
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, {
      error: {
        code: 404,
        message: 'Requested entity was not found.',
        errors: [{ message: 'Requested entity was not found.', domain: 'global', reason: 'notFound' }],
        status: 'NOT_FOUND',
      },
    });
    const malformed = await failure(api.users.messages.get({ userId: 'me', id: 'not-an-id!' }));
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.status, 'INVALID_ARGUMENT');
  });

  it('refuses another user\u2019s mailbox with 403 and format full or q under the gmail.metadata scope', async () => {
    const other = await newUser(sandbox);
    const delegated = await failure(api.users.getProfile({ userId: other }));
    assert.equal(delegated.status, 403);
    assert.equal(delegated.body.error.message, `Delegation denied for ${email}`);
    assert.equal((await api.users.getProfile({ userId: email })).data.emailAddress, email);
    const metadataOnly = gmailClient(sandbox, await signIn(sandbox, other, [GMAIL_METADATA])).api;
    const sent = await deliver(other, { from: jane, subject: 'Secret', text: 'body' });
    const full = await failure(
      metadataOnly.users.messages.get({ userId: 'me', id: sent.id, format: 'full' }),
    );
    assert.equal(full.status, 403);
    assert.equal(full.body.error.message, "Metadata scope doesn't allow format FULL");
    const query = await failure(metadataOnly.users.messages.list({ userId: 'me', q: 'from:jane' }));
    assert.equal(query.body.error.message, "Metadata scope does not support 'q' parameter");
    assert.equal(
      (await metadataOnly.users.messages.get({ userId: 'me', id: sent.id, format: 'metadata' })).status,
      200,
    );
  });

  it('refreshes an expired access token through the official client and goes on', async () => {
    const user = await newUser(sandbox);
    const client = gmailClient(sandbox, await signIn(sandbox, user, [GMAIL_READONLY]));
    await sandbox.control.post('/clock', { advanceMs: 3_600_000 });
    const { data } = await client.api.users.getProfile({ userId: 'me' });
    assert.equal(data.emailAddress, user);
    assert.ok(client.oauth.credentials.refresh_token, 'the stored refresh token is kept');
  });
});

describe('Gmail messages.list', () => {
  let user: string;
  let client: typeof api;
  const ids: Record<string, string> = {};
  before(async () => {
    user = await newUser(sandbox);
    client = gmailClient(sandbox, await signIn(sandbox, user, [GMAIL_READONLY])).api;
    ids.old = (
      await deliver(user, { from: jane, subject: 'Old', text: 'o', date: '2026-01-10T12:00:00Z' })
    ).id;
    ids.mid = (
      await deliver(user, {
        from: { address: 'bob@corp.example' },
        subject: 'Mid',
        text: 'm',
        date: '2026-03-10T12:00:00Z',
      })
    ).id;
    ids.new = (
      await deliver(user, { from: jane, subject: 'New', text: 'n', date: '2026-05-10T12:00:00Z' })
    ).id;
    ids.sent = (
      await sandbox.control.post<{ id: string }>(`/google/mailboxes/${user}/send`, {
        to: [jane],
        subject: 'Sent',
        text: 's',
        date: '2026-04-10T12:00:00Z',
      })
    ).id;
    ids.spam = (
      await sandbox.control.post<{ id: string }>(`/google/mailboxes/${user}/spam`, {
        from: jane,
        subject: 'Spam',
        text: 's',
        date: '2026-06-10T12:00:00Z',
      })
    ).id;
    ids.trash = (
      await deliver(user, { from: jane, subject: 'Trashed', text: 't', date: '2026-06-11T12:00:00Z' })
    ).id;
    await sandbox.control.post(`/google/mailboxes/${user}/messages/${ids.trash}/trash`);
  });
  const listed = async (params: Record<string, unknown>) =>
    ((await client.users.messages.list({ userId: 'me', ...params })).data.messages ?? []).map(
      (message) => message.id,
    );

  it('lists newest first and leaves Spam and Trash out unless includeSpamTrash', async () => {
    assert.deepEqual(await listed({}), [ids.new, ids.sent, ids.mid, ids.old]);
    assert.deepEqual(await listed({ includeSpamTrash: true }), [
      ids.trash,
      ids.spam,
      ids.new,
      ids.sent,
      ids.mid,
      ids.old,
    ]);
  });

  it('pages with maxResults and nextPageToken, with a resultSizeEstimate', async () => {
    const first = await client.users.messages.list({ userId: 'me', maxResults: 3 });
    assert.equal(first.data.messages?.length, 3);
    assert.equal(first.data.resultSizeEstimate, 4);
    const second = await client.users.messages.list({
      userId: 'me',
      maxResults: 3,
      pageToken: first.data.nextPageToken ?? '',
    });
    assert.deepEqual(
      second.data.messages?.map((message) => message.id),
      [ids.old],
    );
    assert.equal(second.data.nextPageToken, undefined);
  });

  it('filters by labelIds and by q: after/before (epoch seconds and dates), in:, from:', async () => {
    assert.deepEqual(await listed({ labelIds: ['SENT'] }), [ids.sent]);
    assert.deepEqual(
      await listed({ q: `after:${Date.parse('2026-02-01T00:00:00Z') / 1000} before:2026/04/01` }),
      [ids.mid],
    );
    assert.deepEqual(await listed({ q: 'in:sent' }), [ids.sent]);
    assert.deepEqual(await listed({ q: 'from:bob@corp.example' }), [ids.mid]);
    assert.deepEqual(await listed({ q: 'in:trash' }), [ids.trash]);
    assert.deepEqual(await listed({ q: 'label:user-label-never-made' }), []);
  });

  it('pages 100 messages by default', async () => {
    const busy = await newUser(sandbox);
    const busyApi = gmailClient(sandbox, await signIn(sandbox, busy, [GMAIL_READONLY])).api;
    for (let i = 0; i < 120; i += 1) await deliver(busy, { from: jane, subject: `m${i}`, text: 'm' });
    const { data } = await busyApi.users.messages.list({ userId: 'me' });
    assert.equal(data.messages?.length, 100);
    assert.ok(data.nextPageToken);
  });

  it('answers malformed input in Google\u2019s error shape: a bad maxResults, a JSON body that does not parse', async () => {
    const bad = await failure(client.users.messages.list({ userId: 'me', maxResults: -1 }));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.status, 'INVALID_ARGUMENT');
    const token = (await signIn(sandbox, user, [GMAIL_READONLY])).access_token;
    const response = await fetch(`${sandbox.url}/gmail/v1/users/me/watch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { code: number; errors: unknown[] } };
    assert.equal(body.error.code, 400);
    assert.equal(body.error.errors.length, 1);
  });

  it('answers an empty list with only resultSizeEstimate 0', async () => {
    const { data } = await client.users.messages.list({ userId: 'me', q: 'after:2030/01/01' });
    assert.deepEqual(data, { resultSizeEstimate: 0 });
  });

  it('finds messages moved under a user label by label:', async () => {
    const moved = await sandbox.control.post<{ labelIds: string[] }>(
      `/google/mailboxes/${user}/messages/${ids.old}/move`,
      { folder: 'Candidates' },
    );
    assert.match(moved.labelIds.at(-1) ?? '', /^Label_\d+$/);
    assert.deepEqual(await listed({ q: 'label:candidates' }), [ids.old]);
    const labels = (await client.users.labels.list({ userId: 'me' })).data.labels ?? [];
    assert.ok(labels.some((label) => label.name === 'Candidates' && label.type === 'user'));
  });
});

describe('Gmail threads', () => {
  it('threads a reply that names a message of the thread and keeps its subject, and not one with a new subject', async () => {
    const first = await deliver(email, { from: jane, subject: 'Interview', text: 'a' });
    const reply = await sandbox.control.post<{ threadId: string }>(`/google/mailboxes/${email}/send`, {
      to: [jane],
      text: 'b',
      inReplyTo: first.id,
    });
    const again = await deliver(email, {
      from: jane,
      subject: 'RE: Fwd: Interview',
      text: 'c',
      inReplyTo: first.id,
    });
    const renamed = await deliver(email, {
      from: jane,
      subject: 'Something else',
      text: 'd',
      inReplyTo: first.id,
    });
    assert.equal(reply.threadId, first.threadId);
    assert.equal(again.threadId, first.threadId);
    assert.notEqual(renamed.threadId, first.threadId);
  });
});
