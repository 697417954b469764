import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { testSandbox } from '../../support/sandbox.ts';
import { GMAIL_READONLY, gmailClient, newUser, registerClient, signIn } from './helpers.ts';

const sandbox = await testSandbox();
let email: string;
let api: ReturnType<typeof gmailClient>['api'];

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  api = gmailClient(sandbox, await signIn(sandbox, email, [GMAIL_READONLY])).api;
});

const ids = async (q: string, includeSpamTrash = false) =>
  ((await api.users.messages.list({ userId: 'me', q, includeSpamTrash })).data.messages ?? []).map(
    (message) => message.id,
  );

describe('Gmail search by Message-ID', () => {
  it('rfc822msgid: finds exactly the message with that Message-ID, with or without brackets', async () => {
    const wanted = await sandbox.control.post<{ id: string; messageId: string }>(
      `/google/mailboxes/${email}/deliver`,
      { from: { address: 'a@people.example' }, to: [{ address: email }], subject: 'one', text: 'x' },
    );
    await sandbox.control.post(`/google/mailboxes/${email}/deliver`, {
      from: { address: 'b@people.example' },
      to: [{ address: email }],
      subject: 'two',
      text: wanted.messageId,
    });
    assert.deepEqual(await ids(`rfc822msgid:${wanted.messageId}`), [wanted.id]);
    assert.deepEqual(await ids(`rfc822msgid:${wanted.messageId.slice(1, -1)}`), [wanted.id]);
    assert.deepEqual(await ids(`rfc822msgid:${wanted.messageId.toUpperCase()}`), [wanted.id]);
    assert.deepEqual(await ids('rfc822msgid:<nobody@nowhere.example>'), []);
  });

  it('rfc822msgid: finds spam only with includeSpamTrash, as every listing does', async () => {
    const spam = await sandbox.control.post<{ id: string; messageId: string }>(
      `/google/mailboxes/${email}/spam`,
      { from: { address: 'c@people.example' }, to: [{ address: email }], subject: 'spam', text: 'x' },
    );
    assert.deepEqual(await ids(`rfc822msgid:${spam.messageId}`), []);
    assert.deepEqual(await ids(`rfc822msgid:${spam.messageId}`, true), [spam.id]);
  });
});
