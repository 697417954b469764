import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { testSandbox } from '../../support/sandbox.ts';
import { failure, GMAIL_READONLY, gmailClient, newUser, registerClient, signIn } from './helpers.ts';

const sandbox = await testSandbox();
let email: string;
let api: ReturnType<typeof gmailClient>['api'];
const sent: Record<string, string> = {};

const ids = async (q: string) =>
  ((await api.users.messages.list({ userId: 'me', q })).data.messages ?? [])
    .map((message) => message.id)
    .sort();

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  api = gmailClient(sandbox, await signIn(sandbox, email, [GMAIL_READONLY])).api;
  const { now } = await sandbox.control.get<{ now: string }>('/clock');
  const daysAgo = (days: number) => new Date(Date.parse(now) - days * 86_400_000).toISOString();
  const deliver = async (name: string, body: Record<string, unknown>) => {
    sent[name] = (
      await sandbox.control.post<{ id: string }>(`/google/mailboxes/${email}/deliver`, {
        to: [{ address: email }],
        ...body,
      })
    ).id;
  };
  await deliver('cv', {
    from: { name: 'Jane Roe', address: 'jane@gmail.com' },
    cc: [{ address: 'log@acme.example' }],
    subject: 'My CV for the backend role',
    text: 'Attached.',
    attachments: [
      {
        filename: 'cv.pdf',
        contentType: 'application/pdf',
        contentBase64: Buffer.from('%PDF').toString('base64'),
      },
    ],
    date: daysAgo(2),
  });
  await deliver('old', {
    from: { address: 'bob@people.example' },
    subject: 'Old question',
    text: 'q',
    date: daysAgo(400),
  });
  await deliver('recent', {
    from: { address: 'ann@people.example' },
    subject: 'Coffee?',
    text: 'c',
    date: daysAgo(10),
  });
});

describe('Gmail messages.list q through the official client', () => {
  it('has:attachment, newer_than:, older_than:, quoted phrases and negation', async () => {
    assert.deepEqual(await ids('has:attachment'), [sent.cv]);
    assert.deepEqual(await ids('newer_than:7d'), [sent.cv]);
    assert.deepEqual(await ids('older_than:1y'), [sent.old]);
    assert.deepEqual(await ids('"backend role"'), [sent.cv]);
    assert.deepEqual(await ids('-has:attachment newer_than:1m'), [sent.recent]);
  });

  it('several senders with OR, braces and a grouped operator; cc: reads Cc only', async () => {
    const both = [sent.cv, sent.old].sort();
    assert.deepEqual(await ids('from:jane@gmail.com OR from:bob@people.example'), both);
    assert.deepEqual(await ids('{from:jane@gmail.com from:bob@people.example}'), both);
    assert.deepEqual(await ids('from:(jane@gmail.com OR bob@people.example)'), both);
    assert.deepEqual(await ids('cc:log@acme.example'), [sent.cv]);
    assert.deepEqual(await ids(`cc:${email}`), []);
  });

  it('answers 400 invalidArgument for an operator it does not implement, never an empty list', async () => {
    for (const q of ['larger:5M', 'has:drive', 'from:(jane', 'newer_than:2w']) {
      const { status, body } = await failure(api.users.messages.list({ userId: 'me', q }));
      assert.equal(status, 400, q);
      assert.equal(body.error.status, 'INVALID_ARGUMENT');
      assert.equal(body.error.errors[0]?.reason, 'invalidArgument');
    }
  });

  it('applies the same q to threads.list', async () => {
    const { data } = await api.users.threads.list({ userId: 'me', q: 'has:attachment' });
    assert.equal(data.threads?.length, 1);
    const refused = await failure(api.users.threads.list({ userId: 'me', q: 'size:1000' }));
    assert.equal(refused.status, 400);
  });
});
