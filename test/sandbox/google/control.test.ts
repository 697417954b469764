import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { testSandbox } from '../../support/sandbox.ts';
import { call, GMAIL_READONLY, gmailClient, newUser, registerClient, signIn } from './helpers.ts';

const sandbox = await testSandbox();
const jane = { address: 'jane@gmail.com' };
let email: string;
let api: ReturnType<typeof gmailClient>['api'];

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  api = gmailClient(sandbox, await signIn(sandbox, email, [GMAIL_READONLY])).api;
});

const post = <T = { id: string; labelIds: string[] }>(path: string, body?: unknown) =>
  sandbox.control.post<T>(`/google/mailboxes/${email}${path}`, body);
const historySince = async (start: string) =>
  (await api.users.history.list({ userId: 'me', startHistoryId: start })).data.history ?? [];
const currentHistoryId = async () => (await api.users.getProfile({ userId: 'me' })).data.historyId ?? '';

describe('Google control API: users', () => {
  it('makes Workspace users by domain (with hd) and consumer users for gmail.com, and refuses duplicates with 409', async () => {
    const workspace = await sandbox.control.post<{ id: string; email: string; hd?: string }>(
      '/google/users',
      { email: 'Ann@Corp.Example', name: 'Ann' },
    );
    assert.equal(workspace.email, 'ann@corp.example');
    assert.equal(workspace.hd, 'corp.example');
    const consumer = await sandbox.control.post<{ hd?: string }>('/google/users', {
      email: 'bob@gmail.com',
      name: 'Bob',
    });
    assert.equal(consumer.hd, undefined);
    await assert.rejects(sandbox.control.post('/google/users', { email: 'ann@corp.example' }), /409/);
    await assert.rejects(sandbox.control.post('/google/users', { email: 'not-an-address' }), /400/);
    await assert.rejects(sandbox.control.get('/google/users/nobody@corp.example'), /404/);
  });
});

describe('Google control API: mail', () => {
  it('archives (INBOX removed), restores from Trash, and changes labels, each recorded in history', async () => {
    const message = await post('/deliver', { from: jane, subject: 'Moves', text: 'm' });
    const start = await currentHistoryId();
    assert.deepEqual((await post(`/messages/${message.id}/archive`)).labelIds, [
      'UNREAD',
      'CATEGORY_PERSONAL',
    ]);
    await post(`/messages/${message.id}/trash`);
    assert.deepEqual((await post(`/messages/${message.id}/restore`)).labelIds, [
      'UNREAD',
      'CATEGORY_PERSONAL',
    ]);
    assert.deepEqual(
      (await post(`/messages/${message.id}/labels`, { add: ['STARRED', 'INBOX'], remove: ['UNREAD'] }))
        .labelIds,
      ['CATEGORY_PERSONAL', 'STARRED', 'INBOX'],
    );
    const history = await historySince(start);
    assert.deepEqual(
      history.map((record) => [record.labelsAdded?.[0]?.labelIds, record.labelsRemoved?.[0]?.labelIds]),
      [
        [undefined, ['INBOX']],
        [['TRASH'], undefined],
        [undefined, ['TRASH']],
        [['STARRED', 'INBOX'], ['UNREAD']],
      ],
    );
    await assert.rejects(post(`/messages/${message.id}/labels`, { add: ['NO_SUCH_LABEL'] }), /400/);
    await assert.rejects(post('/messages/ffff000000000000/trash'), /404/);
  });

  it('saves drafts under DRAFT and spam under SPAM, and lists every stored message', async () => {
    const draft = await post<{ id: string }>('/draft', { to: [jane], subject: 'Draft', text: 'd' });
    const spam = await post<{ id: string }>('/spam', { from: jane, subject: 'Win', text: 's' });
    const { messages } = await sandbox.control.get<{
      messages: { id: string; labelIds: string[]; subject: string }[];
    }>(`/google/mailboxes/${email}/messages`);
    assert.deepEqual(messages.find((message) => message.id === draft.id)?.labelIds, ['DRAFT']);
    assert.deepEqual(messages.find((message) => message.id === spam.id)?.labelIds, ['UNREAD', 'SPAM']);
    assert.equal(messages.find((message) => message.id === spam.id)?.subject, 'Win');
  });

  it('refuses a delivery without a sender, a reply to an unknown message, and an unknown mailbox', async () => {
    await assert.rejects(post('/deliver', { subject: 'x' }), /400/);
    await assert.rejects(post('/deliver', { from: jane, inReplyTo: 'ffff000000000000' }), /404/);
    await assert.rejects(
      sandbox.control.post('/google/mailboxes/ghost@acme.example/deliver', { from: jane }),
      /404/,
    );
  });

  it('answers every Gmail path it does not serve with Google\u2019s 404 body', async () => {
    const token = (await signIn(sandbox, email, [GMAIL_READONLY])).access_token;
    const answer = await call(sandbox, token, '/gmail/v1/users/me/nonsense/path');
    assert.equal(answer.status, 404);
    assert.equal(answer.body.error.status, 'NOT_FOUND');
  });
});

describe('sandbox reset', () => {
  it('forgets Google users, mail and clients', async () => {
    await sandbox.control.post('/reset');
    await assert.rejects(sandbox.control.get(`/google/users/${email}`), /404/);
    const page = await fetch(
      `${sandbox.url}/google/o/oauth2/v2/auth?client_id=${encodeURIComponent('talentsync-test.apps.googleusercontent.com')}`,
    );
    assert.equal(page.status, 401);
  });
});
