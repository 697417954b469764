/**
 * A recruiter's working day as real time (R18): working hours are wall-clock times in the recruiter's IANA zone,
 * so 09:00–17:00 stays 09:00–17:00 local on a daylight-saving day, and the real length changes only when the hours
 * span the change (00:00–06:00 is 5 or 7 real hours then). All zone arithmetic goes through the Temporal polyfill;
 * nothing here adds an offset by hand.
 *
 * A wall-clock time that does not exist (skipped by a spring-forward) or exists twice (repeated by a fall-back)
 * is resolved with Temporal's `disambiguation: 'compatible'`, the default of `PlainDate.toZonedDateTime`: a
 * skipped time moves forward by the length of the gap (02:30 on a New York spring-forward night is 03:30 EDT), a
 * repeated time takes the earlier of its two instants (01:30 on a fall-back night is 01:30 EDT).
 */
import { Temporal } from 'temporal-polyfill';

/** One recruiter-local day's working hours, as epoch milliseconds [open, close). */
export interface WorkingWindow {
  /** The local date, `YYYY-MM-DD`: the key the daily cap counts by. */
  day: string;
  open: number;
  close: number;
}

/** The local date of an instant in a zone. */
export function localDate(epochMs: number, timeZone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(timeZone).toPlainDate();
}

/** The instant of a wall-clock `HH:MM` on a local date; `24:00` is the start of the next day. */
export function wallClock(date: Temporal.PlainDate, time: string, timeZone: string): number {
  if (time === '24:00') return date.add({ days: 1 }).toZonedDateTime({ timeZone }).epochMilliseconds;
  return date.toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from(time) }).epochMilliseconds;
}

/** The working window of one local date, or null when the date is not a working day. */
export function workingWindow(
  date: Temporal.PlainDate,
  hours: { days: readonly number[]; start: string; end: string },
  timeZone: string,
): WorkingWindow | null {
  if (!hours.days.includes(date.dayOfWeek)) return null;
  return {
    day: date.toString(),
    open: wallClock(date, hours.start, timeZone),
    close: wallClock(date, hours.end, timeZone),
  };
}

/** `days` calendar days after an instant in a zone (wall-clock, so a DST day counts as one day). */
export function addLocalDays(epochMs: number, days: number, timeZone: string): number {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(timeZone).add({ days })
    .epochMilliseconds;
}

/** Every local date from the one holding `fromMs` to the one holding `toMs`, both included. */
export function localDates(fromMs: number, toMs: number, timeZone: string): Temporal.PlainDate[] {
  const last = localDate(toMs, timeZone);
  const dates: Temporal.PlainDate[] = [];
  for (
    let date = localDate(fromMs, timeZone);
    Temporal.PlainDate.compare(date, last) <= 0;
    date = date.add({ days: 1 })
  ) {
    dates.push(date);
  }
  return dates;
}

/** Whether a string names a time zone the library knows as an IANA region (not a bare `+05:30` offset). */
export function isIanaZone(timeZone: string): boolean {
  if (!/^[A-Za-z]/.test(timeZone)) return false;
  try {
    Temporal.Now.zonedDateTimeISO(timeZone);
    return true;
  } catch {
    return false;
  }
}
