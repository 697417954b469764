/**
 * R18 around the booking itself: the recruiter's settings and their validation, slots in a half-hour zone,
 * strict query strings, a calendar that does not answer while a time is held, and a move into busy time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { providerTest } from '../support/providers.ts';
import { OPEN_SETTINGS, scheduling } from '../support/scheduling.ts';

const t = await providerTest();

describe('R18 settings and edges', () => {
  test('R18: a recruiter without settings gets the decided defaults; bad settings are refused in words', async () => {
    const org = await t.organization();
    const read = await t.call(org.recruiter.token, 'GET', '/api/me/scheduling');
    assert.equal(read.statusCode, 200, read.body);
    assert.equal(read.json().minimumNoticeMinutes, 720);
    assert.equal(read.json().changeCutoffMinutes, 120);
    const badZone = await t.call(org.recruiter.token, 'PUT', '/api/me/scheduling', {
      ...OPEN_SETTINGS,
      timeZone: 'Europe/Atlantis',
    });
    assert.equal(badZone.statusCode, 400);
    assert.match(badZone.json().error.message, /IANA time zone/);
    const backwards = await t.call(org.recruiter.token, 'PUT', '/api/me/scheduling', {
      ...OPEN_SETTINGS,
      workingHours: { days: [1], start: '17:00', end: '09:00' },
    });
    assert.equal(backwards.statusCode, 400);
    assert.match(backwards.json().error.message, /end after they start/);
    const extra = await t.call(org.recruiter.token, 'PUT', '/api/me/scheduling', {
      ...OPEN_SETTINGS,
      colour: 'red',
    });
    assert.equal(extra.statusCode, 400);
    const saved = await t.call(org.recruiter.token, 'PUT', '/api/me/scheduling', {
      ...OPEN_SETTINGS,
      timeZone: 'Asia/Kolkata',
    });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.equal(
      (await t.call(org.recruiter.token, 'GET', '/api/me/scheduling')).json().timeZone,
      'Asia/Kolkata',
    );
    const member = await t.member();
    assert.equal((await t.call(member.token, 'GET', '/api/me/scheduling')).statusCode, 403);
  });

  test('R18: in a half-hour zone every offered slot lies inside the working hours there (google)', async () => {
    const s = await scheduling(t, 'google');
    const put = await t.call(s.box.recruiter.token, 'PUT', '/api/me/scheduling', {
      ...OPEN_SETTINGS,
      timeZone: 'Asia/Kolkata',
      workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' },
    });
    assert.equal(put.statusCode, 200, put.body);
    const { proposal, hidden } = await s.propose({ horizonDays: 5, maxSlots: 30 });
    assert.ok(proposal.slots.length > 0);
    assert.ok(hidden.some((entry) => entry.reason === 'outside_working_hours'));
    const clock = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Kolkata',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    for (const slot of proposal.slots) {
      const [start, end] = [clock.format(new Date(slot.start)), clock.format(new Date(slot.end))];
      assert.ok(
        start >= '09:00' && end <= '17:00' && end > start,
        `${slot.start} is ${start}–${end} in Kolkata`,
      );
      assert.match(slot.recruiter, /\(Asia\/Kolkata\)$/);
    }
    const strict = await t.call(
      s.candidate.token,
      'GET',
      `/api/proposals/${proposal.id}?timeZone=UTC&debug=1`,
    );
    assert.equal(strict.statusCode, 400, 'unknown query parameters are refused');
  });

  test('R18: a calendar that does not answer keeps the time held; the same request again makes the one event (microsoft)', async () => {
    const s = await scheduling(t, 'microsoft');
    const { proposal } = await s.propose();
    const start = proposal.slots[0]?.start;
    const fault = await t.sandbox.control.post<{ id: string }>('/faults', {
      provider: 'microsoft',
      endpoint: 'graph.events.create',
      status: 503,
    });
    const first = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, { start });
    assert.equal(first.statusCode, 503, first.body);
    assert.match(first.json().error.message, /Your time is held/);
    const seen = await t.call(s.candidate.token, 'GET', `/api/proposals/${proposal.id}`);
    assert.equal(seen.json().booking.status, 'held');
    await t.sandbox.control.del(`/faults/${fault.id}`);
    const other = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
      start: proposal.slots[1]?.start,
    });
    assert.equal(other.statusCode, 409, 'the held time is the one this proposal books');
    const again = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, { start });
    assert.equal(again.statusCode, 201, again.body);
    assert.equal(again.json().booking.status, 'booked');
    assert.equal((await s.events()).filter((event) => event.attendees.length > 0).length, 1);
    const confirmations = (await s.messages()).filter((body) => body.startsWith('Interview booked'));
    assert.equal(confirmations.length, 1);
  });

  test('R18: the recruiter cannot move an interview into busy time; a colleague cannot move it at all (google)', async () => {
    const s = await scheduling(t, 'google');
    const { proposal } = await s.propose();
    const booked = await t.call(s.candidate.token, 'POST', `/api/proposals/${proposal.id}/book`, {
      start: proposal.slots[0]?.start,
    });
    assert.equal(booked.statusCode, 201, booked.body);
    const { booking } = booked.json();
    const target = proposal.slots[3];
    assert.ok(target);
    await s.busy(new Date(target.start), new Date(target.end));
    const refused = await t.call(s.box.recruiter.token, 'POST', `/api/bookings/${booking.id}/move`, {
      start: target.start,
    });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.json().error.message, /busy/);
    const colleague = await t.user(s.box.orgId);
    const forbidden = await t.call(colleague.token, 'POST', `/api/bookings/${booking.id}/move`, {
      start: proposal.slots[1]?.start,
    });
    assert.equal(forbidden.statusCode, 403);
    const [event] = (await s.events()).filter((e) => e.attendees.length > 0);
    assert.equal(event?.start.toISOString(), proposal.slots[0]?.start, 'the event did not move');
  });
});
