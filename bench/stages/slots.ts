/**
 * Stage `slots` (issue 14, item 7): computing a proposal's slots (R18) for a 30-day horizon against a
 * calendar of 500 busy events and 20 booked interviews, p50/p99/max of `computeSlots` — the pure
 * computation the propose route runs after reading free/busy. Each round a different calendar (seeded),
 * in a zone with a daylight-saving change inside the horizon. Goal: p99 ≤ 10 ms.
 */
import { computeSlots, type Interval, type SlotRules } from '../../src/domain/slots.ts';
import { percentile } from '../harness.ts';
import type { Stage } from '../stage.ts';

const MINUTE = 60_000;

export const slots: Stage = {
  id: 'slots',
  title: 'Slot computation: 30-day horizon, 500 busy events',
  async run({ quick, progress }) {
    const rounds = quick ? 20 : 2000;
    const events = 500;
    // 1 March 2027 09:00 UTC: the horizon crosses Europe's change to summer time (28 March).
    const now = new Date('2027-03-01T09:00:00Z');
    const rules: SlotRules = {
      timeZone: 'Europe/Berlin',
      durationMinutes: 45,
      workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:30' },
      minimumNoticeMinutes: 720,
      bufferBeforeMinutes: 10,
      bufferAfterMinutes: 10,
      dailyCap: 4,
      maxSlots: 50,
      horizonDays: 30,
      stepMinutes: 15,
    };
    let seed = 20261202;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const calendar = (count: number): Interval[] =>
      Array.from({ length: count }, () => {
        const start = now.getTime() + Math.floor(random() * 30 * 24 * 4) * 15 * MINUTE;
        return {
          start: new Date(start),
          end: new Date(start + (15 + Math.floor(random() * 8) * 15) * MINUTE),
        };
      });
    const times: number[] = [];
    let offered = 0;
    for (let round = 0; round < rounds + 50; round += 1) {
      const busy = calendar(events);
      const bookings = calendar(20);
      const t0 = performance.now();
      const plan = computeSlots({ now, rules, busy, bookings });
      const ms = performance.now() - t0;
      if (plan.slots.length === 0) throw new Error('no slot offered: the calendar is too full to measure');
      offered += plan.slots.length;
      if (round >= 50) times.push(ms); // the first rounds warm the JIT up
      if (round % 500 === 0) progress(`round ${round} of ${rounds + 50}`);
    }
    times.sort((a, b) => a - b);
    return {
      figures: [
        {
          id: 'slots.p50_ms',
          label: 'computeSlots p50 (500 busy, 30 days)',
          value: percentile(times, 50),
          unit: 'ms',
        },
        {
          id: 'slots.p99_ms',
          label: 'computeSlots p99 (500 busy, 30 days)',
          value: percentile(times, 99),
          unit: 'ms',
          goal: { op: '<=', value: 10 },
          note: 'one thread; the busy list is merged once and each start time is a binary search',
        },
        { id: 'slots.max_ms', label: 'computeSlots max', value: times.at(-1) ?? Number.NaN, unit: 'ms' },
      ],
      details: { rounds, events, bookings: 20, meanSlotsOffered: offered / (rounds + 50) },
    };
  },
};
