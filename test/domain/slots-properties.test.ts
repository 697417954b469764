import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import {
  checkSlot,
  computeSlots,
  DURATIONS,
  type Interval,
  type SlotInput,
  type SlotRules,
} from '../../src/domain/slots.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The five zones of issue 10, each with its 2026 daylight-saving changes (Kolkata has none). */
const ZONES: Record<string, string[]> = {
  'America/New_York': ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z'],
  'Europe/Berlin': ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z'],
  'Asia/Kolkata': ['2026-06-15T00:00:00Z'],
  'Australia/Adelaide': ['2026-04-04T16:30:00Z', '2026-10-03T16:30:00Z'],
  'Pacific/Chatham': ['2026-04-04T14:00:00Z', '2026-09-26T14:00:00Z'],
};

/** Wall-clock parts through Intl, an oracle that shares no code with the module's Temporal arithmetic. */
const formats = new Map<string, Intl.DateTimeFormat>();
function wall(instant: Date, timeZone: string): { date: string; weekday: number; minutes: number } {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday as string) + 1;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const clock = (minutes: number) =>
  minutes === 24 * 60
    ? '24:00'
    : `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const zoneAndNow = fc.constantFrom(...Object.keys(ZONES)).chain((timeZone) =>
  fc.record({
    timeZone: fc.constant(timeZone),
    now: fc
      .tuple(
        fc.constantFrom(...(ZONES[timeZone] as string[])),
        fc.integer({ min: -35 * 24 * 60, max: 3 * 24 * 60 }),
      )
      .map(([change, offset]) => new Date(Date.parse(change) + offset * MINUTE)),
  }),
);

const rulesFor = (timeZone: string) =>
  fc
    .record({
      durationMinutes: fc.constantFrom(...DURATIONS),
      days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
      // Working hours in quarter hours, some spanning the 01:00–04:00 change nights, some ending at midnight.
      startQuarter: fc.integer({ min: 0, max: 80 }),
      lengthQuarters: fc.integer({ min: 4, max: 96 }),
      minimumNoticeMinutes: fc.oneof(fc.constant(720), fc.integer({ min: 0, max: 3 * 24 * 60 })),
      bufferBeforeMinutes: fc.integer({ min: 0, max: 120 }),
      bufferAfterMinutes: fc.integer({ min: 0, max: 120 }),
      dailyCap: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
      maxSlots: fc.integer({ min: 1, max: 50 }),
      horizonDays: fc.integer({ min: 1, max: 30 }),
      stepMinutes: fc.option(fc.constantFrom(5, 10, 15, 20, 30, 60), { nil: undefined }),
    })
    .map((r): SlotRules => {
      const start = r.startQuarter * 15;
      const end = Math.min(24 * 60, Math.max(start + r.durationMinutes, start + r.lengthQuarters * 15));
      return {
        timeZone,
        durationMinutes: r.durationMinutes,
        workingHours: { days: r.days, start: clock(start), end: clock(end) },
        minimumNoticeMinutes: r.minimumNoticeMinutes,
        bufferBeforeMinutes: r.bufferBeforeMinutes,
        bufferAfterMinutes: r.bufferAfterMinutes,
        dailyCap: r.dailyCap,
        maxSlots: r.maxSlots,
        horizonDays: r.horizonDays,
        ...(r.stepMinutes === undefined ? {} : { stepMinutes: r.stepMinutes }),
      };
    });

/** Intervals around `now`: up to a day before it to past the longest horizon, 5 minutes to 10 hours long. */
const intervalsNear = (now: Date, maxLength: number, lengths: fc.Arbitrary<number>) =>
  fc.array(
    fc.tuple(fc.integer({ min: -DAY / MINUTE, max: (31 * DAY) / MINUTE }), lengths).map(
      ([offset, length]): Interval => ({
        start: new Date(now.getTime() + offset * MINUTE),
        end: new Date(now.getTime() + (offset + length) * MINUTE),
      }),
    ),
    { maxLength },
  );

const inputs = zoneAndNow.chain(({ timeZone, now }) =>
  fc.record({
    now: fc.constant(now),
    rules: rulesFor(timeZone),
    busy: intervalsNear(now, 60, fc.integer({ min: 5, max: 600 })),
    bookings: intervalsNear(now, 12, fc.constantFrom(...DURATIONS)),
  }),
);

/** The horizon's end as a local-calendar addition, the module's documented meaning of `horizonDays`. */
const horizonEnd = (now: Date, days: number, timeZone: string) =>
  Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(timeZone).add({ days })
    .epochMilliseconds;

const overlaps = (a: { start: number; end: number }, b: Interval) =>
  a.start < b.end.getTime() && b.start.getTime() < a.end;

/**
 * A working-hours bound of a local date as an instant, by the convention the module documents (RFC 5545
 * §3.3.5's, and Temporal's `compatible`): a time the clocks skip moves forward by the gap (02:15 on New York's
 * spring-forward night is 03:15 EDT, so 01:00–02:15 stays 75 real minutes), a repeated time is its earlier
 * instant (02:15–03:15 on Adelaide's fall-back night opens at 02:15 ACDT and holds the repeated hour: 2 real hours).
 * The bounds are compared as instants, since a wall-clock reading cannot order times inside a repeated hour.
 */
function workingBound(date: string, time: string, timeZone: string): number {
  const day = Temporal.PlainDate.from(date);
  if (time === '24:00') return day.add({ days: 1 }).toZonedDateTime({ timeZone }).epochMilliseconds;
  return Temporal.PlainDateTime.from(`${date}T${time}`).toZonedDateTime(timeZone, {
    disambiguation: 'compatible',
  }).epochMilliseconds;
}

function assertWithinWorkingHours(slot: Interval, rules: SlotRules) {
  const start = wall(slot.start, rules.timeZone);
  // The slot's last minute, on the wall clock, is still the start's local day.
  const last = wall(new Date(slot.end.getTime() - MINUTE), rules.timeZone);
  assert.ok(rules.workingHours.days.includes(start.weekday), 'on a working day');
  assert.ok(
    slot.start.getTime() >= workingBound(start.date, rules.workingHours.start, rules.timeZone),
    'starts at or after the working-hours start',
  );
  assert.equal(last.date, start.date, 'ends the same local day');
  assert.ok(
    slot.end.getTime() <= workingBound(start.date, rules.workingHours.end, rules.timeZone),
    'ends at or before the working-hours end',
  );
}

describe('R18: slot properties across five zones and their daylight-saving changes', () => {
  it('R18: offered slots avoid busy time, bookings and buffers; sit in working hours, notice and horizon; ascend; never repeat', () => {
    fc.assert(
      fc.property(inputs, (input: SlotInput) => {
        const { rules, now } = input;
        const plan = computeSlots(input);
        assert.ok(plan.slots.length <= rules.maxSlots);
        const before = rules.bufferBeforeMinutes * MINUTE;
        const after = rules.bufferAfterMinutes * MINUTE;
        const latest = horizonEnd(now, rules.horizonDays, rules.timeZone);
        for (const [i, slot] of plan.slots.entries()) {
          const start = slot.start.getTime();
          const end = slot.end.getTime();
          assert.equal(end - start, rules.durationMinutes * MINUTE);
          const previous = plan.slots[i - 1];
          if (previous) assert.ok(previous.end.getTime() <= start, 'ascending and disjoint, so never twice');
          const guarded = { start: start - before, end: end + after };
          for (const busy of input.busy)
            assert.ok(!overlaps(guarded, busy), 'clear of busy time with buffers');
          for (const booking of input.bookings) {
            // A booking keeps its own buffers too: the two are buffer-after plus buffer-before apart.
            const bookingGuard = {
              start: new Date(booking.start.getTime() - before),
              end: new Date(booking.end.getTime() + after),
            };
            assert.ok(!overlaps(guarded, bookingGuard), 'clear of bookings, both with buffers');
          }
          if (rules.dailyCap !== null) {
            const day = wall(slot.start, rules.timeZone).date;
            const booked = input.bookings.filter(
              (b) => b.start < b.end && wall(b.start, rules.timeZone).date === day,
            );
            assert.ok(booked.length < rules.dailyCap, 'never on a day that holds the cap');
          }
          assert.ok(start >= now.getTime() + rules.minimumNoticeMinutes * MINUTE, 'not before the notice');
          assert.ok(start <= latest, 'not beyond the horizon');
          assertWithinWorkingHours(slot, rules);
          assert.equal(checkSlot(input, slot), null, 'an offered slot checks open');
        }
        const duration = rules.durationMinutes * MINUTE;
        for (const hidden of plan.hidden) {
          // An entry runs from its first hidden start to the end of its last hidden slot.
          for (const start of [hidden.start.getTime(), hidden.end.getTime() - duration]) {
            const slot = { start: new Date(start), end: new Date(start + duration) };
            assert.equal(
              checkSlot(input, slot),
              hidden.reason,
              'a hidden start checks closed, for its reason',
            );
            assert.ok(!plan.slots.some((offered) => offered.start.getTime() === start));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('R18: when fewer than maxSlots are offered, every open start on the grid overlaps an offered slot', () => {
    const short = inputs.map((input) => ({
      ...input,
      rules: { ...input.rules, horizonDays: Math.min(input.rules.horizonDays, 2) },
    }));
    fc.assert(
      fc.property(short, (input: SlotInput) => {
        const plan = computeSlots(input);
        fc.pre(plan.slots.length < input.rules.maxSlots);
        const step = (input.rules.stepMinutes ?? 15) * MINUTE;
        const duration = input.rules.durationMinutes * MINUTE;
        // Every start on a 5-minute grid: those checkSlot finds open must be taken by an offered slot.
        const from = Math.ceil(input.now.getTime() / (5 * MINUTE)) * 5 * MINUTE;
        const to = from + (input.rules.horizonDays + 1) * DAY;
        for (let start = from; start <= to; start += Math.min(step, 5 * MINUTE)) {
          const candidate = { start: new Date(start), end: new Date(start + duration) };
          if (checkSlot(input, candidate) !== null) continue;
          assert.ok(
            plan.slots.some((slot) => overlaps({ start, end: start + duration }, slot)),
            `open start ${candidate.start.toISOString()} is neither offered nor beside an offered slot`,
          );
        }
      }),
      { numRuns: 25 },
    );
  });
});
