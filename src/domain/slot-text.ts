/**
 * A slot in words for InMail texts (R18): both sides see a proposal and a confirmation in their own zone, with the
 * zone named, so "14:30" never leaves anyone guessing whose 14:30. Formatting is Intl's (the runtime's ICU data),
 * never a hand-written offset.
 *
 * The web app builds this very file in (web/src/components/member/zones.ts), so its pages write a time as the API
 * and the InMail texts do: it imports nothing, and uses nothing of Node's.
 */

/** "Tue 8 Dec, 14:30–15:00 (Europe/Berlin)": a slot (an `Interval` of slots.ts) in a zone, both sides. */
export function describeSlot(slot: { start: Date; end: Date }, timeZone: string, locale = 'en-GB'): string {
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
