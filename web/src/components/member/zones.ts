/**
 * Time zones for the candidate's pages (R18): the browser's own zone, the IANA zones to choose from, and a
 * time in words exactly as the API and the InMail texts write it (src/domain/slot-text.ts), so the page, the
 * conversation and the email never disagree. Formatting is Intl's, never a hand-written offset.
 */

/** The browser's IANA zone (`Intl`), or UTC when it names none. */
export function detectedZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Every IANA zone this browser knows, with `extra` (the detected and the recruiter's zone) always among them. */
export function zoneChoices(...extra: string[]): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([...known, 'UTC', ...extra])].sort((a, b) => a.localeCompare(b));
}

/** "Tue 8 Dec, 14:30–15:00 (Europe/Berlin)". */
export function slotInZone(slot: { start: string; end: string }, timeZone: string): string {
  const day = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  });
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const start = new Date(slot.start);
  const end = new Date(slot.end);
  const endDay = day.format(end);
  const until = endDay === day.format(start) ? time.format(end) : `${endDay}, ${time.format(end)}`;
  return `${day.format(start)}, ${time.format(start)}–${until} (${timeZone})`;
}
