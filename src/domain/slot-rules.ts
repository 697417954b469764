/**
 * The checks on a recruiter's slot rules (R18) before any slot is computed from them. The API's schemas check
 * shapes; this checks what a schema cannot say (a real IANA zone, end after start, hours long enough for the
 * duration) and the product's bounds, and returns plain words for the first problem, so the recruiter can fix it.
 */
import type { SlotRules } from './slots.ts';
import { isIanaZone } from './working-day.ts';

/** The product's durations (R18, decided). */
export const DURATIONS = [15, 30, 45, 60] as const;
export type DurationMinutes = (typeof DURATIONS)[number];
/** A proposal looks at most this many days ahead (R18, decided). */
export const MAX_HORIZON_DAYS = 30;
/** No slot within the next 12 hours unless the recruiter says otherwise (R18, decided). */
export const DEFAULT_MINIMUM_NOTICE_MINUTES = 720;
/** Candidate start times are this many minutes apart unless the rules say otherwise. */
export const DEFAULT_STEP_MINUTES = 15;
export const MAX_BUFFER_MINUTES = 120;
export const MAX_SLOTS = 50;

/** `HH:MM` on a 24-hour clock; `24:00` only as an end (midnight at the end of the day). */
const CLOCK = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

function minutesOf(clock: string): number {
  if (clock === '24:00') return 24 * 60;
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3));
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Validates rules from user input; returns words for the first problem (bad zone, end ≤ start, cap < 1, …). */
export function validateRules(rules: SlotRules): string | null {
  if (typeof rules.timeZone !== 'string' || !isIanaZone(rules.timeZone)) {
    return `"${String(rules.timeZone)}" is not an IANA time zone (such as Europe/Berlin)`;
  }
  if (!(DURATIONS as readonly number[]).includes(rules.durationMinutes)) {
    return `the duration must be one of ${DURATIONS.join(', ')} minutes`;
  }
  const hours = rules.workingHours;
  if (!Array.isArray(hours?.days) || hours.days.length === 0) return 'working hours need at least one day';
  if (!hours.days.every((day) => isIntegerIn(day, 1, 7))) return 'working days are 1 (Monday) to 7 (Sunday)';
  if (new Set(hours.days).size !== hours.days.length) return 'a working day is listed twice';
  if (typeof hours.start !== 'string' || !CLOCK.test(hours.start)) {
    return 'working hours start at a time HH:MM (24-hour clock)';
  }
  if (typeof hours.end !== 'string' || !(CLOCK.test(hours.end) || hours.end === '24:00')) {
    return 'working hours end at a time HH:MM (24-hour clock, 24:00 for midnight)';
  }
  if (minutesOf(hours.end) <= minutesOf(hours.start)) return 'working hours must end after they start';
  if (minutesOf(hours.end) - minutesOf(hours.start) < rules.durationMinutes) {
    return `working hours are shorter than one ${rules.durationMinutes}-minute interview`;
  }
  if (!isIntegerIn(rules.minimumNoticeMinutes, 0, MAX_HORIZON_DAYS * 24 * 60)) {
    return `the minimum notice is a whole number of minutes from 0 to ${MAX_HORIZON_DAYS} days`;
  }
  if (!isIntegerIn(rules.bufferBeforeMinutes, 0, MAX_BUFFER_MINUTES)) {
    return `the buffer before is 0 to ${MAX_BUFFER_MINUTES} minutes`;
  }
  if (!isIntegerIn(rules.bufferAfterMinutes, 0, MAX_BUFFER_MINUTES)) {
    return `the buffer after is 0 to ${MAX_BUFFER_MINUTES} minutes`;
  }
  if (rules.dailyCap !== null && !isIntegerIn(rules.dailyCap, 1, 24 * 4)) {
    return 'the daily cap is at least 1 interview a day (or none)';
  }
  if (!isIntegerIn(rules.maxSlots, 1, MAX_SLOTS)) return `at most 1 to ${MAX_SLOTS} slots can be offered`;
  if (!isIntegerIn(rules.horizonDays, 1, MAX_HORIZON_DAYS)) {
    return `the horizon is 1 to ${MAX_HORIZON_DAYS} days`;
  }
  if (
    rules.stepMinutes !== undefined &&
    !(isIntegerIn(rules.stepMinutes, 5, 60) && 60 % rules.stepMinutes === 0)
  ) {
    return 'start times are 5, 10, 15, 20, 30 or 60 minutes apart';
  }
  return null;
}
