/**
 * A slot in words for InMail texts (R18): both sides see a proposal and a confirmation in their own zone, with the
 * zone named, so "14:30" never leaves anyone guessing whose 14:30. Formatting is Intl's (the runtime's ICU data),
 * never a hand-written offset.
 */
import type { Interval } from './slots.ts';

/** "Tue 8 Dec, 14:30–15:00 (Europe/Berlin)": a slot in a zone, for InMail texts, both sides. */
export function describeSlot(slot: Interval, timeZone: string, locale = 'en-GB'): string {
  const day = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'short', day: 'numeric', month: 'short' });
  const time = new Intl.DateTimeFormat(locale, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const startDay = day.format(slot.start);
  const endDay = day.format(slot.end);
  const end = endDay === startDay ? time.format(slot.end) : `${endDay}, ${time.format(slot.end)}`;
  return `${startDay}, ${time.format(slot.start)}–${end} (${timeZone})`;
}
