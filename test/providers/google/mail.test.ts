import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderError } from '../../../src/providers/errors.ts';
import { createGoogleMail } from '../../../src/providers/google/mail.ts';
import type { MailCursor } from '../../../src/providers/types.ts';
import { drain, googleTest, many } from './helpers.ts';

const t = await googleTest();
const HOUR = 3_600_000;

const kindOf = (kind: string) => (error: unknown) => error instanceof ProviderError && error.kind === kind;

describe('Gmail changes: anchor and catch-up', () => {
  it('R9: mail delivered or sent after the anchor is reported as upserts', async () => {
    const box = await t.mailbox();
    const cursor = await t.mail.anchor(box.token, await t.now());
    const caughtUp = await drain(t.mail, box.token, cursor);
    assert.deepEqual(caughtUp.changes, []);
    const received = await box.deliver({ subject: 'Application', text: 'cv attached' });
    const sent = await box.send({
      to: [{ address: 'jane@gmail.com' }],
      subject: 'Re: Application',
      text: 'ok',
    });
    const after = await drain(t.mail, box.token, caughtUp.cursor);
    assert.deepEqual(after.changes, [
      { kind: 'upsert', id: received.id },
      { kind: 'upsert', id: sent.id },
    ]);
    assert.equal(after.pages, 1);
  });

  it('R9: mail received before the anchor is not reported, unless `since` reaches back to it', async () => {
    const box = await t.mailbox();
    const now = await t.now();
    const old = await box.deliver({ subject: 'Old', text: 'o', date: new Date(now.getTime() - 2 * HOUR) });
    const fresh = await drain(t.mail, box.token, await t.mail.anchor(box.token, now));
    assert.deepEqual(fresh.changes, []);
    const backfill = await drain(
      t.mail,
      box.token,
      await t.mail.anchor(box.token, new Date(now.getTime() - 3 * HOUR)),
    );
    assert.deepEqual(backfill.changes, [{ kind: 'upsert', id: old.id }]);
  });

  it('lists the catch-up in pages of 500, then reads history from the anchor', async () => {
    const box = await t.mailbox();
    const now = await t.now();
    const ids = await many(520, async (i) => (await box.deliver({ subject: `Backlog ${i}`, text: 'b' })).id);
    await t.sandbox.control.del('/counters');
    const first = await t.mail.changes(
      box.token,
      await t.mail.anchor(box.token, new Date(now.getTime() - HOUR)),
    );
    assert.equal(first.changes.length, 500);
    assert.equal(first.more, true);
    const second = await t.mail.changes(box.token, first.cursor);
    assert.equal(second.changes.length, 20);
    assert.equal(second.more, true, 'history since the anchor is read next');
    const third = await t.mail.changes(box.token, second.cursor);
    assert.deepEqual(third, { changes: [], cursor: third.cursor, more: false });
    const listed = [...first.changes, ...second.changes];
    assert.ok(listed.every((change) => change.kind === 'upsert'));
    assert.deepEqual(new Set(listed.map((change) => change.id)), new Set(ids));
    const spent = await t.spent(box.email);
    assert.equal(spent['gmail.users.messages.list']?.calls, 2);
    assert.equal(spent['gmail.users.history.list']?.calls, 1);
  });

  it('catches up on mail arriving between the anchor and the listing (listed and in history: twice, never lost)', async () => {
    const box = await t.mailbox();
    const cursor = await t.mail.anchor(box.token, await t.now());
    const during = await box.deliver({ subject: 'During catch-up', text: 'd' });
    const { changes } = await drain(t.mail, box.token, cursor);
    assert.deepEqual(changes, [
      { kind: 'upsert', id: during.id },
      { kind: 'upsert', id: during.id },
    ]);
  });
});

describe('Gmail changes: what each mailbox change means', () => {
  async function watched() {
    const box = await t.mailbox();
    const { cursor } = await drain(t.mail, box.token, await t.mail.anchor(box.token, await t.now()));
    const message = await box.deliver({ subject: 'Interview', text: 'i' });
    const added = await drain(t.mail, box.token, cursor);
    assert.deepEqual(added.changes, [{ kind: 'upsert', id: message.id }]);
    return { box, message, cursor: added.cursor };
  }

  it('R13: moving to Trash is reported as a delete, and restoring from Trash as an upsert', async () => {
    const { box, message, cursor } = await watched();
    await box.act(message.id, 'trash');
    const trashed = await drain(t.mail, box.token, cursor);
    assert.deepEqual(trashed.changes, [{ kind: 'delete', id: message.id }]);
    await box.act(message.id, 'restore');
    const restored = await drain(t.mail, box.token, trashed.cursor);
    assert.deepEqual(restored.changes, [{ kind: 'upsert', id: message.id }]);
  });

  it('R13: deleting for good is reported as a delete', async () => {
    const { box, message, cursor } = await watched();
    await box.act(message.id, 'delete');
    assert.deepEqual((await drain(t.mail, box.token, cursor)).changes, [{ kind: 'delete', id: message.id }]);
  });

  it('archiving, moving to a folder, labelling, reading and marking as spam change nothing', async () => {
    const { box, message, cursor } = await watched();
    await box.act(message.id, 'archive');
    await box.act(message.id, 'move', { folder: 'Candidates' });
    await box.act(message.id, 'labels', { add: ['STARRED'], remove: ['UNREAD'] });
    await box.act(message.id, 'labels', { add: ['SPAM'] });
    const { changes, cursor: next } = await drain(t.mail, box.token, cursor);
    assert.deepEqual(changes, []);
    assert.ok(BigInt(String(next.historyId)) > BigInt(String(cursor.historyId)), 'the cursor still moves on');
  });

  it('collapses the changes to one message within a page to the last one, in record order', async () => {
    const { box, cursor } = await watched();
    const gone = await box.deliver({ subject: 'Added then trashed', text: 'a' });
    const back = await box.deliver({ subject: 'Trashed then restored', text: 'b' });
    const deleted = await box.deliver({ subject: 'Added then deleted', text: 'c' });
    await box.act(gone.id, 'trash');
    await box.act(back.id, 'trash');
    await box.act(back.id, 'restore');
    await box.act(deleted.id, 'delete');
    assert.deepEqual((await drain(t.mail, box.token, cursor)).changes, [
      { kind: 'delete', id: gone.id },
      { kind: 'upsert', id: back.id },
      { kind: 'delete', id: deleted.id },
    ]);
  });
});

describe('Gmail changes: paging, restarts and expiry', () => {
  it('resumes a paged history from the stored cursor after a restart: exactly the rest, no gap, no repeat', async () => {
    const box = await t.mailbox();
    const { cursor } = await drain(t.mail, box.token, await t.mail.anchor(box.token, await t.now()));
    const ids = await many(530, async (i) => (await box.deliver({ subject: `Burst ${i}`, text: 'x' })).id);
    const first = await t.mail.changes(box.token, cursor);
    assert.equal(first.changes.length, 500);
    assert.equal(first.more, true);
    const stored = JSON.parse(JSON.stringify(first.cursor)) as MailCursor;
    assert.deepEqual(Object.keys(stored), ['historyId'], 'a record id, not a page token');
    const restarted = createGoogleMail(t.config);
    const rest = await drain(restarted, box.token, stored);
    assert.equal(rest.changes.length, 30);
    const seen = [...first.changes, ...rest.changes].map((change) => change.id);
    assert.equal(new Set(seen).size, 530);
    assert.deepEqual(new Set(seen), new Set(ids));
  });

  it('compares history ids as numbers when they gain a digit (99999999 → 100000000)', async () => {
    const box = await t.mailbox();
    const anchored = await t.mail.anchor(box.token, await t.now());
    const { cursor } = await drain(t.mail, box.token, anchored);
    assert.equal(String(cursor.historyId).length, 8);
    const ids = await many(600, async (i) => (await box.deliver({ subject: `Digit ${i}`, text: 'd' })).id);
    const after = await drain(t.mail, box.token, cursor);
    assert.equal(String(after.cursor.historyId).length, 9);
    assert.deepEqual(new Set(after.changes.map((change) => change.id)), new Set(ids));
    const last = await box.deliver({ subject: 'After the digit', text: 'l' });
    assert.deepEqual((await drain(t.mail, box.token, after.cursor)).changes, [
      { kind: 'upsert', id: last.id },
    ]);
  });

  it('reports a history id past retention as cursor_expired', async () => {
    const box = await t.mailbox();
    const { cursor } = await drain(t.mail, box.token, await t.mail.anchor(box.token, await t.now()));
    await t.sandbox.control.post(`/google/mailboxes/${box.email}/expire-cursors`);
    await assert.rejects(t.mail.changes(box.token, cursor), kindOf('cursor_expired'));
  });

  it('treats a cursor it did not make as expired, so the engine anchors again', async () => {
    const box = await t.mailbox();
    await assert.rejects(t.mail.changes(box.token, { deltaLink: 'x' }), kindOf('cursor_expired'));
    await assert.rejects(t.mail.changes(box.token, { historyId: '12abc' }), kindOf('cursor_expired'));
  });

  it('R7: a revoked grant is auth_revoked for anchor, changes, headers and raw', async () => {
    const box = await t.mailbox();
    const message = await box.deliver({ subject: 'Before revoking', text: 'r' });
    const cursor = await t.mail.anchor(box.token, await t.now());
    await t.sandbox.control.post(`/google/users/${box.email}/revoke`);
    await assert.rejects(t.mail.anchor(box.token, await t.now()), kindOf('auth_revoked'));
    await assert.rejects(t.mail.changes(box.token, cursor), kindOf('auth_revoked'));
    await assert.rejects(t.mail.headers(box.token, [message.id]), kindOf('auth_revoked'));
    await assert.rejects(t.mail.raw(box.token, [message.id]), kindOf('auth_revoked'));
  });
});
