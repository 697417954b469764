/** What one viewer gets of threads through the API (list, detail, each message), and R15's assertions on it. */
import assert from 'node:assert/strict';
import type { KyselyPlugin, UnknownRow } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import { findVisibleMessage, findVisibleThread, listVisibleThreads } from '../../src/db/threads.ts';
import type { Viewer } from '../../src/db/visibility.ts';
import type { Access } from '../../src/domain/visibility.ts';
import type { TestApp } from './app.ts';

/** Keys that carry content: a viewer with `metadata` access must never receive them. */
export const CONTENT_KEYS = [
  'subject',
  'snippet',
  'bodyText',
  'bodyHtml',
  'attachments',
  'providerMessageId',
  'rfcMessageId',
  'truncated',
];

interface ListedThread {
  id: string;
  access: string;
  visibility: string;
  ownerUserId: string;
  subject?: string;
  messageCount: number;
  firstMessageAt: string | null;
  lastMessageAt: string | null;
  participants: { address: string; name?: string }[];
}

export interface View {
  listBody: string;
  listed: Map<string, ListedThread>;
  details: Map<string, { status: number; body: string }>;
  /** Each message of each of the ids, as `GET /api/messages/{id}` answers it, by thread id. */
  messages: Map<string, { status: number; body: string }[]>;
}

/** The viewer's thread list (every page) and the detail of each of `ids`. */
export async function viewOf(t: TestApp, token: string, ids: string[]): Promise<View> {
  const listed = new Map<string, ListedThread>();
  let listBody = '';
  let cursor: string | null = null;
  do {
    const page = await t.call(
      token,
      'GET',
      `/api/threads?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    assert.equal(page.statusCode, 200, page.body);
    listBody += page.body;
    const json: { threads: ListedThread[]; nextCursor: string | null } = page.json();
    for (const thread of json.threads) listed.set(thread.id, thread);
    cursor = json.nextCursor;
  } while (cursor);
  const details = new Map<string, { status: number; body: string }>();
  const messages = new Map<string, { status: number; body: string }[]>();
  for (const id of ids) {
    const detail = await t.call(token, 'GET', `/api/threads/${id}`);
    details.set(id, { status: detail.statusCode, body: detail.body });
    // The thread's message ids from the database itself: a viewer who may not see them has no other way.
    const stored = await t.database.db
      .selectFrom('messages')
      .select('id')
      .where('thread_id', '=', id)
      .execute();
    const answers = [];
    for (const message of stored) {
      const answer = await t.call(token, 'GET', `/api/messages/${message.id}`);
      answers.push({ status: answer.statusCode, body: answer.body });
    }
    messages.set(id, answers);
  }
  return { listBody, listed, details, messages };
}

function assertNoContentKeys(value: Record<string, unknown>, where: string): void {
  for (const key of CONTENT_KEYS) assert.equal(key in value, false, `${where} carries ${key}`);
}

/**
 * Asserts that the view shows thread `id` exactly as `access` allows: `none` (absent from the list, 404),
 * `metadata` (listed and readable without any content key, none of `secrets` anywhere), or `full` (every
 * secret in the detail).
 */
export function assertSeenAs(view: View, id: string, access: Access, secrets: string[]): void {
  const listed = view.listed.get(id);
  const detail = view.details.get(id);
  const messages = view.messages.get(id) ?? [];
  assert.ok(detail, 'the detail was read');
  if (access === 'full') {
    assert.equal(listed?.access, 'full', 'listed in full');
    assert.equal(detail.status, 200);
    for (const message of messages) {
      assert.equal(message.status, 200, message.body);
      assert.equal(JSON.parse(message.body).access, 'full');
    }
    // Bodies are read one message at a time; the thread shows the rest (subject, snippet, attachments, ids).
    const seen = detail.body + messages.map((message) => message.body).join('');
    for (const secret of secrets) assert.ok(seen.includes(secret), `the thread or a message shows ${secret}`);
    return;
  }
  for (const secret of secrets) {
    assert.equal(view.listBody.includes(secret), false, `the list reveals ${secret}`);
    assert.equal(detail.body.includes(secret), false, `the detail reveals ${secret}`);
    for (const message of messages) {
      assert.equal(message.body.includes(secret), false, `a message reveals ${secret}`);
    }
  }
  if (access === 'none') {
    assert.equal(listed, undefined, 'not listed');
    assert.equal(detail.status, 404);
    for (const message of messages) assert.equal(message.status, 404, 'a message answers 404');
    return;
  }
  for (const message of messages) {
    assert.equal(message.status, 200, message.body);
    const json = JSON.parse(message.body);
    assert.equal(json.access, 'metadata');
    assertNoContentKeys(json, 'a message read alone');
  }
  assert.ok(listed, 'listed');
  assert.equal(listed.access, 'metadata');
  assertNoContentKeys(listed as unknown as Record<string, unknown>, 'the listed thread');
  assert.equal(detail.status, 200);
  const json: { thread: Record<string, unknown>; messages: Record<string, unknown>[] } = JSON.parse(
    detail.body,
  );
  assertNoContentKeys(json.thread, 'the thread');
  assert.equal(json.messages.length, listed.messageCount, 'every message is listed');
  for (const message of json.messages) {
    assert.equal(message.access, 'metadata');
    assertNoContentKeys(message, 'a message');
  }
}

/**
 * The rows PostgreSQL itself returns when the db layer reads the thread list, each of `ids` and each of their messages for
 * `viewer`, as JSON: what the SQL selected, before any mapping in TypeScript.
 */
export async function rowsFromDatabase(db: Database, viewer: Viewer, ids: string[]): Promise<string> {
  const rows: UnknownRow[] = [];
  const capture: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      rows.push(...args.result.rows);
      return args.result;
    },
  };
  const captured = db.withPlugin(capture);
  await listVisibleThreads(captured, viewer, { limit: 500 });
  for (const id of ids) {
    await findVisibleThread(captured, viewer, id);
    const stored = await db.selectFrom('messages').select('id').where('thread_id', '=', id).execute();
    for (const message of stored) await findVisibleMessage(captured, viewer, message.id);
  }
  return JSON.stringify(rows);
}
