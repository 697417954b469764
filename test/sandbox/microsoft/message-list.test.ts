import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { graphFetch, json, microsoftSandbox, signIn } from './helpers.ts';

const sandbox = await microsoftSandbox({ https: true });
await sandbox.control.post('/microsoft/users', { email: 'lee@acme.example', name: 'Lee' });
const { access_token: token } = await signIn(sandbox, 'lee@acme.example');

const deliver = (kind: string, body: Record<string, unknown>) =>
  sandbox.control.post<{ id: string; messageId: string }>(
    `/microsoft/mailboxes/lee@acme.example/${kind}`,
    body,
  );
const list = async (query: Record<string, string>) =>
  graphFetch(sandbox, token, `me/messages?${new URLSearchParams(query)}`);

describe('Graph GET /me/messages', () => {
  test('$filter=internetMessageId eq finds one message in any folder, Junk Email included', async () => {
    const inbox = await deliver('deliver', {
      from: { address: 'a@people.example' },
      subject: 'in',
      text: 'x',
    });
    const junk = await deliver('spam', { from: { address: 'b@people.example' }, subject: 'junk', text: 'x' });
    for (const message of [inbox, junk]) {
      const response = await list({
        $filter: `internetMessageId eq '${message.messageId}'`,
        $select: 'id,internetMessageId,parentFolderId',
      });
      assert.equal(response.status, 200);
      const body = (await json(response)) as { value: { id: string; internetMessageId: string }[] };
      assert.equal(body.value.length, 1);
      assert.equal(body.value[0]?.internetMessageId, message.messageId);
    }
    const none = (await json(await list({ $filter: "internetMessageId eq '<nobody@nowhere.example>'" }))) as {
      value: unknown[];
    };
    assert.deepEqual(none.value, []);
  });

  test('a quote in the literal is doubled, and a filter that is not that clause is refused', async () => {
    const quoted = (await json(await list({ $filter: "internetMessageId eq '<a''b@x.example>'" }))) as {
      value: unknown[];
    };
    assert.deepEqual(quoted.value, []);
    for (const filter of [
      "internetMessageId eq 'x' or true",
      "internetMessageId eq 'x' and subject eq 'junk'",
      "internetMessageId eq 'x",
      "subject eq 'junk'",
    ]) {
      const response = await list({ $filter: filter });
      assert.equal(response.status, 400, filter);
    }
  });

  test('lists newest first with $top and a nextLink, and selecting no body reads no body', async () => {
    const reads = async () =>
      (await sandbox.control.get<{ ids: string[] }>('/microsoft/mailboxes/lee@acme.example/body-reads')).ids
        .length;
    const before = await reads();
    const first = (await json(await list({ $top: '1', $select: 'id,subject' }))) as {
      value: { subject: string }[];
      '@odata.nextLink'?: string;
    };
    assert.equal(first.value.length, 1);
    assert.equal(first.value[0]?.subject, 'junk');
    assert.ok(first['@odata.nextLink']?.includes('%24skip=1'));
    assert.equal(await reads(), before);
  });
});
