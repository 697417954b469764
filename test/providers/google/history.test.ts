import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  changesFromHistory,
  lastRecordId,
  laterHistoryId,
  readHistoryId,
} from '../../../src/providers/google/history.ts';

const ref = (id: string) => ({ message: { id, threadId: id } });

describe('Gmail history records as changes', () => {
  it('R13: TRASH added is a delete and TRASH removed an upsert; other labels change nothing', () => {
    assert.deepEqual(
      changesFromHistory([
        { id: '10', messagesAdded: [ref('a')] },
        { id: '11', labelsAdded: [{ ...ref('b'), labelIds: ['TRASH'] }] },
        { id: '12', labelsRemoved: [{ ...ref('c'), labelIds: ['TRASH', 'SPAM'] }] },
        { id: '13', labelsRemoved: [{ ...ref('d'), labelIds: ['INBOX'] }] },
        { id: '14', labelsAdded: [{ ...ref('d'), labelIds: ['SPAM', 'Label_1'] }] },
        { id: '15', messagesDeleted: [ref('e')] },
      ]),
      [
        { kind: 'upsert', id: 'a' },
        { kind: 'delete', id: 'b' },
        { kind: 'upsert', id: 'c' },
        { kind: 'delete', id: 'e' },
      ],
    );
  });

  it('keeps the last change per message, in record order', () => {
    assert.deepEqual(
      changesFromHistory([
        { id: '1', messagesAdded: [ref('a')] },
        { id: '2', messagesAdded: [ref('b')] },
        { id: '3', messagesDeleted: [ref('a')] },
        { id: '4', labelsAdded: [{ ...ref('b'), labelIds: ['TRASH'] }] },
        { id: '5', labelsRemoved: [{ ...ref('b'), labelIds: ['TRASH'] }] },
      ]),
      [
        { kind: 'delete', id: 'a' },
        { kind: 'upsert', id: 'b' },
      ],
    );
  });
});

describe('Gmail history ids', () => {
  it('compares as numbers, not strings, when an id gains a digit', () => {
    assert.equal(laterHistoryId('99999999', '100000001'), '100000001');
    assert.equal(laterHistoryId('100000001', '99999999'), '100000001');
    assert.equal(lastRecordId([{ id: '99999998' }, { id: '100000003' }, { id: '99999999' }]), '100000003');
    assert.equal(lastRecordId([]), undefined);
  });

  it('reads ids given as strings or safe integers, up to 2^64 - 1, and nothing else', () => {
    assert.equal(readHistoryId('18446744073709551615'), '18446744073709551615');
    assert.equal(readHistoryId(123456), '123456');
    assert.equal(readHistoryId(' 00042 '), '42');
    for (const bad of [
      '18446744073709551616',
      '0',
      '-1',
      '1e5',
      'abc',
      '',
      2 ** 60,
      1.5,
      null,
      undefined,
      {},
    ]) {
      assert.equal(readHistoryId(bad), undefined, String(bad));
    }
  });
});
