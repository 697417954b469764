import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkSlot,
  computeSlots,
  describeSlot,
  type Interval,
  MAX_HIDDEN,
  type SlotInput,
  type SlotRules,
} from '../../src/domain/slots.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (iso: string) => new Date(iso);
const span = (start: string, end: string): Interval => ({ start: at(start), end: at(end) });

const berlin: SlotRules = {
  timeZone: 'Europe/Berlin',
  durationMinutes: 30,
  workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
  minimumNoticeMinutes: 720,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  dailyCap: null,
  maxSlots: 50,
  horizonDays: 7,
};

/** Monday 7 Dec 2026, 07:00 in Berlin: with 12 hours' notice, Tuesday is the first day with slots. */
const monday = at('2026-12-07T06:00:00Z');

function plan(rules: Partial<SlotRules>, extra: Partial<SlotInput> = {}) {
  const input: SlotInput = { now: monday, rules: { ...berlin, ...rules }, busy: [], bookings: [], ...extra };
  return { input, plan: computeSlots(input) };
}

const iso = (slots: Interval[]) => slots.map((slot) => slot.start.toISOString());

describe('R18: slots from working hours, busy time, buffers, notice, horizon and the daily cap', () => {
  it('R18: a slot is [start, start + duration) on a 15-minute grid inside the working hours', () => {
    const { plan: result } = plan({ horizonDays: 1, minimumNoticeMinutes: 0, maxSlots: 50 });
    // Monday 07:00 Berlin + 1 day: Monday 09:00–17:00 is 16 disjoint half hours; Tuesday up to 07:00 has none.
    assert.equal(result.slots.length, 16);
    assert.equal(result.slots[0]?.start.toISOString(), '2026-12-07T08:00:00.000Z');
    for (const slot of result.slots) assert.equal(slot.end.getTime() - slot.start.getTime(), 30 * MINUTE);
    assert.equal(result.slots.at(-1)?.end.toISOString(), '2026-12-07T16:00:00.000Z');
    assert.deepEqual(
      result.hidden.map((h) => [h.reason, h.start.toISOString(), h.end.toISOString()]),
      [['outside_working_hours', '2026-12-07T15:45:00.000Z', '2026-12-07T16:15:00.000Z']],
    );
  });

  it('R18: busy time hides the slots it overlaps as busy, and those only their buffers overlap as buffer', () => {
    const busy = [span('2026-12-08T09:00:00Z', '2026-12-08T10:00:00Z')]; // 10:00–11:00 Berlin
    const { plan: result } = plan(
      { horizonDays: 2, bufferBeforeMinutes: 10, bufferAfterMinutes: 10 },
      { busy },
    );
    const tuesday = result.hidden.filter((h) => h.start.toISOString().startsWith('2026-12-08'));
    assert.deepEqual(
      tuesday.map((h) => [h.reason, h.start.toISOString(), h.end.toISOString()]),
      [
        ['buffer', '2026-12-08T08:30:00.000Z', '2026-12-08T09:00:00.000Z'], // 09:30–10:00 ends into the busy hour's buffer
        ['busy', '2026-12-08T08:45:00.000Z', '2026-12-08T10:15:00.000Z'], // starts 09:45 … 10:45 overlap it
        ['buffer', '2026-12-08T10:00:00.000Z', '2026-12-08T10:30:00.000Z'], // 11:00 starts inside its buffer
        ['outside_working_hours', '2026-12-08T15:45:00.000Z', '2026-12-08T16:15:00.000Z'],
      ],
    );
    const offered = iso(result.slots).filter((s) => s.startsWith('2026-12-08'));
    assert.deepEqual(offered.slice(0, 2), ['2026-12-08T08:00:00.000Z', '2026-12-08T10:15:00.000Z']);
  });

  it('R18: a booking blocks with its own buffers, so two interviews are buffer-after plus buffer-before apart', () => {
    const bookings = [span('2026-12-08T09:00:00Z', '2026-12-08T09:30:00Z')]; // 10:00–10:30 Berlin
    const input: SlotInput = {
      now: monday,
      rules: { ...berlin, bufferBeforeMinutes: 15, bufferAfterMinutes: 15 },
      busy: [],
      bookings,
    };
    // 10:30 would leave no room for the booking's wrap-up and this one's preparation; 11:00 leaves both.
    assert.equal(checkSlot(input, span('2026-12-08T09:30:00Z', '2026-12-08T10:00:00Z')), 'buffer');
    assert.equal(checkSlot(input, span('2026-12-08T09:45:00Z', '2026-12-08T10:15:00Z')), 'buffer');
    assert.equal(checkSlot(input, span('2026-12-08T10:00:00Z', '2026-12-08T10:30:00Z')), null);
    assert.equal(checkSlot(input, span('2026-12-08T08:45:00Z', '2026-12-08T09:15:00Z')), 'busy');
    assert.equal(checkSlot(input, span('2026-12-08T08:00:00Z', '2026-12-08T08:30:00Z')), null);
    assert.equal(checkSlot(input, span('2026-12-08T08:15:00Z', '2026-12-08T08:45:00Z')), 'buffer');
  });

  it('R18: the minimum notice hides earlier starts as too soon; the default is 12 hours', () => {
    const now = at('2026-12-08T07:10:00Z'); // Tuesday 08:10 Berlin
    const { plan: result } = plan({ horizonDays: 2 }, { now });
    assert.equal(result.slots[0]?.start.toISOString(), '2026-12-09T08:00:00.000Z'); // Wednesday 09:00
    for (const slot of result.slots) assert.ok(slot.start.getTime() >= now.getTime() + 12 * HOUR);
    const tooSoon = result.hidden.filter((h) => h.reason === 'too_soon');
    assert.deepEqual(
      tooSoon.map((h) => [h.start.toISOString(), h.end.toISOString()]),
      [['2026-12-08T08:00:00.000Z', '2026-12-08T16:00:00.000Z']],
    );
    const input: SlotInput = { now, rules: { ...berlin, horizonDays: 2 }, busy: [], bookings: [] };
    assert.equal(checkSlot(input, span('2026-12-08T15:00:00Z', '2026-12-08T15:30:00Z')), 'too_soon');
  });

  it('R18: no slot starts after now + horizon days', () => {
    const { input, plan: result } = plan({ horizonDays: 3, minimumNoticeMinutes: 0, maxSlots: 50 });
    const limit = monday.getTime() + 3 * 24 * HOUR;
    assert.ok(result.slots.length > 0);
    for (const slot of result.slots) assert.ok(slot.start.getTime() <= limit);
    // Thursday 07:00 is the horizon: Thursday's working day is beyond it.
    assert.ok(result.slots.every((slot) => !slot.start.toISOString().startsWith('2026-12-10')));
    assert.equal(checkSlot(input, span('2026-12-10T08:00:00Z', '2026-12-10T08:30:00Z')), 'not_offered');
  });

  it('R18: a day that already holds the daily cap of bookings offers nothing; other days offer their slots', () => {
    const bookings = [
      span('2026-12-08T08:00:00Z', '2026-12-08T08:30:00Z'),
      span('2026-12-08T13:00:00Z', '2026-12-08T13:30:00Z'),
      span('2026-12-09T08:00:00Z', '2026-12-09T08:30:00Z'),
    ];
    const { input, plan: result } = plan({ horizonDays: 3, dailyCap: 2 }, { bookings });
    const days = new Set(iso(result.slots).map((s) => s.slice(0, 10)));
    assert.deepEqual([...days].sort(), ['2026-12-09']);
    assert.ok(
      result.hidden.some((h) => h.reason === 'daily_cap' && h.start.toISOString().startsWith('2026-12-08')),
    );
    assert.equal(checkSlot(input, span('2026-12-08T10:00:00Z', '2026-12-08T10:30:00Z')), 'daily_cap');
    // Wednesday holds one of two: its slots are offered, and a second booking there would be allowed.
    assert.equal(checkSlot(input, span('2026-12-09T10:00:00Z', '2026-12-09T10:30:00Z')), null);
  });

  it('R18: at most maxSlots are offered, spread round-robin over the days, ascending, never twice', () => {
    const { plan: result } = plan({ horizonDays: 14, maxSlots: 12 });
    assert.equal(result.slots.length, 12);
    const starts = iso(result.slots);
    assert.deepEqual(starts, [...starts].sort());
    assert.equal(new Set(starts).size, 12);
    // Nine working days in the horizon (Monday is too soon; Tue 8 … Fri 18): one each, then a second on three.
    const perDay = new Map<string, number>();
    for (const start of starts) perDay.set(start.slice(0, 10), (perDay.get(start.slice(0, 10)) ?? 0) + 1);
    assert.equal(perDay.size, 9);
    assert.deepEqual([...perDay.values()].sort(), [1, 1, 1, 1, 1, 1, 2, 2, 2]);
  });

  it('R18: the offer spreads over the hours too: each day’s pick is farthest in time of day from those before', () => {
    const { plan: result } = plan({ horizonDays: 8, maxSlots: 5 });
    assert.deepEqual(
      result.slots.map((slot) => describeSlot(slot, 'Europe/Berlin')),
      [
        'Tue 8 Dec, 09:00–09:30 (Europe/Berlin)',
        'Wed 9 Dec, 16:30–17:00 (Europe/Berlin)',
        'Thu 10 Dec, 12:30–13:00 (Europe/Berlin)',
        'Fri 11 Dec, 14:30–15:00 (Europe/Berlin)',
        'Mon 14 Dec, 10:30–11:00 (Europe/Berlin)',
      ],
    );
  });

  it('R18: hidden starts are merged per reason and bounded for a crowded calendar', () => {
    const busy: Interval[] = [];
    // Five busy minutes every half hour: starts alternate between busy and buffer all day, every day.
    for (let i = 0; i < 30 * 48; i++) {
      const start = monday.getTime() + i * 30 * MINUTE;
      busy.push({ start: new Date(start), end: new Date(start + 5 * MINUTE) });
    }
    const { plan: result } = plan(
      { horizonDays: 30, minimumNoticeMinutes: 0, durationMinutes: 15, bufferAfterMinutes: 5 },
      { busy },
    );
    assert.equal(result.hidden.length, MAX_HIDDEN);
    assert.equal(result.hiddenTruncated, true);
    assert.deepEqual(
      result.hidden.slice(0, 3).map((h) => h.reason),
      ['busy', 'buffer', 'busy'],
    );
  });
});

describe('R18: working hours are wall-clock in the recruiter’s zone, across daylight-saving changes', () => {
  const allWeek = [1, 2, 3, 4, 5, 6, 7];
  const firstSlots = (timeZone: string, now: string, days: number) =>
    iso(
      computeSlots({
        now: at(now),
        rules: {
          ...berlin,
          timeZone,
          // One slot a day, so each day's only slot shows where its 09:00 is.
          workingHours: { days: allWeek, start: '09:00', end: '09:30' },
          minimumNoticeMinutes: 0,
          horizonDays: days,
          maxSlots: days,
        },
        busy: [],
        bookings: [],
      }).slots,
    );

  it('R18: 09:00 stays 09:00 local on either side of New York’s spring-forward and fall-back', () => {
    assert.deepEqual(firstSlots('America/New_York', '2026-03-07T05:00:00Z', 3), [
      '2026-03-07T14:00:00.000Z', // Sat 09:00 EST
      '2026-03-08T13:00:00.000Z', // Sun 09:00 EDT, the change was at 02:00
      '2026-03-09T13:00:00.000Z',
    ]);
    assert.deepEqual(firstSlots('America/New_York', '2026-10-31T04:00:00Z', 2), [
      '2026-10-31T13:00:00.000Z', // Sat 09:00 EDT
      '2026-11-01T14:00:00.000Z', // Sun 09:00 EST
    ]);
  });

  it('R18: 09:00 stays 09:00 local across Berlin’s changes, and in Kolkata, Adelaide and Chatham', () => {
    assert.deepEqual(firstSlots('Europe/Berlin', '2026-03-28T00:00:00Z', 2), [
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
    ]);
    assert.deepEqual(firstSlots('Europe/Berlin', '2026-10-24T00:00:00Z', 2), [
      '2026-10-24T07:00:00.000Z',
      '2026-10-25T08:00:00.000Z',
    ]);
    assert.deepEqual(firstSlots('Asia/Kolkata', '2026-06-01T00:00:00Z', 1), ['2026-06-01T03:30:00.000Z']);
    // Adelaide leaves daylight time on Sun 5 Apr 2026 (+10:30 → +09:30) and enters it on Sun 4 Oct (→ +10:30).
    assert.deepEqual(firstSlots('Australia/Adelaide', '2026-04-03T12:00:00Z', 2), [
      '2026-04-03T22:30:00.000Z', // Sat 4 Apr 09:00 +10:30
      '2026-04-04T23:30:00.000Z', // Sun 5 Apr 09:00 +09:30
    ]);
    assert.deepEqual(firstSlots('Australia/Adelaide', '2026-10-02T12:00:00Z', 2), [
      '2026-10-02T23:30:00.000Z', // Sat 3 Oct 09:00 +09:30
      '2026-10-03T22:30:00.000Z', // Sun 4 Oct 09:00 +10:30
    ]);
    // Chatham: +13:45 until 03:45 on Sun 5 Apr 2026, then +12:45; back to +13:45 at 02:45 on Sun 27 Sep.
    assert.deepEqual(firstSlots('Pacific/Chatham', '2026-04-03T12:00:00Z', 2), [
      '2026-04-03T19:15:00.000Z', // Sat 4 Apr 09:00 +13:45
      '2026-04-04T20:15:00.000Z', // Sun 5 Apr 09:00 +12:45
    ]);
    assert.deepEqual(firstSlots('Pacific/Chatham', '2026-09-25T12:00:00Z', 2), [
      '2026-09-25T20:15:00.000Z', // Sat 26 Sep 09:00 +12:45
      '2026-09-26T19:15:00.000Z', // Sun 27 Sep 09:00 +13:45
    ]);
  });

  const night = (now: string, start: string, end: string) =>
    computeSlots({
      now: at(now),
      rules: {
        ...berlin,
        timeZone: 'America/New_York',
        durationMinutes: 15,
        workingHours: { days: [7], start, end },
        minimumNoticeMinutes: 0,
        horizonDays: 1,
        maxSlots: 50,
      },
      busy: [],
      bookings: [],
    }).slots;

  it('R18: hours that span the change are 5 real hours on spring-forward night and 7 on fall-back night', () => {
    assert.equal(night('2026-03-08T04:00:00Z', '00:00', '06:00').length, 5 * 4);
    assert.equal(night('2026-11-01T03:00:00Z', '00:00', '06:00').length, 7 * 4);
  });

  it('R18: a skipped start time moves forward by the gap, a repeated one takes the earlier instant', () => {
    // 02:30 does not exist on 8 Mar 2026 in New York: the day starts at 03:30 EDT (Temporal's 'compatible').
    assert.equal(
      night('2026-03-08T04:00:00Z', '02:30', '04:00')[0]?.start.toISOString(),
      '2026-03-08T07:30:00.000Z',
    );
    // 01:30 happens twice on 1 Nov 2026: the day starts at the first, 01:30 EDT.
    const fallBack = night('2026-11-01T03:00:00Z', '01:30', '02:00');
    assert.equal(fallBack[0]?.start.toISOString(), '2026-11-01T05:30:00.000Z');
    assert.equal(fallBack.length, 6, '01:30 EDT to 02:00 EST is an hour and a half');
  });
});

describe('R18: a chosen slot is checked again at booking time', () => {
  it('R18: an offered slot is open, then busy or capped once the calendar or the bookings change', () => {
    const { input, plan: result } = plan({ horizonDays: 2, dailyCap: 1 });
    const chosen = result.slots[0] as Interval;
    assert.equal(checkSlot(input, chosen), null);
    assert.equal(checkSlot({ ...input, busy: [chosen] }, chosen), 'busy');
    const sameDay = {
      start: new Date(chosen.start.getTime() + 3 * HOUR),
      end: new Date(chosen.end.getTime() + 3 * HOUR),
    };
    assert.equal(checkSlot({ ...input, bookings: [sameDay] }, chosen), 'daily_cap');
  });

  it('R18: a slot of another length or off the grid was never offered; one on a weekend is outside working hours', () => {
    const { input } = plan({ horizonDays: 7 });
    assert.equal(checkSlot(input, span('2026-12-08T08:00:00Z', '2026-12-08T08:45:00Z')), 'not_offered');
    assert.equal(checkSlot(input, span('2026-12-08T08:05:00Z', '2026-12-08T08:35:00Z')), 'not_offered');
    assert.equal(
      checkSlot(input, span('2026-12-12T08:00:00Z', '2026-12-12T08:30:00Z')),
      'outside_working_hours',
    );
    assert.equal(
      checkSlot(input, span('2026-12-08T07:30:00Z', '2026-12-08T08:00:00Z')),
      'outside_working_hours',
    );
  });
});
