import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { AUDIT_ACTIONS } from '../../src/db/audit.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox, type Mailbox } from '../support/sync.ts';

const t = await providerTest();
const { db } = t.database;

const unique = () => randomUUID().slice(0, 8);

interface Event {
  id: string;
  at: string;
  actorUserId: string | null;
  action: string;
  details: Record<string, unknown>;
}

/** Every page of `url` (which has a query string) as `token` reads it, following the cursors. */
async function allPages<T>(token: string, url: string, key: string): Promise<T[]> {
  const seen: T[] = [];
  let cursor: string | null = null;
  do {
    const page = await t.call(token, 'GET', `${url}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(page.statusCode, 200, page.body);
    seen.push(...page.json()[key]);
    cursor = page.json().nextCursor;
  } while (cursor);
  return seen;
}

/** A candidate's mail synced into `box`, its thread's id. */
async function candidateThread(box: Mailbox, address: string, tag: string): Promise<string> {
  await box.deliver({
    from: { name: 'Ada Candidate', address },
    to: [{ address: box.recruiter.email }],
    subject: `subject-${tag}`,
    text: `body-${tag}`,
  });
  await box.sync();
  const thread = (await box.threads()).find((found) => found.subject === `subject-${tag}`);
  assert.ok(thread);
  return thread.id;
}

describe('audit log', () => {
  it('R15: admins read their organization’s log newest first, keyset-paginated, filtered by action and time; never another organization’s; only admins', async () => {
    const box = await connectedMailbox(t, 'google', `audit-${unique()}.example`);
    const address = `ada.${unique()}@candidates.example`;
    await t.member({ emails: [address] });
    const threadId = await candidateThread(box, address, `audit-${unique()}`);
    for (const visibility of ['metadata', 'organization', 'private']) {
      const set = await t.call(box.recruiter.token, 'PUT', `/api/threads/${threadId}/visibility`, {
        visibility,
      });
      assert.equal(set.statusCode, 200);
    }
    const middle = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal((await t.call(box.recruiter.token, 'DELETE', '/api/connection')).statusCode, 200);
    await t.call(box.admin.token, 'PATCH', '/api/organization', { backfillDays: 3 });

    const all = await allPages<Event>(box.admin.token, '/api/organization/audit?limit=2', 'events');
    const stored = await db
      .selectFrom('audit_events')
      .select(['id', 'action'])
      .where('org_id', '=', box.orgId)
      .orderBy('id', 'desc')
      .execute();
    assert.deepEqual(
      all.map((event) => [event.id, event.action]),
      stored.map((row) => [String(row.id), row.action]),
      'every event once, newest first, across pages of two',
    );
    assert.deepEqual([...new Set(all.map((event) => event.action))].sort(), [
      'mailbox_connected',
      'mailbox_disconnected',
      'provider_changed',
      'settings_changed',
      'thread_visibility_changed',
    ]);

    const visibility = await allPages<Event>(
      box.admin.token,
      '/api/organization/audit?limit=1&action=thread_visibility_changed',
      'events',
    );
    assert.deepEqual(
      visibility.map((event) => event.details.to),
      ['private', 'organization', 'metadata'],
    );
    const two = (
      await t.call(
        box.admin.token,
        'GET',
        '/api/organization/audit?action=mailbox_connected&action=mailbox_disconnected',
      )
    ).json().events as Event[];
    assert.deepEqual(
      two.map((event) => event.action),
      ['mailbox_disconnected', 'mailbox_connected'],
    );
    const later = (
      await t.call(
        box.admin.token,
        'GET',
        `/api/organization/audit?from=${encodeURIComponent(middle.toISOString())}`,
      )
    ).json().events as Event[];
    assert.deepEqual(
      later.map((event) => event.action),
      ['settings_changed', 'mailbox_disconnected'],
    );
    const earlier = (
      await t.call(
        box.admin.token,
        'GET',
        `/api/organization/audit?to=${encodeURIComponent(middle.toISOString())}`,
      )
    ).json().events as Event[];
    assert.equal(earlier.length, all.length - 2);

    const other = await t.organization();
    const theirs = (await t.call(other.admin.token, 'GET', '/api/organization/audit')).json()
      .events as Event[];
    assert.deepEqual(theirs, [], 'another organization’s log holds none of these');
    const first = (await t.call(box.admin.token, 'GET', '/api/organization/audit?limit=1')).json();
    const foreign = await t.call(
      other.admin.token,
      'GET',
      `/api/organization/audit?limit=1&cursor=${encodeURIComponent(first.nextCursor)}`,
    );
    assert.equal(foreign.statusCode, 400, 'a cursor opens only for whom it was sealed');
    assert.equal((await t.call(box.recruiter.token, 'GET', '/api/organization/audit')).statusCode, 403);
    const unknown = await t.call(box.admin.token, 'GET', '/api/organization/audit?action=tea_made');
    assert.equal(unknown.statusCode, 400, 'actions are a documented list');
  });

  it('R16: provider changes, connects, disconnects, visibility changes, erasures and exports are all audited, and no event holds a subject or body word', async () => {
    const box = await connectedMailbox(t, 'microsoft', `audit-all-${unique()}.example`);
    const address = `ada.${unique()}@candidates.example`;
    const member = await t.member({ emails: [address] });
    const tag = `secret-${unique()}`;
    const threadId = await candidateThread(box, address, tag);
    const other = await candidateThread(box, address, `${tag}-other`);
    await t.call(box.recruiter.token, 'PUT', `/api/threads/${threadId}/visibility`, {
      visibility: 'metadata',
    });
    assert.equal((await t.call(member.token, 'GET', '/api/me/export')).statusCode, 200);
    assert.equal((await t.call(box.recruiter.token, 'DELETE', `/api/threads/${other}`)).statusCode, 200);
    assert.equal((await t.call(member.token, 'POST', '/api/me/erasure')).statusCode, 200);
    assert.equal((await t.call(box.recruiter.token, 'DELETE', '/api/connection')).statusCode, 200);
    await t.call(box.admin.token, 'PATCH', '/api/organization', { provider: 'none' });

    const events = await allPages<Event>(box.admin.token, '/api/organization/audit?limit=500', 'events');
    const actions = new Set(events.map((event) => event.action));
    for (const action of [
      'provider_changed',
      'mailbox_connected',
      'mailbox_disconnected',
      'thread_visibility_changed',
      'thread_erased',
      'member_mail_erased',
      'member_mail_exported',
    ]) {
      assert.ok(actions.has(action), `${action} is audited`);
    }
    for (const event of events) assert.ok((AUDIT_ACTIONS as readonly string[]).includes(event.action));
    const text = JSON.stringify(events).toLowerCase();
    for (const word of [tag, 'subject-', 'body-', address, 'ada candidate']) {
      assert.equal(text.includes(word.toLowerCase()), false, `no event holds ${word}`);
    }
  });

  it('R16: the operator reads members’ erasures and exports newest first, paginated, by kind, member and time; nobody else may', async () => {
    const box = await connectedMailbox(t, 'google', `audit-op-${unique()}.example`);
    const operator = await t.operator();
    const address = `ada.${unique()}@candidates.example`;
    const member = await t.member({ emails: [address] });
    await candidateThread(box, address, `op-${unique()}`);
    const since = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const exported = await t.call(operator, 'GET', `/api/members/${member.id}/export`);
    const exportId = exported.json().exportId;
    const erased = (await t.call(member.token, 'POST', '/api/me/erasure')).json();
    assert.equal((await t.call(member.token, 'GET', '/api/me/export')).statusCode, 200);

    const mine = await allPages<Record<string, unknown>>(
      operator,
      `/api/operator/audit?limit=1&memberId=${member.id}`,
      'events',
    );
    assert.deepEqual(
      mine.map((event) => [event.kind, event.requestedBy]),
      [
        ['export', 'member'],
        ['erasure', 'member'],
        ['export', 'operator'],
      ],
    );
    const [, erasure, first] = mine;
    assert.deepEqual(
      { id: erasure?.id, messages: erasure?.messages, organizationIds: erasure?.organizationIds },
      { id: erased.erasureId, messages: 1, organizationIds: [box.orgId] },
    );
    assert.deepEqual(
      { id: first?.id, messages: first?.messages, inmailMessages: first?.inmailMessages },
      { id: exportId, messages: 1, inmailMessages: 0 },
    );
    assert.ok(first?.finishedAt, 'the download ended');
    const erasures = (
      await t.call(operator, 'GET', `/api/operator/audit?kind=erasure&memberId=${member.id}`)
    ).json().events;
    assert.deepEqual(
      erasures.map((event: { id: string }) => event.id),
      [erased.erasureId],
    );
    const before = (
      await t.call(
        operator,
        'GET',
        `/api/operator/audit?memberId=${member.id}&to=${encodeURIComponent(since.toISOString())}`,
      )
    ).json().events;
    assert.deepEqual(before, []);
    assert.equal(JSON.stringify(mine).includes(address), false, 'no address');
    for (const token of [box.admin.token, member.token]) {
      assert.equal((await t.call(token, 'GET', '/api/operator/audit')).statusCode, 403);
    }
  });
});
