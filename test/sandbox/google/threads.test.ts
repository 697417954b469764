import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
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
const jane = { name: 'Jane Roe', address: 'jane@gmail.com' };
const ids: {
  first: { id: string; threadId: string };
  reply: { id: string };
  other: { id: string; threadId: string };
} = {} as never;

const deliver = (body: Record<string, unknown>) =>
  sandbox.control.post<{ id: string; threadId: string; messageId: string }>(
    `/google/mailboxes/${email}/deliver`,
    { from: jane, ...body },
  );

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  api = gmailClient(sandbox, await signIn(sandbox, email, [GMAIL_READONLY])).api;
  const first = await deliver({ subject: 'Interview', text: 'first', date: '2026-11-01T10:00:00Z' });
  const other = await deliver({ subject: 'Another', text: 'other', date: '2026-11-02T10:00:00Z' });
  const reply = await deliver({
    subject: 'Re: Interview',
    text: 'the reply',
    inReplyTo: first.id,
    date: '2026-11-03T10:00:00Z',
  });
  Object.assign(ids, { first, reply, other });
});

describe('Gmail users.threads.list', () => {
  it('lists each thread once, newest activity first, with the newest message snippet and a historyId', async () => {
    const { data } = await api.users.threads.list({ userId: 'me' });
    assert.deepEqual(
      data.threads?.map((thread) => thread.id),
      [ids.first.threadId, ids.other.threadId],
    );
    assert.equal(data.threads?.[0]?.snippet, 'the reply');
    assert.match(data.threads?.[0]?.historyId ?? '', /^\d+$/);
    assert.equal(data.resultSizeEstimate, 2);
  });

  it('pages with maxResults and nextPageToken, and filters with q', async () => {
    const first = await api.users.threads.list({ userId: 'me', maxResults: 1 });
    assert.equal(first.data.threads?.length, 1);
    assert.ok(first.data.nextPageToken);
    const second = await api.users.threads.list({
      userId: 'me',
      maxResults: 1,
      pageToken: first.data.nextPageToken ?? '',
    });
    assert.deepEqual(
      second.data.threads?.map((thread) => thread.id),
      [ids.other.threadId],
    );
    assert.equal(second.data.nextPageToken, undefined);
    const found = await api.users.threads.list({ userId: 'me', q: 'subject:another' });
    assert.deepEqual(
      found.data.threads?.map((thread) => thread.id),
      [ids.other.threadId],
    );
  });
});

describe('Gmail users.threads.get', () => {
  it('answers every message of the thread, oldest first, in format full with payloads', async () => {
    const { data } = await api.users.threads.get({ userId: 'me', id: ids.first.threadId });
    assert.equal(data.id, ids.first.threadId);
    assert.deepEqual(
      data.messages?.map((message) => message.id),
      [ids.first.id, ids.reply.id],
    );
    assert.equal(
      Buffer.from(data.messages?.[1]?.payload?.body?.data ?? '', 'base64url')
        .toString('utf8')
        .trim(),
      'the reply',
    );
    const newest = Math.max(...(data.messages ?? []).map((message) => Number(message.historyId)));
    assert.equal(data.historyId, String(newest));
  });

  it('answers format metadata with only the asked headers, and format minimal without payloads', async () => {
    const metadata = await api.users.threads.get({
      userId: 'me',
      id: ids.first.threadId,
      format: 'metadata',
      metadataHeaders: ['Subject'],
    });
    assert.deepEqual(
      metadata.data.messages?.map((message) => message.payload?.headers?.map((header) => header.value)),
      [['Interview'], ['Re: Interview']],
    );
    assert.equal(metadata.data.messages?.[0]?.payload?.body, undefined);
    const minimal = await api.users.threads.get({ userId: 'me', id: ids.first.threadId, format: 'minimal' });
    assert.equal(minimal.data.messages?.length, 2);
    assert.ok(minimal.data.messages?.every((message) => message.payload === undefined && message.labelIds));
  });

  it('answers 404 notFound for an unknown thread and 400 for a format threads do not have', async () => {
    const missing = await failure(api.users.threads.get({ userId: 'me', id: 'ffff000000000000' }));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.errors[0]?.reason, 'notFound');
    const raw = await failure(api.users.threads.get({ userId: 'me', id: ids.first.threadId, format: 'raw' }));
    assert.equal(raw.status, 400);
  });

  it('refuses format full to a gmail.metadata token, as messages.get does', async () => {
    const meta = gmailClient(sandbox, await signIn(sandbox, email, [GMAIL_METADATA])).api;
    const refused = await failure(meta.users.threads.get({ userId: 'me', id: ids.first.threadId }));
    assert.equal(refused.status, 403);
    const ok = await meta.users.threads.get({ userId: 'me', id: ids.first.threadId, format: 'metadata' });
    assert.equal(ok.data.messages?.length, 2);
  });

  it('charges 10 quota units per threads.list and threads.get call', async () => {
    await sandbox.control.del('/counters');
    await api.users.threads.list({ userId: 'me' });
    await api.users.threads.get({ userId: 'me', id: ids.first.threadId, format: 'minimal' });
    const { rows } = await sandbox.control.get<{ rows: { method: string; units: number }[] }>(
      `/counters?provider=google&user=${email}`,
    );
    const units = Object.fromEntries(rows.map((row) => [row.method, row.units]));
    assert.equal(units['gmail.users.threads.list'], 10);
    assert.equal(units['gmail.users.threads.get'], 10);
  });
});
