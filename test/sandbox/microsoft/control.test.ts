import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import PostalMime from 'postal-mime';
import { APP, graphFetch, json, microsoftSandbox, REDIRECT_URI, receiver, signIn } from './helpers.ts';

const CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
// Its receivers listen on plain http, which Graph refuses: the sandbox's switch is turned on for them.
const sandbox = await microsoftSandbox({ microsoft: { allowHttpNotificationUrls: true } });
await sandbox.control.post('/microsoft/users', { email: 'rex@acme.example', name: 'Rex Recruiter' });
const { access_token: token } = await signIn(sandbox, 'rex@acme.example');
const base = '/microsoft/mailboxes/rex@acme.example';

interface Summary {
  id: string;
  regularId: string;
  folder: string;
  wellKnownName: string | null;
  subject: string;
}
const post = <T = Summary>(path: string, body?: unknown) => sandbox.control.post<T>(path, body);
const listed = async () => (await sandbox.control.get<{ messages: Summary[] }>(`${base}/messages`)).messages;
const folderOf = async (id: string) => (await listed()).find((message) => message.id === id)?.folder;

describe('control API: tenants and users', () => {
  test('personal domains share the consumer tenant; a work domain gets its tenant on first use', async () => {
    for (const email of ['a@outlook.com', 'b@hotmail.com', 'c@live.com']) {
      const user = await post<{ tenantId: string; id: string }>('/microsoft/users', { email, name: email });
      assert.equal(user.tenantId, CONSUMER_TENANT);
      assert.match(user.id, /^[0-9a-f]{16}$/, 'consumer Graph ids are 16 hex digits');
    }
    const first = await post<{ tenantId: string }>('/microsoft/users', {
      email: 'x@globex.example',
      name: 'X',
    });
    const second = await post<{ tenantId: string }>('/microsoft/users', {
      email: 'y@globex.example',
      name: 'Y',
    });
    assert.equal(first.tenantId, second.tenantId);
    assert.match(first.tenantId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('a tenant created first is the one its users join', async () => {
    const tenant = await post<{ tenantId: string; domain: string }>('/microsoft/tenants', {
      domain: 'initech.example',
    });
    assert.equal(tenant.domain, 'initech.example');
    const user = await post<{ tenantId: string }>('/microsoft/users', {
      email: 'peter@initech.example',
      name: 'Peter',
    });
    assert.equal(user.tenantId, tenant.tenantId);
    const again = await post<{ tenantId: string }>('/microsoft/tenants', { domain: 'initech.example' });
    assert.equal(again.tenantId, tenant.tenantId);
  });

  test('bad input is 400, unknown users and tenants 404, in {error} form', async () => {
    await assert.rejects(
      post('/microsoft/users', { email: 'not-an-email' }),
      /400 \{"error":"email must be an email address"\}/,
    );
    await assert.rejects(post('/microsoft/tenants', { domain: '' }), /400/);
    await assert.rejects(
      sandbox.control.get('/microsoft/users/ghost@acme.example'),
      /404 \{"error":"no such user/,
    );
    await assert.rejects(
      post('/microsoft/tenants/00000000-0000-0000-0000-000000000000/require-admin-consent', {
        required: true,
      }),
      /404/,
    );
    await assert.rejects(
      post(`/microsoft/tenants/${CONSUMER_TENANT}/require-admin-consent`, { required: true }),
      /409/,
    );
    await assert.rejects(
      post('/microsoft/clients', { clientId: 'x', clientSecret: 's', redirectUris: ['not a url'] }),
      /400/,
    );
  });
});

describe('control API: mail', () => {
  test('deliver, send, spam and draft land in Inbox, Sent Items, Junk Email and Drafts', async () => {
    const body = {
      from: { address: 'jane@gmail.com' },
      to: [{ address: 'rex@acme.example' }],
      subject: 'Hi',
      text: 'Hi',
    };
    const delivered = await post(`${base}/deliver`, body);
    const sent = await post(`${base}/send`, {
      to: [{ address: 'jane@gmail.com' }],
      bcc: [{ address: 'boss@acme.example' }],
      subject: 'Sent',
      text: 'x',
    });
    const spam = await post(`${base}/spam`, body);
    const draft = await post(`${base}/draft`, { to: [{ address: 'jane@gmail.com' }], subject: 'Draft' });
    assert.deepEqual(
      [delivered.wellKnownName, sent.wellKnownName, spam.wellKnownName, draft.wellKnownName],
      ['inbox', 'sentitems', 'junkemail', 'drafts'],
    );
    const sentJson = await json(await graphFetch(sandbox, token, `me/messages/${sent.id}`));
    assert.equal(sentJson.from.emailAddress.address, 'rex@acme.example');
    assert.equal(sentJson.isRead, true);
    assert.deepEqual(sentJson.bccRecipients, [
      { emailAddress: { name: 'boss@acme.example', address: 'boss@acme.example' } },
    ]);
    const mime = await PostalMime.parse(
      Buffer.from(await (await graphFetch(sandbox, token, `me/messages/${sent.id}/$value`)).arrayBuffer()),
    );
    assert.equal(mime.bcc?.[0]?.address, 'boss@acme.example', "the sender's copy keeps Bcc");
    const draftJson = await json(await graphFetch(sandbox, token, `me/messages/${draft.id}`));
    assert.equal(draftJson.isDraft, true);
  });

  test('trash and restore, archive, move to a new or well-known folder, delete', async () => {
    const message = await post(`${base}/deliver`, {
      from: { address: 'jane@gmail.com' },
      subject: 'Lifecycle',
    });
    assert.equal((await post(`${base}/messages/${message.id}/trash`)).folder, 'Deleted Items');
    await assert.rejects(post(`${base}/messages/${message.id}/trash`), /409/);
    assert.equal((await post(`${base}/messages/${message.id}/restore`)).folder, 'Inbox');
    await assert.rejects(post(`${base}/messages/${message.id}/restore`), /409/);
    assert.equal((await post(`${base}/messages/${message.id}/archive`)).folder, 'Archive');
    const moved = await post(`${base}/messages/${message.id}/move`, { folder: 'Candidates' });
    assert.equal(moved.folder, 'Candidates');
    const folders = await json(await graphFetch(sandbox, token, 'me/mailFolders'));
    assert.ok(folders.value.some((folder: { displayName: string }) => folder.displayName === 'Candidates'));
    assert.equal(
      (await post(`${base}/messages/${message.id}/move`, { folder: 'junkemail' })).folder,
      'Junk Email',
    );
    await assert.rejects(post(`${base}/messages/${message.id}/move`, {}), /400/);
    await post(`${base}/messages/${message.id}/delete`);
    assert.equal(await folderOf(message.id), undefined);
    assert.equal((await graphFetch(sandbox, token, `me/messages/${message.id}`)).status, 404);
  });

  test('regular ids work in the control API while current', async () => {
    const message = await post(`${base}/deliver`, {
      from: { address: 'jane@gmail.com' },
      subject: 'By regular id',
    });
    const archived = await post(`${base}/messages/${message.regularId}/archive`);
    assert.notEqual(archived.regularId, message.regularId);
    await assert.rejects(post(`${base}/messages/${message.regularId}/trash`), /404/);
  });

  test('bad deliveries are 400; unknown mailboxes and messages 404', async () => {
    await assert.rejects(
      post(`${base}/deliver`, { subject: 'no sender' }),
      /400 \{"error":"from.address is required"\}/,
    );
    await assert.rejects(
      post(`${base}/deliver`, { from: { address: 'a@b.example' }, inReplyTo: 'AAMkAnothing' }),
      /400/,
    );
    await assert.rejects(
      post(`${base}/deliver`, { from: { address: 'a@b.example' }, date: 'yesterday' }),
      /400/,
    );
    await assert.rejects(
      post('/microsoft/mailboxes/ghost@acme.example/deliver', { from: { address: 'a@b.example' } }),
      /404/,
    );
    await assert.rejects(post(`${base}/messages/AAMkAnothing/trash`), /404/);
  });
});

describe('reset', () => {
  test('forgets users, apps, mail and subscriptions', async () => {
    const endpoint = await receiver();
    const created = await graphFetch(sandbox, token, 'subscriptions', {
      method: 'POST',
      body: JSON.stringify({
        changeType: 'created',
        resource: 'me/messages',
        notificationUrl: endpoint.url,
        expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    });
    assert.equal(created.status, 201);
    assert.equal(
      (await sandbox.control.get<{ subscriptions: unknown[] }>('/microsoft/subscriptions')).subscriptions
        .length,
      1,
    );
    await sandbox.control.post('/reset');
    await assert.rejects(sandbox.control.get('/microsoft/users/rex@acme.example'), /404/);
    const authorize = new URL(`${sandbox.url}/microsoft/login/common/oauth2/v2.0/authorize`);
    authorize.searchParams.set('client_id', APP.clientId);
    authorize.searchParams.set('redirect_uri', REDIRECT_URI);
    assert.equal((await fetch(authorize)).status, 400);
    assert.equal((await graphFetch(sandbox, token, 'me')).status, 401);
    assert.deepEqual(
      (await sandbox.control.get<{ subscriptions: unknown[] }>('/microsoft/subscriptions')).subscriptions,
      [],
    );
  });
});
