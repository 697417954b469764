import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type GraphError, PageIterator } from '@microsoft/microsoft-graph-client';
import {
  graphClient,
  graphFetch,
  type Json,
  json,
  microsoftSandbox,
  refreshTokens,
  signIn,
} from './helpers.ts';

const DAY = 24 * 60 * 60 * 1000;
const sandbox = await microsoftSandbox({ https: true, microsoft: { deltaTokenLifetimeMs: 7 * DAY } });
const IMMUTABLE = 'IdType="ImmutableId"';

/** A fresh mailbox, its Graph client, and a way to deliver into it. */
async function mailbox(email: string) {
  await sandbox.control.post('/microsoft/users', { email, name: email });
  const { access_token: token } = await signIn(sandbox, email);
  const deliver = (subject: string, extra: Record<string, unknown> = {}) =>
    sandbox.control.post<{ id: string; regularId: string }>(`/microsoft/mailboxes/${email}/deliver`, {
      from: { address: 'jane@gmail.com' },
      subject,
      text: subject,
      ...extra,
    });
  const control = (id: string, action: string, body?: unknown) =>
    sandbox.control.post<{ id: string; regularId: string }>(
      `/microsoft/mailboxes/${email}/messages/${id}/${action}`,
      body,
    );
  return { token, graph: graphClient(sandbox, token), deliver, control };
}

type Client = ReturnType<typeof graphClient>;

/** Follows a delta round to its deltaLink: every entry, the pages, and the link. */
async function round(graph: Client, url: string, prefer = '') {
  const items: Json[] = [];
  let pages = 0;
  let next: string | undefined = url;
  let deltaLink = '';
  while (next) {
    const request = graph.api(next);
    if (prefer) request.header('Prefer', prefer);
    const page = await request.get();
    pages += 1;
    items.push(...page.value);
    next = page['@odata.nextLink'];
    deltaLink = page['@odata.deltaLink'] ?? deltaLink;
  }
  return { items, pages, deltaLink };
}

const removed = (items: Json[]) => items.filter((item) => item['@removed']).map((item) => item.id);
const added = (items: Json[]) => items.filter((item) => !item['@removed']).map((item) => item.id);

describe('messages delta in a folder', () => {
  test('an initial round pages by odata.maxpagesize through opaque skip and delta tokens', async () => {
    const box = await mailbox('paging@acme.example');
    const sent = [];
    for (let i = 0; i < 5; i += 1) sent.push(await box.deliver(`Message ${i}`));
    const first = await graphFetch(
      sandbox,
      box.token,
      'me/mailFolders/inbox/messages/delta?$select=subject,from',
      {
        headers: { Prefer: `${IMMUTABLE}, odata.maxpagesize=2` },
      },
    );
    assert.equal(first.headers.get('preference-applied'), 'IdType="ImmutableId", odata.maxpagesize=2');
    const page = await json(first);
    assert.equal(page.value.length, 2);
    assert.equal(page['@odata.deltaLink'], undefined);
    assert.match(
      page['@odata.nextLink'],
      /\/microsoft\/graph\/v1\.0\/me\/mailfolders\('[^']+'\)\/messages\/delta\?\$skiptoken=/,
    );
    assert.deepEqual(Object.keys(page.value[0]), ['@odata.type', '@odata.etag', 'id', 'subject', 'from']);
    const rest = await round(box.graph, page['@odata.nextLink'], `${IMMUTABLE}, odata.maxpagesize=2`);
    assert.equal(rest.pages, 2);
    assert.deepEqual(
      [...added(page.value), ...added(rest.items)].sort(),
      sent.map((message) => message.id).sort(),
    );
    assert.ok(
      rest.items.every((item) => Object.keys(item).join() === '@odata.type,@odata.etag,id,subject,from'),
      '$select carries over',
    );
    assert.match(rest.deltaLink, /\?\$deltatoken=/);
  });

  test('the next round shows new mail added, and deleted or moved-out mail as @removed; the destination shows it added', async () => {
    const box = await mailbox('changes@acme.example');
    const keep = await box.deliver('Keep');
    const goner = await box.deliver('Delete me');
    const mover = await box.deliver('Move me');
    const start = await round(box.graph, '/me/mailFolders/inbox/messages/delta', IMMUTABLE);
    assert.equal(start.items.length, 3);
    const archiveStart = await round(box.graph, '/me/mailFolders/archive/messages/delta', IMMUTABLE);
    assert.deepEqual(archiveStart.items, []);
    const fresh = await box.deliver('New');
    await box.control(goner.id, 'delete');
    await box.control(mover.id, 'archive');
    const next = await round(box.graph, start.deltaLink, IMMUTABLE);
    assert.deepEqual(added(next.items), [fresh.id]);
    assert.deepEqual(removed(next.items).sort(), [goner.id, mover.id].sort());
    assert.deepEqual(next.items.find((item) => item['@removed'])?.['@removed'], { reason: 'deleted' });
    assert.ok(!next.items.some((item) => item.id === keep.id), 'unchanged mail is not repeated');
    const archive = await round(box.graph, archiveStart.deltaLink, IMMUTABLE);
    assert.deepEqual(added(archive.items), [mover.id]);
    const quiet = await round(box.graph, next.deltaLink, IMMUTABLE);
    assert.deepEqual(quiet.items, []);
  });

  test('without immutable ids, @removed names the regular id the caller knew, and the moved copy has a new one', async () => {
    const box = await mailbox('regular@acme.example');
    const mover = await box.deliver('Move me');
    const start = await round(box.graph, '/me/mailFolders/inbox/messages/delta');
    assert.deepEqual(added(start.items), [mover.regularId]);
    const archiveStart = await round(box.graph, '/me/mailFolders/archive/messages/delta');
    const moved = await box.graph
      .api(`/me/messages/${mover.regularId}/move`)
      .post({ destinationId: 'archive' });
    const inbox = await round(box.graph, start.deltaLink);
    assert.deepEqual(removed(inbox.items), [mover.regularId]);
    const archive = await round(box.graph, archiveStart.deltaLink);
    assert.deepEqual(added(archive.items), [moved.id]);
    assert.notEqual(moved.id, mover.regularId);
  });

  test('a Graph DELETE shows as @removed in the folder it left', async () => {
    const box = await mailbox('graphdelete@acme.example');
    const message = await box.deliver('Bye');
    const start = await round(box.graph, '/me/mailFolders/inbox/messages/delta', IMMUTABLE);
    await box.graph.api(`/me/messages/${message.id}`).delete();
    const next = await round(box.graph, start.deltaLink, IMMUTABLE);
    assert.deepEqual(removed(next.items), [message.id]);
  });

  test('a delta link may be replayed: the same changes come again', async () => {
    const box = await mailbox('replay@acme.example');
    const start = await round(box.graph, '/me/mailFolders/inbox/messages/delta', IMMUTABLE);
    const fresh = await box.deliver('Once');
    const first = await round(box.graph, start.deltaLink, IMMUTABLE);
    const again = await round(box.graph, start.deltaLink, IMMUTABLE);
    assert.deepEqual(added(first.items), [fresh.id]);
    assert.deepEqual(added(again.items), [fresh.id]);
  });

  test('$filter=receivedDateTime ge keeps newer mail only; other filters are refused', async () => {
    const box = await mailbox('filter@acme.example');
    await box.deliver('Old', { date: '2026-01-01T00:00:00Z' });
    const recent = await box.deliver('Recent', { date: '2026-06-01T00:00:00Z' });
    const since = await round(
      box.graph,
      '/me/mailFolders/inbox/messages/delta?$filter=receivedDateTime ge 2026-03-01T00:00:00Z',
      IMMUTABLE,
    );
    assert.deepEqual(added(since.items), [recent.id]);
    const later = await box.deliver('Later', { date: '2026-07-01T00:00:00Z' });
    await box.deliver('Backdated', { date: '2025-12-01T00:00:00Z' });
    const next = await round(box.graph, since.deltaLink, IMMUTABLE);
    assert.deepEqual(added(next.items), [later.id], 'the filter is carried in the token');
    await assert.rejects(
      box.graph.api('/me/mailFolders/inbox/messages/delta').filter("subject eq 'Old'").get(),
      (error: GraphError) => error.statusCode === 400 && error.code === 'ErrorInvalidUrlQueryFilter',
    );
  });

  test('$orderby=receivedDateTime desc orders the initial round newest first', async () => {
    const box = await mailbox('order@acme.example');
    const a = await box.deliver('A', { date: '2026-02-01T00:00:00Z' });
    const b = await box.deliver('B', { date: '2026-04-01T00:00:00Z' });
    const c = await box.deliver('C', { date: '2026-03-01T00:00:00Z' });
    const ordered = await round(
      box.graph,
      '/me/mailFolders/inbox/messages/delta?$orderby=receivedDateTime desc',
      IMMUTABLE,
    );
    assert.deepEqual(added(ordered.items), [b.id, c.id, a.id]);
  });

  test('changeType=created reports only mail that arrived', async () => {
    const box = await mailbox('created@acme.example');
    const old = await box.deliver('Old');
    const start = await round(
      box.graph,
      '/me/mailFolders/inbox/messages/delta?changeType=created',
      IMMUTABLE,
    );
    const fresh = await box.deliver('Fresh');
    await box.control(old.id, 'trash');
    const next = await round(box.graph, start.deltaLink, IMMUTABLE);
    assert.deepEqual(
      next.items.map((item) => item.id),
      [fresh.id],
    );
  });

  test("the SDK's PageIterator walks the pages and hands back the delta link", async () => {
    const box = await mailbox('iterator@acme.example');
    for (let i = 0; i < 7; i += 1) await box.deliver(`Iterate ${i}`);
    const seen: string[] = [];
    const options = { headers: { Prefer: `${IMMUTABLE}, odata.maxpagesize=3` } };
    const first = await box.graph
      .api('/me/mailFolders/inbox/messages/delta')
      .header('Prefer', options.headers.Prefer)
      .get();
    const iterator = new PageIterator(
      box.graph,
      first,
      (item: { id: string }) => {
        seen.push(item.id);
        return true;
      },
      options,
    );
    await iterator.iterate();
    assert.equal(seen.length, 7);
    assert.match(iterator.getDeltaLink() ?? '', /\$deltatoken=/);
  });
});

describe('an initial round while the folder changes', () => {
  for (const order of ['', '?$orderby=receivedDateTime desc']) {
    test(`mail leaving the folder mid-round shifts nothing: every message still there is listed once${order ? ' (newest first)' : ''}`, async () => {
      const box = await mailbox(`midround${order ? '-desc' : ''}@acme.example`);
      const sent = [];
      for (let i = 0; i < 9; i += 1)
        sent.push(await box.deliver(`Message ${i}`, { date: `2026-03-0${i + 1}T00:00:00Z` }));
      const prefer = `${IMMUTABLE}, odata.maxpagesize=3`;
      const first = await box.graph
        .api(`/me/mailFolders/inbox/messages/delta${order}`)
        .header('Prefer', prefer)
        .get();
      const listed: string[] = added(first.value);
      // Two messages of the page already sent leave the folder (trashed, deleted) before the next page.
      await box.control(listed[0] as string, 'trash');
      await box.control(listed[1] as string, 'delete');
      const rest = await round(box.graph, first['@odata.nextLink'], prefer);
      listed.push(...added(rest.items));
      assert.equal(new Set(listed).size, listed.length, 'no message twice');
      assert.deepEqual(listed.sort(), sent.map((message) => message.id).sort());
      // The next round reports the two that left.
      const next = await round(box.graph, rest.deltaLink, prefer);
      assert.deepEqual(removed(next.items).sort(), [first.value[0].id, first.value[1].id].sort());
    });
  }
});

describe('delta tokens expire with 410 SyncStateNotFound', () => {
  const gone = (error: GraphError) => {
    assert.equal(error.statusCode, 410);
    assert.equal(error.code, 'SyncStateNotFound');
    assert.match(error.message, /^The sync state generation is not found/);
    return true;
  };

  test('after expire-cursors, every delta and skip token of the mailbox is gone', async () => {
    const box = await mailbox('expire@acme.example');
    for (let i = 0; i < 3; i += 1) await box.deliver(`Mail ${i}`);
    const first = await box.graph
      .api('/me/mailFolders/inbox/messages/delta')
      .header('Prefer', 'odata.maxpagesize=1')
      .get();
    const done = await round(box.graph, '/me/mailFolders/archive/messages/delta');
    await sandbox.control.post('/microsoft/mailboxes/expire@acme.example/expire-cursors');
    await assert.rejects(box.graph.api(first['@odata.nextLink']).get(), gone);
    await assert.rejects(box.graph.api(done.deltaLink).get(), gone);
    const restart = await round(box.graph, '/me/mailFolders/inbox/messages/delta');
    assert.equal(restart.items.length, 3, 'a new round starts over');
  });

  test('after the configured lifetime since the token was issued', async () => {
    await sandbox.control.post('/microsoft/users', { email: 'lifetime@acme.example', name: 'Lifetime' });
    let tokens = await signIn(sandbox, 'lifetime@acme.example');
    const done = await round(
      graphClient(sandbox, tokens.access_token),
      '/me/mailFolders/inbox/messages/delta',
    );
    await sandbox.control.post('/clock', { advanceMs: 6 * DAY });
    tokens = await refreshTokens(sandbox, tokens.refresh_token ?? '');
    const graph = graphClient(sandbox, tokens.access_token);
    const kept = await round(graph, done.deltaLink);
    await sandbox.control.post('/clock', { advanceMs: 2 * DAY });
    tokens = await refreshTokens(sandbox, tokens.refresh_token ?? '');
    const later = graphClient(sandbox, tokens.access_token);
    await assert.rejects(later.api(done.deltaLink).get(), gone);
    assert.deepEqual((await round(later, kept.deltaLink)).items, [], 'a link issued 2 days ago still works');
  });

  test("the 410 carries a Location to restart from: a fresh round with the lost round's query", async () => {
    const box = await mailbox('location@acme.example');
    await box.deliver('Old', { date: '2026-01-01T00:00:00Z' });
    await box.deliver('New', { date: '2026-06-01T00:00:00Z' });
    const done = await round(
      box.graph,
      '/me/mailFolders/inbox/messages/delta?$select=subject&$filter=receivedDateTime ge 2026-03-01T00:00:00Z',
    );
    assert.equal(done.items.length, 1);
    await sandbox.control.post('/microsoft/mailboxes/location@acme.example/expire-cursors');
    const response = await graphFetch(
      sandbox,
      box.token,
      done.deltaLink.slice(done.deltaLink.indexOf('/v1.0/') + 6),
    );
    assert.equal(response.status, 410);
    const location = response.headers.get('location') ?? '';
    assert.match(location, /\/v1\.0\/me\/mailFolders\('[^']+'\)\/messages\/delta\?/);
    assert.ok(!/deltatoken|skiptoken/i.test(location), location);
    const restarted = await round(box.graph, location);
    assert.deepEqual(
      restarted.items.map((item) =>
        Object.keys(item)
          .filter((key) => !key.startsWith('@'))
          .sort(),
      ),
      [['id', 'subject']],
      'the same $select and $filter: only the newer message, with its subject',
    );
    const garbage = await graphFetch(
      sandbox,
      box.token,
      'me/mailFolders/inbox/messages/delta?$deltatoken=bm90LWEtdG9rZW4.AAAAAAAAAAAAAAAAAAAAAA',
    );
    assert.equal(garbage.status, 410);
    assert.match(garbage.headers.get('location') ?? '', /\/messages\/delta$/);
  });

  test('a token that was never issued', async () => {
    const box = await mailbox('garbage@acme.example');
    await assert.rejects(
      box.graph
        .api('/me/mailFolders/inbox/messages/delta?$deltatoken=bm90LWEtdG9rZW4.AAAAAAAAAAAAAAAAAAAAAA')
        .get(),
      gone,
    );
  });
});
