/**
 * R18 changes end to end on both providers: one interview is one calendar event with one link for its
 * whole life (candidate reschedule, recruiter move, cancel); the candidate's cutoff and limit; an event
 * deleted or declined in the recruiter's calendar; the reminder, once; and the guards that refuse
 * scheduling in words (Do Not Integrate, not connected, no calendar scope, a grant that died meanwhile).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROVIDERS } from '../../src/providers/types.ts';
import { checkBookings } from '../../src/services/booking-checks.ts';
import { providerTest } from '../support/providers.ts';
import { type Scheduling, scheduling } from '../support/scheduling.ts';

const t = await providerTest();
const HOUR = 3_600_000;

async function booked(s: Scheduling, slot = 0) {
  const { proposal } = await s.propose();
  const answer = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
    start: proposal.slots[slot]?.start,
    timeZone: 'Europe/Berlin',
  });
  assert.equal(answer.statusCode, 201, answer.body);
  return { proposal, booking: answer.json().booking };
}

async function withNow<T>(at: Date, work: () => Promise<T>): Promise<T> {
  const realNow = t.context.now;
  t.context.now = () => at;
  try {
    return await work();
  } finally {
    t.context.now = realNow;
  }
}

for (const provider of PROVIDERS) {
  describe(`R18 changes on ${provider}`, () => {
    test(`R18: reschedule, move and cancel keep one event, one iCalUID and one link throughout (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const { proposal, booking } = await booked(s);
      const interviews = async () => (await s.events()).filter((event) => event.attendees.length > 0);

      const rescheduled = await t.call(s.candidate.token, 'POST', `/api/bookings/${booking.id}/reschedule`, {
        start: proposal.slots[1]?.start,
      });
      assert.equal(rescheduled.statusCode, 200, rescheduled.body);
      const after = rescheduled.json();
      assert.deepEqual(
        [after.eventId, after.iCalUid, after.conference.url, after.rescheduleCount],
        [booking.eventId, booking.iCalUid, booking.conference.url, 1],
      );
      let [event] = await interviews();
      assert.equal((await interviews()).length, 1);
      assert.equal(event?.start.toISOString(), proposal.slots[1]?.start);
      assert.equal(event?.link, booking.conference.url);
      assert.match(
        (await s.messages()).at(-1) ?? '',
        /^The candidate moved the interview to .*\(Europe\/Berlin\).*\(UTC\)/,
      );

      const moved = await t.call(s.box.recruiter.token, 'POST', `/api/bookings/${booking.id}/move`, {
        start: proposal.slots[2]?.start,
      });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.deepEqual(
        [
          moved.json().eventId,
          moved.json().iCalUid,
          moved.json().conference.url,
          moved.json().rescheduleCount,
        ],
        [booking.eventId, booking.iCalUid, booking.conference.url, 1],
      );
      [event] = await interviews();
      assert.equal(event?.start.toISOString(), proposal.slots[2]?.start);
      assert.match((await s.messages()).at(-1) ?? '', /^The recruiter moved the interview/);

      const cancelled = await t.call(s.box.recruiter.token, 'POST', `/api/bookings/${booking.id}/cancel`);
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      assert.equal(cancelled.json().status, 'cancelled');
      const all = await interviews();
      assert.equal(all.length, 1, 'still one event, now cancelled');
      assert.equal(all[0]?.gone, true);
      assert.match((await s.messages()).at(-1) ?? '', /^The recruiter cancelled the interview/);
      const read = await t.call(s.candidate.token, 'GET', `/api/proposals/${proposal.id}`);
      assert.deepEqual([read.json().status, read.json().booking.status], ['closed', 'cancelled']);
      const twice = await t.call(s.candidate.token, 'POST', `/api/bookings/${booking.id}/cancel`);
      assert.equal(twice.statusCode, 409);
    });

    test(`R18: the candidate reschedules at most the set number of times and only before the cutoff (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const { proposal, booking } = await booked(s);
      for (const slot of [1, 2]) {
        const answer = await t.call(s.candidate.token, 'POST', `/api/bookings/${booking.id}/reschedule`, {
          start: proposal.slots[slot]?.start,
        });
        assert.equal(answer.statusCode, 200, answer.body);
      }
      const third = await t.call(s.candidate.token, 'POST', `/api/bookings/${booking.id}/reschedule`, {
        start: proposal.slots[3]?.start,
      });
      assert.equal(third.statusCode, 409);
      assert.match(third.json().error.message, /rescheduled 2 times/);

      const start = new Date(proposal.slots[2]?.start ?? '');
      await withNow(new Date(start.getTime() - HOUR), async () => {
        const late = await t.call(s.candidate.token, 'POST', `/api/bookings/${booking.id}/cancel`);
        assert.equal(late.statusCode, 409);
        assert.match(late.json().error.message, /120 minutes before/);
      });
      const stranger = await t.member();
      assert.equal(
        (await t.call(stranger.token, 'POST', `/api/bookings/${booking.id}/cancel`)).statusCode,
        404,
      );
      const cancelled = await t.call(s.candidate.token, 'POST', `/api/bookings/${booking.id}/cancel`);
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      assert.match((await s.messages()).at(-1) ?? '', /^The candidate cancelled the interview/);
    });

    for (const action of ['delete', 'decline'] as const) {
      test(`R18: an event ${action === 'delete' ? 'deleted' : 'declined'} in the recruiter's calendar cancels the booking, and the candidate is told (${provider})`, async () => {
        const s = await scheduling(t, provider);
        const { booking } = await booked(s);
        await t.sandbox.control.post(
          `/${provider}/mailboxes/${s.box.recruiter.email}/calendar/events/${encodeURIComponent(booking.eventId)}/${action}`,
        );
        const outcome = await checkBookings(t.context);
        assert.ok(outcome.cancelled >= 1);
        const row = await t.database.db
          .selectFrom('interview_bookings')
          .select(['status', 'cancelled_by'])
          .where('id', '=', booking.id)
          .executeTakeFirstOrThrow();
        assert.deepEqual(row, { status: 'cancelled', cancelled_by: 'calendar' });
        assert.match((await s.messages()).at(-1) ?? '', /removed or declined in the recruiter's calendar/);
      });
    }

    test(`R18: the candidate is reminded 24 hours before, exactly once (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const { booking } = await booked(s, 5);
      const reminders = async () =>
        (await s.messages()).filter((body) => body.startsWith('Reminder:')).length;
      const start = new Date(booking.start).getTime();
      await withNow(new Date(start - 30 * HOUR), () => checkBookings(t.context));
      assert.equal(await reminders(), 0, 'not yet, 30 hours before');
      await withNow(new Date(start - 23 * HOUR), async () => {
        await Promise.all([checkBookings(t.context), checkBookings(t.context)]);
        await checkBookings(t.context);
      });
      assert.equal(await reminders(), 1);
      assert.ok((await s.messages()).at(-1)?.includes(booking.conference.url));
    });

    test(`R18: proposing is refused in words when the organization is on Do Not Integrate (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const { proposal } = await s.propose();
      const none = await t.call(s.box.admin.token, 'PATCH', '/api/organization', { provider: 'none' });
      assert.equal(none.statusCode, 200, none.body);
      const refused = await t.call(
        s.box.recruiter.token,
        'POST',
        `/api/inmail/conversations/${s.conversationId}/proposals`,
        {
          durationMinutes: 30,
        },
      );
      assert.equal(refused.statusCode, 409);
      assert.match(refused.json().error.message, /Do Not Integrate/);
      const booking = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
        start: proposal.slots[0]?.start,
      });
      assert.equal(booking.statusCode, 409);
      assert.match(booking.json().error.message, /does not schedule interviews through a calendar/);
    });

    test(`R18: proposing is refused when the recruiter is not connected or lacks the calendar scope (${provider})`, async () => {
      const s = await scheduling(t, provider);
      await t.database.db
        .updateTable('mailbox_connections')
        .set({ scopes: ['openid', 'email'] })
        .where('id', '=', s.box.connectionId)
        .execute();
      const path = `/api/inmail/conversations/${s.conversationId}/proposals`;
      const noScope = await t.call(s.box.recruiter.token, 'POST', path, { durationMinutes: 30 });
      assert.equal(noScope.statusCode, 409);
      assert.match(noScope.json().error.message, /calendar access/);
      const disconnected = await t.call(s.box.recruiter.token, 'DELETE', '/api/connection');
      assert.ok(disconnected.statusCode < 300, disconnected.body);
      const refused = await t.call(s.box.recruiter.token, 'POST', path, { durationMinutes: 30 });
      assert.equal(refused.statusCode, 409);
      assert.match(refused.json().error.message, /connect your mailbox again/);
    });

    test(`R18: a grant that died after proposing: the candidate is told to wait, the recruiter to reconnect, nothing held (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const { proposal } = await s.propose();
      await t.sandbox.control.post(`/${provider}/users/${s.box.recruiter.email}/revoke`);
      const answer = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
        start: proposal.slots[0]?.start,
      });
      assert.equal(answer.statusCode, 503, answer.body);
      assert.match(answer.json().error.message, /asked to reconnect/);
      assert.match((await s.messages()).at(-1) ?? '', /recruiter has been asked to reconnect/);
      const held = await t.database.db
        .selectFrom('interview_bookings')
        .select('id')
        .where('proposal_id', '=', proposal.id)
        .execute();
      assert.equal(held.length, 0);
      const seen = await t.call(s.candidate.token, 'GET', `/api/proposals/${proposal.id}`);
      assert.equal(seen.json().status, 'open');
      assert.equal((await s.events()).length, 0);
    });
  });
}
