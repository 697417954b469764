import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addressesToLookUp,
  countedParticipants,
  type DirectoryMember,
  decideSync,
  isBlockedByErasure,
  type MatchMailbox,
  type MatchMessage,
  syncWindowStart,
} from '../../src/domain/candidate-match.ts';
import type { Participant, ParticipantRole } from '../../src/domain/participants.ts';
import { SKIP_REASONS } from '../../src/domain/skip-reason.ts';

const AUTHORIZED = new Date('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;
const AFTER = new Date(AUTHORIZED.getTime() + 60_000);

const mailbox: MatchMailbox = {
  address: 'jane@acme.com',
  extraInternalDomains: [],
  authorizedAt: AUTHORIZED,
  backfillDays: 0,
};

function people(...entries: [ParticipantRole, string][]): Participant[] {
  return entries.map(([role, address]) => ({ role, address }));
}

function message(participants: Participant[], extra: Partial<MatchMessage> = {}): MatchMessage {
  return { participants, time: AFTER, ...extra };
}

function directory(entries: Record<string, DirectoryMember>): Map<string, DirectoryMember> {
  return new Map(Object.entries(entries));
}

const ann: DirectoryMember = { memberId: 'm-ann', discoverability: 'anyone' };
const bob: DirectoryMember = { memberId: 'm-bob', discoverability: 'nobody' };
const cat: DirectoryMember = { memberId: 'm-cat', discoverability: 'connections' };
const dan: DirectoryMember = { memberId: 'm-dan', discoverability: 'anyone' };

const received = (...more: [ParticipantRole, string][]) =>
  people(['from', 'ann@candidate.com'], ['to', 'jane@acme.com'], ...more);

describe('R10: candidate match', () => {
  it('R10: a message from a discoverable member is synced and linked to them', () => {
    const decision = decideSync(message(received()), mailbox, directory({ 'ann@candidate.com': ann }));
    assert.deepEqual(decision, { sync: true, memberIds: ['m-ann'] });
  });

  it('R10: a message the owner sent to a discoverable member is synced', () => {
    const sent = people(['from', 'jane@acme.com'], ['to', 'ann@candidate.com']);
    assert.deepEqual(decideSync(message(sent), mailbox, directory({ 'ann@candidate.com': ann })), {
      sync: true,
      memberIds: ['m-ann'],
    });
  });

  it('R10: To and Cc count as well as From', () => {
    const cc = people(['from', 'jane@acme.com'], ['to', 'bob@acme.com'], ['cc', 'ann@candidate.com']);
    assert.deepEqual(decideSync(message(cc), mailbox, directory({ 'ann@candidate.com': ann })), {
      sync: true,
      memberIds: ['m-ann'],
    });
  });

  it('R10: every discoverable member on the message is linked, once each, in order of appearance', () => {
    const many = people(
      ['from', 'jane@acme.com'],
      ['to', 'dan@other.org'],
      ['to', 'ann@candidate.com'],
      ['cc', 'ann.private@gmail.com'],
      ['cc', 'ANN@candidate.com'],
    );
    const lookup = directory({
      'ann@candidate.com': ann,
      'annprivate@gmail.com': ann,
      'dan@other.org': dan,
    });
    assert.deepEqual(decideSync(message(many), mailbox, lookup), {
      sync: true,
      memberIds: ['m-dan', 'm-ann'],
    });
  });

  it('R10: mixed members (one anyone, one nobody) sync, linked only to the one who allows it', () => {
    const mixed = received(['cc', 'bob@elsewhere.com']);
    const lookup = directory({ 'ann@candidate.com': ann, 'bob@elsewhere.com': bob });
    assert.deepEqual(decideSync(message(mixed), mailbox, lookup), { sync: true, memberIds: ['m-ann'] });
  });

  it('R10: gmail dots, +tags and googlemail.com in the message still find the member', () => {
    for (const written of ['A.N.N+jobs@gmail.com', 'ann@googlemail.com', 'Ann@GMAIL.com']) {
      const decision = decideSync(
        message(people(['from', written], ['to', 'jane@acme.com'])),
        mailbox,
        directory({ 'ann@gmail.com': ann }),
      );
      assert.deepEqual(decision, { sync: true, memberIds: ['m-ann'] }, written);
    }
  });

  it('R10: dots and +tags matter on other domains', () => {
    const decision = decideSync(
      message(people(['from', 'a.nn+x@candidate.com'], ['to', 'jane@acme.com'])),
      mailbox,
      directory({ 'ann@candidate.com': ann }),
    );
    assert.deepEqual(decision, { sync: false, rule: 'no_member' });
  });

  it('R10: Bcc counts on mail the owner sent', () => {
    const sent = people(['from', 'jane@acme.com'], ['to', 'bob@acme.com'], ['bcc', 'ann@candidate.com']);
    assert.deepEqual(decideSync(message(sent), mailbox, directory({ 'ann@candidate.com': ann })), {
      sync: true,
      memberIds: ['m-ann'],
    });
  });

  it('R10: Bcc does not count on mail the owner received', () => {
    const inbound = people(['from', 'bob@acme.com'], ['to', 'jane@acme.com'], ['bcc', 'ann@candidate.com']);
    assert.deepEqual(decideSync(message(inbound), mailbox, directory({ 'ann@candidate.com': ann })), {
      sync: false,
      rule: 'internal_only',
    });
  });

  it('R10: mail sent as one of the owner’s aliases counts as sent, so its Bcc counts', () => {
    const aliased = { ...mailbox, aliases: ['recruiting@acme.com'] };
    const sent = people(
      ['from', 'Recruiting@acme.com'],
      ['to', 'bob@acme.com'],
      ['bcc', 'ann@candidate.com'],
    );
    assert.deepEqual(decideSync(message(sent), aliased, directory({ 'ann@candidate.com': ann })), {
      sync: true,
      memberIds: ['m-ann'],
    });
  });

  it('R10: Reply-To never counts', () => {
    const replyTo = people(
      ['from', 'noreply@ats.example'],
      ['to', 'jane@acme.com'],
      ['replyTo', 'ann@candidate.com'],
    );
    assert.deepEqual(decideSync(message(replyTo), mailbox, directory({ 'ann@candidate.com': ann })), {
      sync: false,
      rule: 'no_member',
    });
  });

  it('R10: participants that are not addresses are ignored, not fatal', () => {
    const odd = people(['from', 'ann@candidate.com'], ['to', 'undisclosed-recipients'], ['cc', '']);
    assert.deepEqual(decideSync(message(odd), mailbox, directory({ 'ann@candidate.com': ann })), {
      sync: true,
      memberIds: ['m-ann'],
    });
  });
});

describe('R11: internal participants never count', () => {
  it('R11: a member who is also a colleague never makes a message sync', () => {
    const colleagues = people(['from', 'bob@acme.com'], ['to', 'jane@acme.com']);
    const lookup = directory({ 'bob@acme.com': { memberId: 'm-bob', discoverability: 'anyone' } });
    assert.deepEqual(decideSync(message(colleagues), mailbox, lookup), {
      sync: false,
      rule: 'internal_only',
    });
  });

  it('R11: a colleague on a subdomain is internal, even when a member', () => {
    const colleagues = people(['from', 'bob@eu.acme.com'], ['to', 'jane@acme.com']);
    const lookup = directory({ 'bob@eu.acme.com': ann });
    assert.deepEqual(decideSync(message(colleagues), mailbox, lookup), {
      sync: false,
      rule: 'internal_only',
    });
  });

  it('R11: a member-colleague on a message with a candidate is not linked', () => {
    const both = received(['cc', 'bob@acme.com']);
    const lookup = directory({ 'ann@candidate.com': ann, 'bob@acme.com': dan });
    assert.deepEqual(decideSync(message(both), mailbox, lookup), { sync: true, memberIds: ['m-ann'] });
  });

  it('R11: on a gmail.com mailbox, another gmail.com member is external and counts', () => {
    const gmail = { ...mailbox, address: 'jane.doe@gmail.com' };
    const inbound = people(['from', 'ann@gmail.com'], ['to', 'janedoe+work@gmail.com']);
    assert.deepEqual(decideSync(message(inbound), gmail, directory({ 'ann@gmail.com': ann })), {
      sync: true,
      memberIds: ['m-ann'],
    });
  });

  it('R11: on a gmail.com mailbox, mail to oneself is internal only', () => {
    const gmail = { ...mailbox, address: 'jane.doe@gmail.com' };
    const self = people(['from', 'JaneDoe@gmail.com'], ['to', 'jane.doe+notes@googlemail.com']);
    assert.deepEqual(decideSync(message(self), gmail, directory({ 'janedoe@gmail.com': ann })), {
      sync: false,
      rule: 'internal_only',
    });
  });

  it('R11: extra internal domains keep a sister company’s member out', () => {
    const group = { ...mailbox, extraInternalDomains: ['acme-group.co.uk'] };
    const sister = people(['from', 'bob@hr.acme-group.co.uk'], ['to', 'jane@acme.com']);
    assert.deepEqual(decideSync(message(sister), group, directory({ 'bob@hr.acme-group.co.uk': ann })), {
      sync: false,
      rule: 'internal_only',
    });
  });

  it('R11: lookups never include the owner, an alias or a colleague', () => {
    const aliased = { ...mailbox, aliases: ['hiring@acme.com'] };
    const all = people(
      ['from', 'jane@acme.com'],
      ['to', 'hiring@acme.com'],
      ['to', 'bob@eu.acme.com'],
      ['cc', 'Ann@Candidate.com'],
      ['cc', 'a.n.n@gmail.com'],
      ['bcc', 'ann@candidate.com'],
      ['bcc', 'dan@other.org'],
      ['replyTo', 'eve@other.org'],
    );
    assert.deepEqual(addressesToLookUp(all, aliased), [
      'ann@candidate.com',
      'ann@gmail.com',
      'dan@other.org',
    ]);
  });

  it('R10: lookups on received mail leave Bcc out', () => {
    const inbound = received(['bcc', 'dan@other.org']);
    assert.deepEqual(addressesToLookUp(inbound, mailbox), ['ann@candidate.com']);
    assert.deepEqual(
      countedParticipants(inbound, mailbox).map((participant) => participant.role),
      ['from', 'to'],
    );
  });
});

describe('R9: only new mail', () => {
  const lookup = directory({ 'ann@candidate.com': ann });
  const at = (offsetMs: number, backfillDays = 0) =>
    decideSync(
      message(received(), { time: new Date(AUTHORIZED.getTime() + offsetMs) }),
      { ...mailbox, backfillDays },
      lookup,
    );

  it('R9: a message stamped exactly at authorization is synced', () => {
    assert.equal(at(0).sync, true);
  });

  it('R9: a message one millisecond before authorization is not', () => {
    assert.deepEqual(at(-1), { sync: false, rule: 'before_authorization' });
  });

  it('R9: a backfill window of 365 days reaches back exactly 365 days', () => {
    assert.equal(at(-365 * DAY, 365).sync, true);
    assert.deepEqual(at(-365 * DAY - 1, 365), { sync: false, rule: 'before_authorization' });
  });

  it('R9: a window beyond 365 days, negative or not a number is held to 0–365', () => {
    assert.deepEqual(at(-366 * DAY, 10_000), { sync: false, rule: 'before_authorization' });
    assert.deepEqual(at(-1, -5), { sync: false, rule: 'before_authorization' });
    assert.deepEqual(at(-1, Number.NaN), { sync: false, rule: 'before_authorization' });
    assert.equal(syncWindowStart(AUTHORIZED, 1.9).getTime(), AUTHORIZED.getTime() - DAY);
  });

  it('R9: a message without a valid time is treated as not new', () => {
    assert.deepEqual(decideSync(message(received(), { time: new Date('nonsense') }), mailbox, lookup), {
      sync: false,
      rule: 'before_authorization',
    });
  });
});

describe('R16: erased members', () => {
  const erasedAt = new Date(AUTHORIZED.getTime() + DAY);
  const later = new Date(erasedAt.getTime() + DAY);
  const erasedAnn: DirectoryMember = { ...ann, erasedAt };

  it('R16: an erased member’s mail is not synced again', () => {
    const decision = decideSync(
      message(received(), { time: later }),
      mailbox,
      directory({ 'ann@candidate.com': erasedAnn }),
    );
    assert.deepEqual(decision, { sync: false, rule: 'no_member' });
  });

  it('R16: after a new consent-bearing change, newer mail syncs again', () => {
    const consented = { ...erasedAnn, consentedAt: later };
    const newer = new Date(later.getTime() + 1);
    assert.deepEqual(
      decideSync(
        message(received(), { time: newer }),
        mailbox,
        directory({ 'ann@candidate.com': consented }),
      ),
      {
        sync: true,
        memberIds: ['m-ann'],
      },
    );
  });

  it('R16: renewed consent does not bring back mail from before it', () => {
    const consented = { ...erasedAnn, consentedAt: later };
    assert.equal(isBlockedByErasure(consented, erasedAt), true);
    assert.equal(isBlockedByErasure(consented, new Date(later.getTime() - 1)), true);
    assert.equal(isBlockedByErasure(consented, later), false);
  });

  it('R16: a consent older than the erasure does not lift it', () => {
    assert.equal(isBlockedByErasure({ ...erasedAnn, consentedAt: AUTHORIZED }, later), true);
  });

  it('R16: a member never erased is not blocked', () => {
    assert.equal(isBlockedByErasure(ann, later), false);
    assert.equal(isBlockedByErasure({ ...ann, erasedAt: null }, later), false);
  });

  it('R16: an erased member on the message keeps it out even when another member would match', () => {
    const both = received(['cc', 'dan@other.org']);
    const lookup = directory({ 'ann@candidate.com': erasedAnn, 'dan@other.org': dan });
    assert.deepEqual(decideSync(message(both, { time: later }), mailbox, lookup), {
      sync: false,
      rule: 'no_member',
    });
  });
});

describe('R19: one reason per skipped message, by precedence', () => {
  it('R19: reasons are listed in precedence order', () => {
    assert.deepEqual(
      [...SKIP_REASONS],
      ['before_authorization', 'draft_or_spam', 'internal_only', 'no_member', 'unreadable'],
    );
  });

  const erased: DirectoryMember = { ...ann, erasedAt: AUTHORIZED };
  const table: [string, MatchMessage, Record<string, DirectoryMember>, string][] = [
    [
      'before authorization beats draft, internal and everything else',
      message(people(['from', 'bob@acme.com'], ['to', 'jane@acme.com']), {
        time: new Date(AUTHORIZED.getTime() - 1),
        flags: { isDraft: true },
      }),
      {},
      'before_authorization',
    ],
    [
      'a draft',
      message(received(), { flags: { isDraft: true } }),
      { 'ann@candidate.com': ann },
      'draft_or_spam',
    ],
    ['spam', message(received(), { flags: { isSpam: true } }), { 'ann@candidate.com': ann }, 'draft_or_spam'],
    [
      'a chat',
      message(received(), { flags: { isChat: true } }),
      { 'ann@candidate.com': ann },
      'draft_or_spam',
    ],
    [
      'a draft among colleagues is a draft first',
      message(people(['from', 'jane@acme.com'], ['to', 'bob@acme.com']), { flags: { isDraft: true } }),
      {},
      'draft_or_spam',
    ],
    [
      'mail to oneself',
      message(people(['from', 'jane@acme.com'], ['to', 'jane@acme.com'])),
      {},
      'internal_only',
    ],
    ['a message with no participants', message([]), {}, 'internal_only'],
    [
      'internal beats a colleague who is a member',
      message(people(['from', 'bob@acme.com'])),
      { 'bob@acme.com': ann },
      'internal_only',
    ],
    [
      'an erased member beside a hidden one reads as no member',
      message(received(['cc', 'bob@x.org'])),
      { 'ann@candidate.com': erased, 'bob@x.org': bob },
      'no_member',
    ],
    [
      'an erased member who is not discoverable reads as no member',
      message(received()),
      { 'ann@candidate.com': { ...bob, erasedAt: AUTHORIZED } },
      'no_member',
    ],
    [
      'a member hidden from everyone reads as no member',
      message(received()),
      { 'ann@candidate.com': bob },
      'no_member',
    ],
    [
      'a member found by connections only reads as no member',
      message(received()),
      { 'ann@candidate.com': cat },
      'no_member',
    ],
    [
      'a hidden member beside a stranger reads as no member',
      message(received(['cc', 'stranger@x.org'])),
      { 'ann@candidate.com': cat },
      'no_member',
    ],
    ['outsiders who are not members', message(received(['cc', 'stranger@x.org'])), {}, 'no_member'],
    [
      'an outsider without a usable address',
      message(people(['from', 'MAILER-DAEMON'], ['to', 'jane@acme.com'])),
      {},
      'no_member',
    ],
  ];
  for (const [what, msg, entries, rule] of table) {
    it(`R19: ${what} → ${rule}`, () => {
      assert.deepEqual(decideSync(msg, mailbox, directory(entries)), { sync: false, rule });
    });
  }
});
