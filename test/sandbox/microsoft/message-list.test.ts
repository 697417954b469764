import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type GraphError, PageIterator } from '@microsoft/microsoft-graph-client';
import { graphClient, graphFetch, json, microsoftSandbox, signIn } from './helpers.ts';

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

describe('Graph message lists through the official client (conformance)', () => {
  // Another mailbox than Lee's, so the listings below see only these messages.
  const owner = 'max@acme.example';
  const at = (day: number) => `2026-03-${String(day).padStart(2, '0')}T09:00:00Z`;
  let graph: ReturnType<typeof graphClient>;
  let delivered: { id: string; messageId: string }[] = [];

  before(async () => {
    await sandbox.control.post('/microsoft/users', { email: owner, name: 'Max' });
    graph = graphClient(sandbox, (await signIn(sandbox, owner)).access_token);
    delivered = [];
    for (let day = 1; day <= 12; day += 1) {
      delivered.push(
        await sandbox.control.post<{ id: string; messageId: string }>(
          `/microsoft/mailboxes/${owner}/${day === 12 ? 'spam' : 'deliver'}`,
          {
            from: { address: day % 3 === 0 ? 'Jane@People.example' : 'bob@people.example' },
            subject: `day ${day}`,
            text: 'x',
            date: at(day),
          },
        ),
      );
    }
  });

  test('PageIterator walks /me/messages page by page through @odata.nextLink, newest first', async () => {
    const first = await graph.api('/me/messages').select('id,subject,receivedDateTime').top(5).get();
    assert.equal(first.value.length, 5);
    assert.ok(first['@odata.nextLink'], 'a next link');
    const subjects: string[] = [];
    const iterator = new PageIterator(graph, first, (message: { subject: string }) => {
      subjects.push(message.subject);
      return true;
    });
    await iterator.iterate();
    assert.deepEqual(
      subjects,
      Array.from({ length: 12 }, (_, i) => `day ${12 - i}`),
      'every message once, the Junk Email one too',
    );
    assert.ok(iterator.isComplete());
  });

  test('$filter on receivedDateTime (ge/le/gt/lt) and from/emailAddress/address, $orderby, $skip', async () => {
    const subjectsOf = (response: { value: { subject: string }[] }) => response.value.map((m) => m.subject);
    const window = await graph
      .api('/me/messages')
      .filter(`receivedDateTime ge ${at(3)} and receivedDateTime lt ${at(6)}`)
      .orderby('receivedDateTime asc')
      .select('subject')
      .get();
    assert.deepEqual(subjectsOf(window), ['day 3', 'day 4', 'day 5']);
    const strict = await graph
      .api('/me/messages')
      .filter(`receivedDateTime gt ${at(10)} and receivedDateTime le ${at(11)}`)
      .select('subject')
      .get();
    assert.deepEqual(subjectsOf(strict), ['day 11']);
    const fromJane = await graph
      .api('/me/messages')
      .filter("from/emailAddress/address eq 'jane@people.example'")
      .select('subject,from')
      .get();
    assert.deepEqual(subjectsOf(fromJane), ['day 12', 'day 9', 'day 6', 'day 3']);
    assert.equal(fromJane.value[0].from.emailAddress.address.toLowerCase(), 'jane@people.example');
    const skipped = await graph.api('/me/messages').select('subject').skip(10).top(5).get();
    assert.deepEqual(subjectsOf(skipped), ['day 2', 'day 1']);
    assert.equal(skipped['@odata.nextLink'], undefined);
  });

  test('/me/mailFolders/{id}/messages lists one folder, and pages the same way', async () => {
    const inbox = await graph
      .api("/me/mailFolders('inbox')/messages")
      .select('subject,parentFolderId')
      .top(10)
      .get();
    assert.equal(inbox.value.length, 10);
    assert.ok(!inbox.value.some((message: { subject: string }) => message.subject === 'day 12'));
    const rest = await graph.api(inbox['@odata.nextLink']).get();
    assert.deepEqual(
      rest.value.map((message: { subject: string }) => message.subject),
      ['day 1'],
    );
    const junk = await graph.api('/me/mailFolders/junkemail/messages').select('subject').get();
    assert.deepEqual(
      junk.value.map((message: { subject: string }) => message.subject),
      ['day 12'],
    );
  });

  test('an unsupported $filter or a sort the filter does not lead with answers Graph’s 400, never an empty list', async () => {
    for (const filter of [
      "subject eq 'day 1'",
      "from/emailAddress/address eq 'a@x.example' or from/emailAddress/address eq 'b@x.example'",
      "contains(subject, 'day')",
      `receivedDateTime ge ${at(1)} and not isRead`,
    ]) {
      await assert.rejects(graph.api('/me/messages').filter(filter).get(), (error: GraphError) => {
        assert.equal(error.statusCode, 400, filter);
        assert.equal(error.code, 'ErrorInvalidUrlQueryFilter');
        return true;
      });
    }
    for (const request of [
      graph.api('/me/messages').search('"day 1"'),
      graph.api('/me/messages').count(true),
    ]) {
      await assert.rejects(request.get(), (error: GraphError) => error.statusCode === 400);
    }
    await assert.rejects(
      graph
        .api('/me/messages')
        .filter("from/emailAddress/address eq 'jane@people.example'")
        .orderby('receivedDateTime desc')
        .get(),
      (error: GraphError) => error.statusCode === 400 && error.code === 'InefficientFilter',
    );
  });
});
