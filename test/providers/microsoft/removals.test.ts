import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProviderError } from '../../../src/providers/errors.ts';
import { createMicrosoftMail } from '../../../src/providers/microsoft/mail.ts';
import type { MailCursor } from '../../../src/providers/types.ts';
import {
  adapterSandbox,
  anHourAgo,
  deleted,
  drain,
  headersOf,
  type Mailbox,
  mailbox,
  upserted,
} from './helpers.ts';

const { sandbox, config } = await adapterSandbox();
const mail = createMicrosoftMail(config);

/** A mailbox with a custom folder "Candidates" and one message in the inbox, synced to the end of a round. */
async function synced(email: string) {
  const rex = await mailbox(sandbox, email);
  // The control API creates a folder by moving mail there; this one is older than the anchor time.
  const old = await rex.deliver('Old', { date: '2020-01-01T00:00:00Z' });
  await rex.act(old.id, 'move', { folder: 'Candidates' });
  const message = await rex.deliver('Interview next week?');
  const { changes, cursor } = await drain(mail, rex.token, await mail.anchor(rex.token, anHourAgo()));
  assert.deepEqual(upserted(changes), [message.id]);
  return { rex, message, cursor };
}

async function next(rex: Mailbox, cursor: MailCursor) {
  return (await drain(mail, rex.token, cursor)).changes;
}

describe('@removed is confirmed before anything is reported', () => {
  test('R14: a move between tracked folders is no delete; the destination reports the same id', async () => {
    const { rex, message, cursor } = await synced('move@acme.example');
    await rex.act(message.id, 'move', { folder: 'Candidates' });
    const changes = await next(rex, cursor);
    assert.deepEqual(deleted(changes), []);
    assert.deepEqual(upserted(changes), [message.id]);
    assert.equal(headersOf(changes, message.id).subject, 'Interview next week?');
  });

  test('R13: moving a message to Deleted Items is reported as a delete', async () => {
    const { rex, message, cursor } = await synced('trash@acme.example');
    await rex.act(message.id, 'trash');
    assert.deepEqual(await next(rex, cursor), [{ kind: 'delete', id: message.id }]);
  });

  test("R13: Graph's DELETE (to Recoverable Items) is reported as a delete", async () => {
    const { rex, message, cursor } = await synced('graph-delete@acme.example');
    await rex.graphDelete(message.id);
    assert.deepEqual(await next(rex, cursor), [{ kind: 'delete', id: message.id }]);
  });

  test('R13: a message deleted for good (404 on confirmation) is reported as a delete', async () => {
    const { rex, message, cursor } = await synced('purge@acme.example');
    await rex.act(message.id, 'delete');
    assert.deepEqual(await next(rex, cursor), [{ kind: 'delete', id: message.id }]);
  });

  test('R14: moving a message to Junk Email reports nothing', async () => {
    const { rex, message, cursor } = await synced('junk@acme.example');
    await rex.act(message.id, 'move', { folder: 'junkemail' });
    assert.deepEqual(await next(rex, cursor), []);
  });

  test('R14: archiving is no delete; Archive is tracked and reports the message under the same id', async () => {
    const { rex, message, cursor } = await synced('archive@acme.example');
    await rex.act(message.id, 'archive');
    const changes = await next(rex, cursor);
    assert.deepEqual(deleted(changes), []);
    assert.deepEqual(upserted(changes), [message.id]);
  });

  test('a message restored from Deleted Items comes back as an upsert', async () => {
    const { rex, message, cursor } = await synced('restore@acme.example');
    await rex.act(message.id, 'trash');
    const trashed = await drain(mail, rex.token, cursor);
    assert.deepEqual(trashed.changes, [{ kind: 'delete', id: message.id }]);
    await rex.act(message.id, 'restore');
    const changes = await next(rex, trashed.cursor);
    assert.deepEqual(upserted(changes), [message.id]);
    assert.equal(headersOf(changes, message.id).flags.trash, false);
  });

  test('a removal is judged by where the message is now: trashed, then restored elsewhere, is no delete', async () => {
    const { rex, message, cursor } = await synced('restored-elsewhere@acme.example');
    await rex.act(message.id, 'move', { folder: 'Candidates' });
    await rex.act(message.id, 'trash');
    await rex.act(message.id, 'restore');
    const changes = await next(rex, cursor);
    assert.deepEqual(deleted(changes), [], "the inbox's @removed is confirmed against Candidates");
    assert.deepEqual(upserted(changes), [message.id]);
  });
});

describe('tracked folders', () => {
  test('a folder created after the anchor is picked up at the next round, from the anchor time', async () => {
    const { rex, message, cursor } = await synced('new-folder@acme.example');
    await rex.act(message.id, 'move', { folder: 'Offers 2026' });
    const round = await drain(mail, rex.token, cursor);
    assert.deepEqual(deleted(round.changes), []);
    assert.deepEqual(upserted(round.changes), [message.id]);
    const later = await drain(mail, rex.token, round.cursor);
    assert.deepEqual(later.changes, [], 'later rounds continue from its deltaLink');
  });

  test('child folders are tracked (Team Chat under Conversation History)', async () => {
    const { rex, message, cursor } = await synced('child@acme.example');
    await rex.act(message.id, 'move', { folder: 'Team Chat' });
    assert.deepEqual(upserted(await next(rex, cursor)), [message.id]);
  });

  test('a folder whose delta answers 404 is dropped, and tracked afresh when it is listed again', async () => {
    const { rex, message, cursor } = await synced('vanished@acme.example');
    await sandbox.control.post('/faults', {
      provider: 'microsoft',
      endpoint: 'graph.messages.delta',
      user: rex.email,
      status: 404,
      count: 1,
    });
    const first = await drain(mail, rex.token, cursor);
    assert.equal((first.cursor.folders as unknown[]).length, (cursor.folders as unknown[]).length - 1);
    const again = await drain(mail, rex.token, first.cursor);
    assert.equal((again.cursor.folders as unknown[]).length, (cursor.folders as unknown[]).length);
    assert.ok(
      upserted(first.changes)
        .concat(upserted(again.changes))
        .every((id) => id === message.id),
    );
  });
});

describe('expired cursors', () => {
  test('delta tokens the mailbox forgot (410) are cursor_expired', async () => {
    const { rex, cursor } = await synced('expired@acme.example');
    await sandbox.control.post(`/microsoft/mailboxes/${rex.email}/expire-cursors`);
    await assert.rejects(mail.changes(rex.token, cursor), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.kind, 'cursor_expired');
      assert.equal(error.code, 'SyncStateNotFound');
      return true;
    });
  });

  test('a cursor this adapter cannot read is cursor_expired', async () => {
    const rex = await mailbox(sandbox, 'garbled@acme.example');
    for (const cursor of [{}, { version: 2 }, { version: 1, since: 'yesterday', folders: [] }]) {
      await assert.rejects(
        mail.changes(rex.token, cursor),
        (error: unknown) => error instanceof ProviderError && error.kind === 'cursor_expired',
      );
    }
  });
});
