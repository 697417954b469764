/**
 * R18, the candidate's own list: `GET /api/me/proposals` answers the proposals addressed to the member
 * (never another member's), in the zone asked for; a booked proposal offers the other proposed times to
 * reschedule to while the candidate may, and nothing once the reschedules are used up or it is cancelled.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeSlot } from '../../src/domain/slot-text.ts';
import { providerTest } from '../support/providers.ts';
import { scheduling } from '../support/scheduling.ts';

const t = await providerTest();

test('R18: a member lists their own proposals in their zone, and nobody else’s', async () => {
  const s = await scheduling(t, 'google');
  const { proposal } = await s.propose({ maxSlots: 3 });
  const other = await s.anotherConversation();
  await s.propose({ maxSlots: 2 }, other.conversationId);

  const mine = await t.call(s.candidate.token, 'GET', '/api/me/proposals?timeZone=Asia/Tokyo');
  assert.equal(mine.statusCode, 200, mine.body);
  const [listed, ...more] = mine.json().proposals;
  assert.equal(more.length, 0, 'the other candidate’s proposal is not listed');
  assert.equal(listed.id, proposal.id);
  assert.equal(listed.timeZone, 'Asia/Tokyo');
  assert.equal(listed.recruiterTimeZone, 'UTC');
  const first = proposal.slots[0];
  assert.ok(first);
  assert.equal(
    listed.slots[0].local,
    describeSlot({ start: new Date(first.start), end: new Date(first.end) }, 'Asia/Tokyo'),
  );

  const theirs = await t.call(other.candidate.token, 'GET', '/api/me/proposals');
  assert.deepEqual(
    theirs.json().proposals.map((p: { timeZone: string }) => p.timeZone),
    ['UTC'],
  );
  const refused = await t.call(s.candidate.token, 'GET', '/api/me/proposals?timeZone=Mars/Olympus');
  assert.equal(refused.statusCode, 400);
  const recruiter = await t.call(s.box.recruiter.token, 'GET', '/api/me/proposals');
  assert.equal(recruiter.statusCode, 403);
});

test('R18: a booked proposal offers the other times to reschedule to, until none are left to use', async () => {
  const s = await scheduling(t, 'google');
  const { proposal } = await s.propose({ maxSlots: 3 });
  const slots = proposal.slots.map((slot) => slot.start);
  const booked = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
    start: slots[0],
  });
  assert.equal(booked.statusCode, 201, booked.body);
  const bookingId = booked.json().booking.id;
  const read = async () =>
    (await t.call(s.candidate.token, 'GET', `/api/proposals/${proposal.id}`)).json() as {
      status: string;
      slots: { start: string }[];
      booking: { reschedulesLeft: number; status: string };
    };

  let seen = await read();
  assert.equal(seen.status, 'booked');
  assert.deepEqual(
    seen.slots.map((slot) => slot.start),
    slots.slice(1),
  );
  for (const start of [slots[1], slots[2]]) {
    const moved = await t.call(s.candidate.token, 'POST', `/api/bookings/${bookingId}/reschedule`, { start });
    assert.equal(moved.statusCode, 200, moved.body);
  }
  seen = await read();
  assert.equal(seen.booking.reschedulesLeft, 0);
  assert.deepEqual(seen.slots, [], 'no more reschedules: no times offered');

  const cancelled = await t.call(s.candidate.token, 'POST', `/api/bookings/${bookingId}/cancel`);
  assert.equal(cancelled.statusCode, 200, cancelled.body);
  seen = await read();
  assert.equal(seen.status, 'closed');
  assert.deepEqual(seen.slots, []);
});
