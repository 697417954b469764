import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { testSandbox } from '../../support/sandbox.ts';
import { failure, GMAIL_READONLY, gmailClient, newUser, registerClient, signIn } from './helpers.ts';

const sandbox = await testSandbox();
const jane = { address: 'jane@gmail.com' };
let email: string;
let api: ReturnType<typeof gmailClient>['api'];

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  api = gmailClient(sandbox, await signIn(sandbox, email, [GMAIL_READONLY])).api;
});

const profileHistoryId = async () => (await api.users.getProfile({ userId: 'me' })).data.historyId ?? '';
const deliver = (body: Record<string, unknown>) =>
  sandbox.control.post<{ id: string; threadId: string }>(`/google/mailboxes/${email}/deliver`, body);

describe('Gmail history.list', () => {
  it('shows a delivered message added, then trashed (labelsAdded TRASH), then deleted, under increasing ids with gaps', async () => {
    const start = await profileHistoryId();
    const sent = await deliver({ from: jane, subject: 'Round trip', text: 'x' });
    await sandbox.control.post(`/google/mailboxes/${email}/messages/${sent.id}/trash`);
    await sandbox.control.post(`/google/mailboxes/${email}/messages/${sent.id}/delete`);
    const { data } = await api.users.history.list({ userId: 'me', startHistoryId: start });
    const history = data.history ?? [];
    assert.equal(history.length, 3);
    assert.deepEqual(history[0]?.messagesAdded, [
      {
        message: { id: sent.id, threadId: sent.threadId, labelIds: ['UNREAD', 'CATEGORY_PERSONAL', 'INBOX'] },
      },
    ]);
    assert.deepEqual(history[1]?.labelsAdded, [
      {
        message: {
          id: sent.id,
          threadId: sent.threadId,
          labelIds: ['UNREAD', 'CATEGORY_PERSONAL', 'INBOX', 'TRASH'],
        },
        labelIds: ['TRASH'],
      },
    ]);
    assert.deepEqual(history[2]?.messagesDeleted?.[0]?.message?.id, sent.id);
    assert.deepEqual(history[2]?.messages, [{ id: sent.id, threadId: sent.threadId }]);
    const ids = [start, ...history.map((record) => record.id ?? '')].map(BigInt);
    for (let i = 1; i < ids.length; i += 1)
      assert.ok((ids[i] ?? 0n) > (ids[i - 1] ?? 0n), 'history ids increase');
    assert.equal(data.historyId, await profileHistoryId());
    const gaps = await (async () => {
      const from = await profileHistoryId();
      for (let i = 0; i < 12; i += 1) await deliver({ from: jane, subject: `gap ${i}`, text: 'g' });
      const records =
        (await api.users.history.list({ userId: 'me', startHistoryId: from })).data.history ?? [];
      return records.map(
        (record, i) => BigInt(record.id ?? '0') - BigInt(i === 0 ? from : (records[i - 1]?.id ?? '0')),
      );
    })();
    assert.ok(
      gaps.some((gap) => gap > 1n),
      'some ids are skipped',
    );
  });

  it('issues ids that gain a digit in an active mailbox, so only numeric comparison keeps them in order', async () => {
    const user = await newUser(sandbox);
    const client = gmailClient(sandbox, await signIn(sandbox, user, [GMAIL_READONLY])).api;
    const start = (await client.users.getProfile({ userId: 'me' })).data.historyId ?? '';
    for (let i = 0; i < 250; i += 1)
      await sandbox.control.post(`/google/mailboxes/${user}/deliver`, {
        from: jane,
        subject: `n${i}`,
        text: 'n',
      });
    const now = (await client.users.getProfile({ userId: 'me' })).data.historyId ?? '';
    assert.ok(now.length > start.length, `${start} → ${now}`);
    assert.ok(now < start, 'as strings the newer id sorts first');
    assert.ok(BigInt(now) > BigInt(start));
  });

  it('filters by historyTypes and labelId, and answers just the historyId when nothing changed', async () => {
    const start = await profileHistoryId();
    const sent = await deliver({ from: jane, subject: 'Filters', text: 'x' });
    await sandbox.control.post(`/google/mailboxes/${email}/messages/${sent.id}/labels`, {
      add: ['STARRED'],
      remove: ['UNREAD'],
    });
    const added = await api.users.history.list({
      userId: 'me',
      startHistoryId: start,
      historyTypes: ['labelAdded'],
    });
    assert.equal(added.data.history?.length, 1);
    assert.deepEqual(added.data.history?.[0]?.labelsAdded?.[0]?.labelIds, ['STARRED']);
    assert.equal(added.data.history?.[0]?.labelsRemoved, undefined);
    const removed = await api.users.history.list({
      userId: 'me',
      startHistoryId: start,
      historyTypes: ['labelRemoved'],
    });
    assert.deepEqual(removed.data.history?.[0]?.labelsRemoved?.[0]?.labelIds, ['UNREAD']);
    const starred = await api.users.history.list({ userId: 'me', startHistoryId: start, labelId: 'STARRED' });
    assert.equal(starred.data.history?.length, 1);
    const quiet = await api.users.history.list({ userId: 'me', startHistoryId: await profileHistoryId() });
    assert.deepEqual(Object.keys(quiet.data), ['historyId']);
  });

  it('pages with maxResults and nextPageToken', async () => {
    const start = await profileHistoryId();
    for (let i = 0; i < 5; i += 1) await deliver({ from: jane, subject: `page ${i}`, text: 'p' });
    const first = await api.users.history.list({ userId: 'me', startHistoryId: start, maxResults: 2 });
    assert.equal(first.data.history?.length, 2);
    const second = await api.users.history.list({
      userId: 'me',
      startHistoryId: start,
      maxResults: 2,
      pageToken: first.data.nextPageToken ?? '',
    });
    const third = await api.users.history.list({
      userId: 'me',
      startHistoryId: start,
      maxResults: 2,
      pageToken: second.data.nextPageToken ?? '',
    });
    assert.equal(third.data.history?.length, 1);
    assert.equal(third.data.nextPageToken, undefined);
    const ids = [
      ...(first.data.history ?? []),
      ...(second.data.history ?? []),
      ...(third.data.history ?? []),
    ].map((record) => record.id);
    assert.equal(new Set(ids).size, 5);
  });

  it('answers 404 for a startHistoryId in the future, and 400 for one that is not a number', async () => {
    const future = await failure(
      api.users.history.list({
        userId: 'me',
        startHistoryId: String(BigInt(await profileHistoryId()) + 1000n),
      }),
    );
    assert.equal(future.status, 404);
    assert.equal(future.body.error.message, 'Requested entity was not found.');
    assert.equal(future.body.error.errors[0]?.reason, 'notFound');
    const bad = await failure(api.users.history.list({ userId: 'me', startHistoryId: 'abc' }));
    assert.equal(bad.status, 400);
  });

  it('answers 404 for every cursor issued before expire-cursors, and accepts the new profile historyId', async () => {
    const old = await profileHistoryId();
    await sandbox.control.post(`/google/mailboxes/${email}/expire-cursors`);
    assert.equal((await failure(api.users.history.list({ userId: 'me', startHistoryId: old }))).status, 404);
    const fresh = await profileHistoryId();
    assert.ok(BigInt(fresh) > BigInt(old));
    assert.equal((await api.users.history.list({ userId: 'me', startHistoryId: fresh })).status, 200);
  });

  it('forgets records past the retention (7 days by default): an older cursor answers 404, a recent one works', async () => {
    const old = await profileHistoryId();
    await deliver({ from: jane, subject: 'Aging', text: 'a' });
    await sandbox.control.post('/clock', { advanceMs: 8 * 86_400_000 });
    const recent = await profileHistoryId();
    await deliver({ from: jane, subject: 'Fresh', text: 'f' });
    assert.equal((await failure(api.users.history.list({ userId: 'me', startHistoryId: old }))).status, 404);
    const { data } = await api.users.history.list({ userId: 'me', startHistoryId: recent });
    assert.equal(data.history?.length, 1);
  });
});
