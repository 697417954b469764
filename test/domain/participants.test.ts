import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InternalScope } from '../../src/domain/internal.ts';
import { externalParticipants, messageDirection, participantsOf } from '../../src/domain/participants.ts';

const mailbox: InternalScope = {
  address: 'jane@acme.com',
  aliases: ['hiring@acme.com'],
  extraInternalDomains: [],
};

describe('R17: message participants', () => {
  it('R17: flattens the address headers in order, with roles and names', () => {
    const participants = participantsOf({
      from: { address: 'ann@candidate.com', name: ' Ann Lee ' },
      to: [{ address: 'jane@acme.com', name: '' }],
      cc: [{ address: 'bob@acme.com' }, { address: '  ' }],
      bcc: [],
      replyTo: [{ address: 'ann+reply@candidate.com' }],
    });
    assert.deepEqual(participants, [
      { address: 'ann@candidate.com', name: 'Ann Lee', role: 'from' },
      { address: 'jane@acme.com', role: 'to' },
      { address: 'bob@acme.com', role: 'cc' },
      { address: 'ann+reply@candidate.com', role: 'replyTo' },
    ]);
  });

  it('R17: a message without a From has only the participants it names', () => {
    assert.deepEqual(participantsOf({ from: null, to: [{ address: 'x@y.org' }] }), [
      { address: 'x@y.org', role: 'to' },
    ]);
    assert.deepEqual(participantsOf({}), []);
  });

  const directions: [string, string][] = [
    ['jane@acme.com', 'sent'],
    ['JANE@ACME.COM', 'sent'],
    ['Hiring@Acme.com', 'sent'],
    ['bob@acme.com', 'received'],
    ['ann@candidate.com', 'received'],
    ['not an address', 'received'],
  ];
  for (const [from, direction] of directions) {
    it(`R17: From ${from} makes the message ${direction}`, () => {
      assert.equal(messageDirection(participantsOf({ from: { address: from } }), mailbox), direction);
    });
  }

  it('R17: a message without a From is received', () => {
    assert.equal(
      messageDirection(participantsOf({ to: [{ address: 'jane@acme.com' }] }), mailbox),
      'received',
    );
  });

  it('R17: gmail normalization applies to the owner of a gmail mailbox', () => {
    const gmail = { address: 'jane.doe@gmail.com' };
    assert.equal(
      messageDirection(participantsOf({ from: { address: 'JaneDoe+x@googlemail.com' } }), gmail),
      'sent',
    );
  });

  it('R11: external participants are those outside the organization', () => {
    const participants = participantsOf({
      from: { address: 'jane@acme.com' },
      to: [{ address: 'ann@candidate.com' }, { address: 'bob@eu.acme.com' }],
      cc: [{ address: 'hiring@acme.com' }, { address: 'dan@gmail.com' }],
    });
    assert.deepEqual(
      externalParticipants(participants, mailbox).map((participant) => participant.address),
      ['ann@candidate.com', 'dan@gmail.com'],
    );
  });
});
