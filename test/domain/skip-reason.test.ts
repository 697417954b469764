import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeSkipReason, isSkipReason, SKIP_REASONS } from '../../src/domain/skip-reason.ts';

describe('R19: why not synced', () => {
  it('R19: every reason has its own sentence for the owner', () => {
    const sentences = SKIP_REASONS.map(describeSkipReason);
    assert.equal(new Set(sentences).size, SKIP_REASONS.length);
    for (const sentence of sentences) assert.match(sentence, /^[A-Z].+\.$/);
  });

  it('R19: each sentence names the product rule behind it, except the label rule and unreadable mail, which have none', () => {
    const expected = {
      before_authorization: 'R9',
      draft_or_spam: undefined,
      internal_only: 'R11',
      no_member: 'R10',
      unreadable: undefined,
    } as const;
    for (const reason of SKIP_REASONS) {
      const rule = expected[reason];
      if (rule) assert.match(describeSkipReason(reason), new RegExp(`\\(${rule}\\)`), reason);
      else assert.doesNotMatch(describeSkipReason(reason), /\(R\d+\)/, reason);
    }
  });

  it('R19: stored values are read back only when they are reasons', () => {
    assert.equal(isSkipReason('no_member'), true);
    assert.equal(isSkipReason('NO_MEMBER'), false);
    assert.equal(isSkipReason('erased'), false, 'merged into no_member (R19)');
    assert.equal(isSkipReason('not_discoverable'), false, 'merged into no_member (R19)');
    assert.equal(isSkipReason('synced'), false);
  });
});
