/**
 * R18 end to end against the sandbox, on both providers: propose from live free/busy, book one time, one
 * event with a Meet or Teams link and the candidate invited, the confirmation in InMail; and every way a
 * booking must not happen twice or silently.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROVIDERS } from '../../src/providers/types.ts';
import { checkBookings } from '../../src/services/booking-checks.ts';
import { providerTest } from '../support/providers.ts';
import { scheduling } from '../support/scheduling.ts';

const t = await providerTest();
const LINK_HOST = { google: 'meet.google.com', microsoft: 'teams.microsoft.com' } as const;

for (const provider of PROVIDERS) {
  describe(`R18 booking on ${provider}`, () => {
    test(`R18: propose, book, one event with a ${provider === 'google' ? 'Meet' : 'Teams'} link and the candidate invited, confirmed in InMail (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const { proposal, hidden } = await s.propose();
      assert.ok(proposal.slots.length > 0, 'slots are offered');
      assert.ok(
        hidden.some((entry) => entry.reason === 'too_soon'),
        'the next 12 hours are hidden as too soon',
      );
      assert.equal(proposal.link, `http://talentsync.test/book/${proposal.id}`);
      assert.ok(
        (await s.messages()).some((body) => body.includes(proposal.link)),
        'the link is posted in InMail',
      );

      const seen = await t.call(
        s.candidate.token,
        'GET',
        `/api/proposals/${proposal.id}?timeZone=Asia/Kolkata`,
      );
      assert.equal(seen.statusCode, 200, seen.body);
      const [slot] = seen.json().slots;
      assert.match(slot.local, /\(Asia\/Kolkata\)$/);
      assert.match(slot.recruiter, /\(UTC\)$/);

      const booked = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
        start: slot.start,
        timeZone: 'Asia/Kolkata',
      });
      assert.equal(booked.statusCode, 201, booked.body);
      const { booking, notice } = booked.json();
      assert.equal(notice, null);
      assert.equal(booking.status, 'booked');
      assert.equal(booking.conference.status, 'ready');
      assert.equal(new URL(booking.conference.url).host, LINK_HOST[provider]);

      const interviews = (await s.events()).filter((event) => !event.gone);
      assert.equal(interviews.length, 1, 'one event in the calendar');
      const [event] = interviews;
      assert.equal(event?.id, booking.eventId);
      assert.equal(event?.start.toISOString(), new Date(slot.start).toISOString());
      assert.deepEqual(
        event?.attendees.map((a) => a.toLowerCase()).filter((a) => a !== s.box.recruiter.email),
        [s.candidate.emails[0]],
      );
      assert.equal(event?.link, booking.conference.url);

      const confirmation = (await s.messages()).at(-1) ?? '';
      assert.match(confirmation, /^Interview booked: /);
      assert.ok(confirmation.includes('(Asia/Kolkata)') && confirmation.includes('(UTC)'), confirmation);
      assert.ok(confirmation.includes(booking.conference.url));

      const again = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
        start: seen.json().slots[1].start,
      });
      assert.equal(again.statusCode, 409, 'a proposal books once');
    });

    test(`R18: a time taken in the calendar after proposing is refused with 409 and what is left (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const { proposal } = await s.propose();
      const [first] = proposal.slots;
      assert.ok(first);
      await s.busy(new Date(first.start), new Date(first.end));
      const refused = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
        start: first.start,
      });
      assert.equal(refused.statusCode, 409, refused.body);
      const body = refused.json();
      assert.match(body.error.message, /busy/);
      assert.equal(body.remaining.length, proposal.slots.length - 1);
      assert.ok(!body.remaining.some((slot: { start: string }) => slot.start === first.start));
      assert.equal((await s.events()).filter((event) => event.attendees.length > 0).length, 0);
      const retry = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
        start: body.remaining[0].start,
      });
      assert.equal(retry.statusCode, 201, 'a time that is left can still be booked');
    });

    test(`R18: twenty parallel bookers of one slot make exactly one booking and one event (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const { proposal } = await s.propose();
      const start = proposal.slots[0]?.start;
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, { start }),
        ),
      );
      const statuses = answers.map((answer) => answer.statusCode).sort();
      assert.deepEqual(statuses, [201, ...Array(19).fill(409)], answers.map((a) => a.body).join('\n'));
      const rows = await t.database.db
        .selectFrom('interview_bookings')
        .select('id')
        .where('proposal_id', '=', proposal.id)
        .execute();
      assert.equal(rows.length, 1);
      assert.equal((await s.events()).filter((event) => event.attendees.length > 0).length, 1);
    });

    test(`R18: two proposals of one recruiter booked into the same time at once: one wins (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const other = await s.anotherConversation();
      const a = await s.propose();
      const b = await s.propose({}, other.conversationId);
      const start = a.proposal.slots[0]?.start;
      assert.equal(b.proposal.slots[0]?.start, start, 'both offer the same first time');
      const answers = await Promise.all([
        t.call(s.candidate.token, 'POST', `/api/proposals/${a.proposal.id}/book`, { start }),
        t.call(other.candidate.token, 'POST', `/api/proposals/${b.proposal.id}/book`, { start }),
      ]);
      assert.deepEqual(
        answers.map((answer) => answer.statusCode).sort(),
        [201, 409],
        answers.map((x) => x.body).join('\n'),
      );
      const booked = await t.database.db
        .selectFrom('interview_bookings')
        .select('id')
        .where('user_id', '=', s.box.recruiter.id)
        .where('status', '=', 'booked')
        .execute();
      assert.equal(booked.length, 1);
    });

    test(`R18: the database refuses two overlapping bookings of one recruiter whatever the code does (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const other = await s.anotherConversation();
      const a = await s.propose();
      const b = await s.propose({ durationMinutes: 60 }, other.conversationId);
      const start = a.proposal.slots[0]?.start;
      const booked = await t.call(s.candidate.token, 'POST', `/api/proposals/${a.proposal.id}/book`, {
        start,
      });
      assert.equal(booked.statusCode, 201, booked.body);
      const { span } = await t.database.db
        .selectFrom('interview_bookings')
        .select('span')
        .where('proposal_id', '=', a.proposal.id)
        .executeTakeFirstOrThrow();
      await assert.rejects(
        t.database.db
          .insertInto('interview_bookings')
          .values({
            org_id: s.box.orgId,
            proposal_id: b.proposal.id,
            user_id: s.box.recruiter.id,
            member_id: other.candidate.id,
            conversation_id: other.conversationId,
            starts_at: new Date(start ?? ''),
            ends_at: new Date(new Date(start ?? '').getTime() + 3_600_000),
            span: `[${new Date(new Date(start ?? '').getTime() - 60_000).toISOString()},${new Date(new Date(start ?? '').getTime() + 3_600_000).toISOString()})`,
            candidate_time_zone: 'UTC',
            event_key: 'direct-insert',
          })
          .execute(),
        (error: { code?: string }) => error.code === '23P01',
        `overlaps ${span}`,
      );
    });

    test(`R18: a retried event creation makes no second event (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const { proposal } = await s.propose();
      const booked = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
        start: proposal.slots[0]?.start,
      });
      assert.equal(booked.statusCode, 201, booked.body);
      const { booking } = booked.json();
      // As if the process died after the provider created the event and before we stored it.
      await t.database.db
        .updateTable('interview_bookings')
        .set({ event_id: null, ical_uid: null, conference_status: null, conference_url: null })
        .where('id', '=', booking.id)
        .execute();
      const confirmations = async () =>
        (await s.messages()).filter((body) => body.startsWith('Interview booked')).length;
      assert.equal(await confirmations(), 1);
      const outcome = await checkBookings(t.context, { heldForMs: 0 });
      assert.equal(outcome.completed, 1);
      const row = await t.database.db
        .selectFrom('interview_bookings')
        .select(['event_id', 'conference_url'])
        .where('id', '=', booking.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.event_id, booking.eventId, 'the same event was found again by its key');
      assert.equal(row.conference_url, booking.conference.url);
      assert.equal((await s.events()).filter((event) => event.attendees.length > 0).length, 1);
      assert.equal(
        await confirmations(),
        2,
        'the completion posts its confirmation (the crash lost none in life)',
      );
    });

    test(`R18: an expired proposal books nothing (410) (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const { proposal } = await s.propose({ expiresInWeeks: 1 });
      const realNow = t.context.now;
      t.context.now = () => new Date(new Date(proposal.expiresAt).getTime() + 1000);
      try {
        const seen = await t.call(s.candidate.token, 'GET', `/api/proposals/${proposal.id}`);
        assert.equal(seen.json().status, 'expired');
        assert.deepEqual(seen.json().slots, []);
        const refused = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
          start: proposal.slots[0]?.start,
        });
        assert.equal(refused.statusCode, 410, refused.body);
        assert.match(refused.json().error.message, /expired/);
      } finally {
        t.context.now = realNow;
      }
      assert.equal((await s.events()).length, 0);
    });

    test(`R18: a conference that cannot be made is said plainly to both sides, never a silent event (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const { proposal } = await s.propose();
      await t.sandbox.control.post(
        `/${provider}/mailboxes/${s.box.recruiter.email}/calendar/conference-fault`,
        {
          mode: 'fail',
        },
      );
      const booked = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
        start: proposal.slots[0]?.start,
      });
      assert.equal(booked.statusCode, 201, booked.body);
      const { booking, notice } = booked.json();
      assert.equal(booking.conference.status, 'failed');
      assert.match(notice, /no video link could be created/);
      assert.match((await s.messages()).at(-1) ?? '', /No video link could be created/);
    });

    // Only Google reports a conference as pending; Graph's adapter reads a missing joinUrl again, then says failed.
    test(`R18: a conference still being made is booked with the link promised, not claimed (${provider})`, {
      skip: provider !== 'google' && 'Graph has no pending conference',
    }, async () => {
      const s = await scheduling(t, provider);
      const { proposal } = await s.propose();
      await t.sandbox.control.post(
        `/${provider}/mailboxes/${s.box.recruiter.email}/calendar/conference-fault`,
        {
          mode: 'stuck',
        },
      );
      const booked = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
        start: proposal.slots[0]?.start,
      });
      assert.equal(booked.statusCode, 201, booked.body);
      const { booking, notice } = booked.json();
      assert.deepEqual(booking.conference, { status: 'pending', url: null });
      assert.match(notice, /still being made/);
      assert.match((await s.messages()).at(-1) ?? '', /video link is still being made; it will follow/);
    });

    test(`R18: members other than the conversation's candidate cannot see or book the proposal (${provider})`, async () => {
      const s = await scheduling(t, provider);
      const { proposal } = await s.propose();
      const stranger = await t.member();
      const seen = await t.call(stranger.token, 'GET', `/api/proposals/${proposal.id}`);
      assert.equal(seen.statusCode, 404);
      const booked = await t.call(stranger.token, 'POST', `/api/proposals/${proposal.id}/book`, {
        start: proposal.slots[0]?.start,
      });
      assert.equal(booked.statusCode, 404);
      const otherOrg = await t.organization();
      assert.equal(
        (await t.call(otherOrg.recruiter.token, 'GET', `/api/proposals/${proposal.id}`)).statusCode,
        404,
      );
      const badZone = await t.call(
        s.candidate.token,
        'GET',
        `/api/proposals/${proposal.id}?timeZone=Mars/Olympus`,
      );
      assert.equal(badZone.statusCode, 400);
    });
  });
}
