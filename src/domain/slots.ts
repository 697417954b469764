/**
 * Slot computation for scheduling screening interviews (R18, issue 10): pure functions from a recruiter's rules,
 * their calendar's busy time and their booked interviews to the slots a proposal offers, and the same check again
 * for one chosen slot at booking time. No I/O: the caller brings `now`, free/busy and bookings.
 *
 * Time library: the Temporal polyfill (`temporal-polyfill`), not Luxon. Temporal is the standard the language is
 * adopting, its zone arithmetic is specified to the letter (including how a skipped or repeated wall-clock time
 * resolves, see working-day.ts), and this polyfill is small and fast enough for property tests over thousands of
 * days. Slot instants are plain `Date`s at the edges; epoch milliseconds inside.
 *
 * Both functions refuse rules that `validateRules` refuses (AppError `validation_failed`).
 *
 * Decisions (each has a test in test/domain/slots.test.ts; the invariants are properties in slots-properties.test.ts):
 * - Candidate start times lie on a grid from the working-hours start, `stepMinutes` (default 15) apart in real
 *   time, every working day from today (recruiter-local) up to `now + horizonDays` (local calendar days). A start
 *   whose slot would run past the end of working hours is hidden as `outside_working_hours`.
 * - A candidate's first reason, in this order: `outside_working_hours`, `too_soon` (before `now + notice`, the past
 *   included), `daily_cap`, `busy` (the slot itself overlaps busy time or a booking), `buffer` (only the slot with its
 *   buffers does).
 * - Bookings block with their own buffers too, so two booked interviews are `after + before` apart: the same as an
 *   exclusion constraint over buffered ranges, and what a recruiter means by a buffer. Busy time blocks as it is.
 * - Daily cap: a recruiter-local day that already holds `dailyCap` bookings (counted by their start) offers nothing;
 *   any other day offers its slots. A proposal books once, so offering more than the remaining cap is harmless,
 *   and `checkSlot` at booking time refuses the booking that would go over it.
 * - The offered slots are disjoint: each day's free starts are packed greedily from the morning. When there are
 *   more than `maxSlots`, they are spread over the days and the hours (slot-spread.ts), then sorted.
 * - `hidden` merges consecutive hidden starts of one day with the same reason into one entry that runs from the
 *   first hidden start to the end of the last hidden slot; at most MAX_HIDDEN entries (`hiddenTruncated` says so).
 */
import { AppError } from './errors.ts';
import {
  DEFAULT_MINIMUM_NOTICE_MINUTES,
  DEFAULT_STEP_MINUTES,
  DURATIONS,
  type DurationMinutes,
  MAX_BUFFER_MINUTES,
  MAX_HORIZON_DAYS,
  MAX_SLOTS,
  validateRules,
} from './slot-rules.ts';
import { type FreeDay, spreadSlots } from './slot-spread.ts';
import { addLocalDays, localDate, localDates, type WorkingWindow, workingWindow } from './working-day.ts';

export { describeSlot } from './slot-text.ts';
export {
  DEFAULT_MINIMUM_NOTICE_MINUTES,
  DEFAULT_STEP_MINUTES,
  DURATIONS,
  type DurationMinutes,
  MAX_BUFFER_MINUTES,
  MAX_HORIZON_DAYS,
  MAX_SLOTS,
  validateRules,
};

/** At most this many hidden entries are reported; enough for a month of a busy calendar, merged. */
export const MAX_HIDDEN = 400;

/** ISO weekday 1 = Monday … 7 = Sunday; times 'HH:MM' (24 h) in the recruiter's zone; end > start. */
export interface WorkingHours {
  days: number[];
  start: string;
  end: string;
}

export interface SlotRules {
  /** The recruiter's IANA zone. */
  timeZone: string;
  durationMinutes: DurationMinutes;
  workingHours: WorkingHours;
  /** Default 720 (12 h). */
  minimumNoticeMinutes: number;
  /** 0..120. */
  bufferBeforeMinutes: number;
  /** 0..120. */
  bufferAfterMinutes: number;
  /** Interviews per recruiter-local day, existing bookings count; null for no cap. */
  dailyCap: number | null;
  /** At most this many slots offered (1..50). */
  maxSlots: number;
  /** 1..30, from `now`. */
  horizonDays: number;
  /** Start-time granularity in minutes (5, 10, 15, 20, 30 or 60), default 15. */
  stepMinutes?: number;
}

export interface Interval {
  start: Date;
  end: Date;
}

export type HiddenReason = 'busy' | 'outside_working_hours' | 'too_soon' | 'buffer' | 'daily_cap';

export interface SlotInput {
  now: Date;
  rules: SlotRules;
  /** From the calendar (busy, tentative and out-of-office all count). */
  busy: Interval[];
  /** The recruiter's booked interviews (without buffers); count toward the cap and buffers. */
  bookings: Interval[];
}

export interface SlotPlan {
  /** Ascending, disjoint, at most maxSlots. */
  slots: Interval[];
  /** Candidate start times within working days that were left out, each with its first reason (for the recruiter). */
  hidden: (Interval & { reason: HiddenReason })[];
  /** True when more hidden entries existed than MAX_HIDDEN. */
  hiddenTruncated: boolean;
}

type Span = readonly [start: number, end: number];

const MINUTE = 60_000;

/** Everything a candidate is checked against, computed once per input. */
interface Context {
  timeZone: string;
  workingHours: WorkingHours;
  duration: number;
  step: number;
  before: number;
  after: number;
  earliest: number;
  latest: number;
  cap: number | null;
  bookingsPerDay: Map<string, number>;
  /** Busy time and bookings as they are, merged and sorted. */
  taken: Span[];
  /** Busy time as it is and bookings with their buffers, merged and sorted. */
  guarded: Span[];
}

/** Sorted, merged spans; empty and unreadable intervals are dropped. */
function merged(spans: Span[]): Span[] {
  const sorted = spans.filter(([start, end]) => start < end).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = out.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

/** Whether [start, end) overlaps any of the sorted, disjoint spans (binary search). */
function overlaps(spans: Span[], start: number, end: number): boolean {
  let low = 0;
  let high = spans.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((spans[middle] as Span)[1] <= start) low = middle + 1;
    else high = middle;
  }
  const next = spans[low];
  return next !== undefined && next[0] < end;
}

function contextOf(input: SlotInput): Context {
  const problem = validateRules(input.rules);
  if (problem !== null) throw new AppError('validation_failed', problem);
  const { rules } = input;
  const now = input.now.getTime();
  if (Number.isNaN(now)) throw new AppError('validation_failed', '`now` is not a time');
  const before = rules.bufferBeforeMinutes * MINUTE;
  const after = rules.bufferAfterMinutes * MINUTE;
  const bookings: Span[] = input.bookings.map((b) => [b.start.getTime(), b.end.getTime()]);
  const busy: Span[] = input.busy.map((b) => [b.start.getTime(), b.end.getTime()]);
  const bookingsPerDay = new Map<string, number>();
  for (const [start, end] of bookings) {
    if (!(start < end)) continue;
    const day = localDate(start, rules.timeZone).toString();
    bookingsPerDay.set(day, (bookingsPerDay.get(day) ?? 0) + 1);
  }
  return {
    timeZone: rules.timeZone,
    workingHours: rules.workingHours,
    duration: rules.durationMinutes * MINUTE,
    step: (rules.stepMinutes ?? DEFAULT_STEP_MINUTES) * MINUTE,
    before,
    after,
    earliest: now + rules.minimumNoticeMinutes * MINUTE,
    latest: addLocalDays(now, rules.horizonDays, rules.timeZone),
    cap: rules.dailyCap,
    bookingsPerDay,
    taken: merged([...busy, ...bookings]),
    guarded: merged([...busy, ...bookings.map(([start, end]): Span => [start - before, end + after])]),
  };
}

/** The first reason a start time in a working window is not offered, or null when it is free. */
function reasonAt(context: Context, window: WorkingWindow, start: number): HiddenReason | null {
  const end = start + context.duration;
  if (start < window.open || end > window.close) return 'outside_working_hours';
  if (start < context.earliest) return 'too_soon';
  if (context.cap !== null && (context.bookingsPerDay.get(window.day) ?? 0) >= context.cap)
    return 'daily_cap';
  if (overlaps(context.taken, start, end)) return 'busy';
  if (overlaps(context.guarded, start - context.before, end + context.after)) return 'buffer';
  return null;
}

/** The slots a proposal offers, and why every other candidate start time is hidden. */
export function computeSlots(input: SlotInput): SlotPlan {
  const context = contextOf(input);
  const hidden: SlotPlan['hidden'] = [];
  let hiddenTruncated = false;
  const freeDays: FreeDay[] = [];
  for (const date of localDates(input.now.getTime(), context.latest, context.timeZone)) {
    const window = workingWindow(date, context.workingHours, context.timeZone);
    if (window === null) continue;
    const free: number[] = [];
    let run: { reason: HiddenReason; first: number; last: number } | null = null;
    const closeRun = () => {
      if (run === null) return;
      if (hidden.length < MAX_HIDDEN) {
        hidden.push({
          start: new Date(run.first),
          end: new Date(run.last + context.duration),
          reason: run.reason,
        });
      } else hiddenTruncated = true;
      run = null;
    };
    for (let start = window.open; start < window.close && start <= context.latest; start += context.step) {
      const reason = reasonAt(context, window, start);
      if (reason === null) {
        closeRun();
        // Greedy packing keeps a day's offered slots disjoint.
        const previous = free.at(-1);
        if (previous === undefined || start >= previous + context.duration) free.push(start);
      } else if (run !== null && run.reason === reason) run.last = start;
      else {
        closeRun();
        run = { reason, first: start, last: start };
      }
    }
    closeRun();
    if (free.length > 0) freeDays.push({ open: window.open, starts: free });
  }
  const slots = spreadSlots(freeDays, input.rules.maxSlots).map((start) => ({
    start: new Date(start),
    end: new Date(start + context.duration),
  }));
  return { slots, hidden, hiddenTruncated };
}

/**
 * Re-check of one chosen slot at booking time: null when still open, else why not. To move a booking, leave it
 * (and its own calendar event) out of `bookings` and `busy`, or it blocks itself.
 */
export function checkSlot(input: SlotInput, slot: Interval): HiddenReason | 'not_offered' | null {
  const context = contextOf(input);
  const start = slot.start.getTime();
  if (!(slot.end.getTime() - start === context.duration) || start > context.latest) return 'not_offered';
  const window = workingWindow(localDate(start, context.timeZone), context.workingHours, context.timeZone);
  if (window === null) return 'outside_working_hours';
  const reason = reasonAt(context, window, start);
  if (reason !== null) return reason;
  return (start - window.open) % context.step === 0 ? null : 'not_offered';
}
