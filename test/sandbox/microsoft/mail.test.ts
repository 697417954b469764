import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type GraphError, ResponseType } from '@microsoft/microsoft-graph-client';
import PostalMime from 'postal-mime';
import { graphClient, graphFetch, json, microsoftSandbox, signIn } from './helpers.ts';

const sandbox = await microsoftSandbox({ https: true });
const rex = await sandbox.control.post<{ id: string }>('/microsoft/users', {
  email: 'rex@acme.example',
  name: 'Rex Recruiter',
});
await sandbox.control.post('/microsoft/users', { email: 'amy@acme.example', name: 'Amy' });
const { access_token: token } = await signIn(sandbox, 'rex@acme.example');
const graph = graphClient(sandbox, token);
const IMMUTABLE = 'IdType="ImmutableId"';

interface Delivered {
  id: string;
  regularId: string;
  threadId: string;
  messageId: string;
}
const deliver = (body: Record<string, unknown>, kind = 'deliver') =>
  sandbox.control.post<Delivered>(`/microsoft/mailboxes/rex@acme.example/${kind}`, body);

/** Asserts a Graph call fails with this status and code. */
async function fails(call: Promise<unknown>, status: number, code: string) {
  await assert.rejects(call, (error: GraphError) => {
    assert.equal(error.statusCode, status);
    assert.equal(error.code, code);
    return true;
  });
}

describe('Graph /me and mail folders', () => {
  test('/me names the signed-in user', async () => {
    const me = await graph.api('/me').get();
    assert.equal(me.id, rex.id);
    assert.equal(me.displayName, 'Rex Recruiter');
    assert.equal(me.mail, 'rex@acme.example');
    assert.equal(me.userPrincipalName, 'rex@acme.example');
    const picked = await graph.api('/me').select('id,mail').get();
    assert.deepEqual(Object.keys(picked).sort(), ['@odata.context', 'id', 'mail']);
  });

  test('lists the default folders under the root, hidden ones only when asked', async () => {
    const visible = await graph.api('/me/mailFolders').get();
    const names = visible.value.map((folder: { displayName: string }) => folder.displayName);
    assert.deepEqual(names, [
      'Archive',
      'Conversation History',
      'Deleted Items',
      'Drafts',
      'Inbox',
      'Junk Email',
      'Outbox',
      'Sent Items',
    ]);
    const all = await graph.api('/me/mailFolders').query({ includeHiddenFolders: 'true' }).get();
    const clutter = all.value.find((folder: { displayName: string }) => folder.displayName === 'Clutter');
    assert.equal(clutter.isHidden, true);
    const inbox = visible.value.find((folder: { displayName: string }) => folder.displayName === 'Inbox');
    assert.deepEqual(Object.keys(inbox).sort(), [
      'childFolderCount',
      'displayName',
      'id',
      'isHidden',
      'parentFolderId',
      'sizeInBytes',
      'totalItemCount',
      'unreadItemCount',
    ]);
    const root = await graph.api('/me/mailFolders/msgfolderroot').get();
    assert.equal(inbox.parentFolderId, root.id);
  });

  test('a folder is found by id or well-known name, and child folders are listed', async () => {
    const byName = await graph.api('/me/mailFolders/inbox').get();
    const byId = await graph.api(`/me/mailFolders/${byName.id}`).get();
    assert.equal(byId.displayName, 'Inbox');
    const history = await graph.api("/me/mailFolders('conversationhistory')/childFolders").get();
    assert.deepEqual(
      history.value.map((folder: { displayName: string }) => folder.displayName),
      ['Team Chat'],
    );
    await fails(graph.api('/me/mailFolders/nonsense').get(), 400, 'ErrorInvalidIdMalformed');
  });

  test('pages folders ten at a time through @odata.nextLink', async () => {
    for (const name of ['Candidates', 'Clients', 'Hiring']) {
      const { id } = await deliver({ from: { address: 'x@example.org' }, subject: name });
      await sandbox.control.post(`/microsoft/mailboxes/rex@acme.example/messages/${id}/move`, {
        folder: name,
      });
    }
    const first = await graph.api('/me/mailFolders').get();
    assert.equal(first.value.length, 10);
    const second = await graph.api(first['@odata.nextLink']).get();
    assert.equal(second.value.length, 1);
    assert.equal(second['@odata.nextLink'], undefined);
    const hiring = [...first.value, ...second.value].find(
      (folder: { displayName: string }) => folder.displayName === 'Hiring',
    );
    assert.equal(hiring.totalItemCount, 1);
    assert.equal(hiring.unreadItemCount, 1);
  });
});

describe('a delivered message', () => {
  test('shows Graph message properties, in HTML by default', async () => {
    const sent = await deliver({
      from: { name: 'Jane Doe', address: 'jane@gmail.com' },
      to: [{ name: 'Rex Recruiter', address: 'rex@acme.example' }],
      cc: [{ address: 'team@acme.example' }],
      subject: 'Interview next week',
      text: 'Hello Rex,\nhere is my CV.',
      html: '<p>Hello Rex,</p><p>here is my <b>CV</b>.</p>',
      attachments: [
        {
          filename: 'cv.pdf',
          contentType: 'application/pdf',
          contentBase64: Buffer.from('%PDF-1.4').toString('base64'),
        },
      ],
      date: '2026-11-20T09:30:00Z',
    });
    const message = await graph.api(`/me/messages/${sent.regularId}`).get();
    assert.deepEqual(Object.keys(message).slice(0, 6), [
      '@odata.context',
      '@odata.etag',
      'id',
      'createdDateTime',
      'lastModifiedDateTime',
      'changeKey',
    ]);
    assert.equal(message.id, sent.regularId);
    assert.equal(message['@odata.etag'], `W/"${message.changeKey}"`);
    assert.equal(message.subject, 'Interview next week');
    assert.equal(message.internetMessageId, sent.messageId);
    assert.equal(message.conversationId, sent.threadId);
    assert.equal(message.receivedDateTime, '2026-11-20T09:30:00Z');
    assert.equal(message.sentDateTime, '2026-11-20T09:30:00Z');
    assert.equal(message.hasAttachments, true);
    assert.equal(message.isRead, false);
    assert.equal(message.isDraft, false);
    assert.equal(message.importance, 'normal');
    assert.deepEqual(message.from, { emailAddress: { name: 'Jane Doe', address: 'jane@gmail.com' } });
    assert.deepEqual(message.sender, message.from);
    assert.deepEqual(message.toRecipients, [
      { emailAddress: { name: 'Rex Recruiter', address: 'rex@acme.example' } },
    ]);
    assert.deepEqual(message.ccRecipients, [
      { emailAddress: { name: 'team@acme.example', address: 'team@acme.example' } },
    ]);
    assert.deepEqual(message.bccRecipients, []);
    assert.equal(message.body.contentType, 'html');
    assert.match(message.body.content, /<b>CV<\/b>/);
    assert.equal(message.bodyPreview, 'Hello Rex, here is my CV.');
    assert.equal(message.internetMessageHeaders, undefined);
    const inbox = await graph.api('/me/mailFolders/inbox').get();
    assert.equal(message.parentFolderId, inbox.id);
  });

  test('$value is the MIME, and postal-mime reads from it what the JSON shows', async () => {
    const sent = await deliver({
      from: { name: 'Jane Doe', address: 'jane@gmail.com' },
      to: [{ address: 'rex@acme.example' }],
      subject: 'Grüße aus München',
      text: 'Bis bald — Jane',
    });
    const message = await graph
      .api(`/me/messages/${sent.id}`)
      .header('Prefer', 'outlook.body-content-type="text"')
      .select('subject,body,from,toRecipients,internetMessageId,internetMessageHeaders')
      .get();
    const raw = await graph
      .api(`/me/messages/${sent.id}/$value`)
      .responseType(ResponseType.ARRAYBUFFER)
      .get();
    const parsed = await PostalMime.parse(Buffer.from(raw));
    assert.equal(parsed.subject, message.subject);
    assert.equal(parsed.messageId, message.internetMessageId);
    assert.equal(parsed.from?.address, message.from.emailAddress.address);
    assert.equal(parsed.from?.name, message.from.emailAddress.name);
    assert.deepEqual(
      parsed.to?.map((to) => to.address),
      message.toRecipients.map((to: { emailAddress: { address: string } }) => to.emailAddress.address),
    );
    assert.equal(parsed.text?.trim(), message.body.content.trim());
    assert.equal(message.body.contentType, 'text');
    const headerNames = message.internetMessageHeaders.map((header: { name: string }) =>
      header.name.toLowerCase(),
    );
    for (const name of ['from', 'to', 'subject', 'message-id', 'date', 'mime-version'])
      assert.ok(headerNames.includes(name), name);
  });

  test('raw RFC 5322 deliveries are stored byte for byte, and read by their declared charset', async () => {
    const bytes = Buffer.concat([
      Buffer.from(
        'From: =?utf-8?Q?Ren=C3=A9e?= <renee@example.org>\r\nTo: rex@acme.example\r\nSubject: =?ISO-8859-1?Q?Caf=E9?=\r\n' +
          'Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <raw-1@example.org>\r\nMIME-Version: 1.0\r\n' +
          'Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
      ),
      Buffer.from('Caf\xe9 au lait\r\n', 'latin1'),
    ]);
    const sent = await deliver({ raw: bytes.toString('base64') });
    assert.equal(sent.messageId, '<raw-1@example.org>');
    const raw = await graph
      .api(`/me/messages/${sent.id}/$value`)
      .responseType(ResponseType.ARRAYBUFFER)
      .get();
    assert.deepEqual(Buffer.from(raw), bytes);
    const message = await graph
      .api(`/me/messages/${sent.id}`)
      .header('Prefer', 'outlook.body-content-type="text"')
      .get();
    assert.equal(message.subject, 'Café');
    assert.equal(message.from.emailAddress.name, 'Renée');
    assert.equal(message.body.content.trim(), 'Café au lait');
    assert.equal(message.sentDateTime, '2026-11-23T10:00:00Z');
  });

  test('inReplyTo threads a reply into the same conversation', async () => {
    const first = await deliver({
      from: { address: 'jane@gmail.com' },
      subject: 'Role',
      text: 'Interested?',
    });
    const reply = await deliver({
      from: { address: 'jane@gmail.com' },
      subject: 'Re: Role',
      text: 'Yes',
      inReplyTo: first.id,
    });
    assert.equal(reply.threadId, first.threadId);
    const [a, b] = await Promise.all(
      [first, reply].map((sent) =>
        graph
          .api(`/me/messages/${sent.id}`)
          .select('conversationId,conversationIndex,internetMessageHeaders')
          .get(),
      ),
    );
    assert.equal(a.conversationId, b.conversationId);
    assert.equal(
      Buffer.from(b.conversationIndex, 'base64').length,
      Buffer.from(a.conversationIndex, 'base64').length + 5,
    );
    const inReplyTo = b.internetMessageHeaders.find(
      (header: { name: string }) => header.name.toLowerCase() === 'in-reply-to',
    );
    assert.equal(inReplyTo.value, first.messageId);
  });

  test('Prefer is confirmed in Preference-Applied', async () => {
    const sent = await deliver({
      from: { address: 'jane@gmail.com' },
      subject: 'Prefs',
      html: '<p>Hi <i>there</i></p>',
    });
    const response = await graphFetch(sandbox, token, `me/messages/${sent.id}?$select=body`, {
      headers: { Prefer: `${IMMUTABLE}, outlook.body-content-type="text"` },
    });
    assert.equal(
      response.headers.get('preference-applied'),
      'IdType="ImmutableId", outlook.body-content-type="text"',
    );
    const body = await json(response);
    assert.equal(body.id, sent.id);
    assert.deepEqual(body.body, { contentType: 'text', content: 'Hi there' });
  });

  test('an unknown $select property is refused', async () => {
    const sent = await deliver({ from: { address: 'jane@gmail.com' }, subject: 'Select' });
    await fails(
      graph.api(`/me/messages/${sent.id}`).select('subject,colour').get(),
      400,
      'RequestBroker--ParseUri',
    );
  });
});

describe('ids across moves', () => {
  test('a move re-mints the regular id; the old one answers 404, the immutable id survives', async () => {
    const sent = await deliver({ from: { address: 'jane@gmail.com' }, subject: 'Move me' });
    const moved = await graph.api(`/me/messages/${sent.regularId}/move`).post({ destinationId: 'archive' });
    assert.notEqual(moved.id, sent.regularId);
    assert.equal(moved.parentFolderId, (await graph.api('/me/mailFolders/archive').get()).id);
    await fails(graph.api(`/me/messages/${sent.regularId}`).get(), 404, 'ErrorItemNotFound');
    assert.equal((await graph.api(`/me/messages/${moved.id}`).get()).subject, 'Move me');
    const byImmutable = await graph.api(`/me/messages/${sent.id}`).header('Prefer', IMMUTABLE).get();
    assert.equal(byImmutable.id, sent.id);
    const movedAgain = await graph
      .api(`/me/messages/${sent.id}/move`)
      .header('Prefer', IMMUTABLE)
      .post({ destinationId: 'inbox' });
    assert.equal(movedAgain.id, sent.id);
    await fails(graph.api(`/me/messages/${moved.id}`).get(), 404, 'ErrorItemNotFound');
  });

  test('a message is also read through its folder, and only through its own folder', async () => {
    const sent = await deliver({ from: { address: 'jane@gmail.com' }, subject: 'Folder path' });
    assert.equal((await graph.api(`/me/mailFolders/inbox/messages/${sent.id}`).get()).subject, 'Folder path');
    await fails(graph.api(`/me/mailFolders/drafts/messages/${sent.id}`).get(), 404, 'ErrorItemNotFound');
  });

  test('DELETE soft-deletes into Recoverable Items, still readable by immutable id', async () => {
    const sent = await deliver({ from: { address: 'jane@gmail.com' }, subject: 'Delete me' });
    const response = await graphFetch(sandbox, token, `me/messages/${sent.regularId}`, { method: 'DELETE' });
    assert.equal(response.status, 204);
    const deleted = await graph.api(`/me/messages/${sent.id}`).header('Prefer', IMMUTABLE).get();
    const deletions = await graph.api('/me/mailFolders/recoverableitemsdeletions').get();
    assert.equal(deleted.parentFolderId, deletions.id);
    await fails(graph.api(`/me/messages/${sent.regularId}`).get(), 404, 'ErrorItemNotFound');
    const listed = await sandbox.control.get<{ messages: { id: string; wellKnownName: string }[] }>(
      '/microsoft/mailboxes/rex@acme.example/messages',
    );
    assert.equal(
      listed.messages.find((message) => message.id === sent.id)?.wellKnownName,
      'recoverableitemsdeletions',
    );
  });

  test('a string that is no id is malformed (400); an id that never existed is not found (404)', async () => {
    await fails(graph.api('/me/messages/hello').get(), 400, 'ErrorInvalidIdMalformed');
    await fails(graph.api(`/me/messages/AAMkA${'x'.repeat(40)}AAA=`).get(), 404, 'ErrorItemNotFound');
  });
});

describe('Graph refuses what the token does not allow', () => {
  test('no token: 401 InvalidAuthenticationToken in Graph error shape', async () => {
    const response = await fetch(`${sandbox.url}/microsoft/graph/v1.0/me`, {
      headers: { 'client-request-id': 'abc-123' },
    });
    assert.equal(response.status, 401);
    const body = await json(response);
    assert.equal(body.error.code, 'InvalidAuthenticationToken');
    assert.equal(body.error.message, 'Access token is empty.');
    assert.match(body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.equal(body.error.innerError['client-request-id'], 'abc-123');
    assert.equal(response.headers.get('client-request-id'), 'abc-123');
  });

  test("a well-formed token Graph does not accept is refused in Graph's words, not as a JWT without dots", async () => {
    const signedIn = await signIn(sandbox, 'amy@acme.example');
    const jwt = (payload: Record<string, unknown>) =>
      [{ alg: 'RS256', typ: 'JWT' }, payload]
        .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
        .concat('c2lnbmF0dXJl')
        .join('.');
    const cases: [string, string][] = [
      [jwt({ aud: '00000003-0000-0000-c000-000000000000', tid: 'x' }), 'Access token validation failure.'],
      [signedIn.id_token ?? '', 'Access token validation failure. Invalid audience.'],
      ['not-a-jwt', 'IDX14100: JWT is not well formed, there are no dots (.).'],
    ];
    for (const [token, message] of cases) {
      await assert.rejects(graphClient(sandbox, token).api('/me').get(), (error: GraphError) => {
        assert.equal(error.statusCode, 401);
        assert.equal(error.code, 'InvalidAuthenticationToken');
        assert.equal(error.message, message);
        return true;
      });
    }
  });

  test('mail needs a Mail scope (ErrorAccessDenied); /me needs User.Read (Authorization_RequestDenied)', async () => {
    const profileOnly = graphClient(
      sandbox,
      (await signIn(sandbox, 'amy@acme.example', { scope: 'openid User.Read' })).access_token,
    );
    await fails(profileOnly.api('/me/mailFolders').get(), 403, 'ErrorAccessDenied');
    const mailOnly = graphClient(
      sandbox,
      (await signIn(sandbox, 'amy@acme.example', { scope: 'Mail.Read' })).access_token,
    );
    await fails(mailOnly.api('/me').get(), 403, 'Authorization_RequestDenied');
    const sent = await sandbox.control.post<Delivered>('/microsoft/mailboxes/amy@acme.example/deliver', {
      from: { address: 'x@example.org' },
    });
    assert.equal((await mailOnly.api(`/me/messages/${sent.id}`).get()).id, sent.regularId);
    await fails(
      mailOnly.api(`/me/messages/${sent.id}/move`).post({ destinationId: 'archive' }),
      403,
      'ErrorAccessDenied',
    );
  });

  test('users/{id} is the caller; anyone else is 403', async () => {
    assert.equal((await graph.api(`/users/${rex.id}/mailFolders/inbox`).get()).displayName, 'Inbox');
    assert.equal((await graph.api('/users/rex@acme.example/mailFolders/inbox').get()).displayName, 'Inbox');
    await fails(graph.api('/users/amy@acme.example/mailFolders/inbox').get(), 403, 'ErrorAccessDenied');
  });

  test('a body that is not JSON is a 400 in Graph error shape', async () => {
    const response = await graphFetch(sandbox, token, 'subscriptions', {
      method: 'POST',
      body: '{"changeType":',
    });
    assert.equal(response.status, 400);
    const body = await json(response);
    assert.equal(body.error.code, 'BadRequest');
    assert.match(body.error.message, /^Unable to read JSON request payload/);
  });

  test('unknown segments are 400 and wrong methods 405', async () => {
    await fails(graph.api('/me/mailboxSettingsz').get(), 400, 'BadRequest');
    await fails(graph.api('/me/mailFolders').delete(), 405, 'Request_BadRequest');
  });
});
