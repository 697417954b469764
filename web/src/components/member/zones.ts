/**
 * Time zones for the candidate's pages (R18): the browser's own zone, the IANA zones to choose from, and a
 * time in words by the very code the API and the InMail texts write it with (src/domain/slot-text.ts, pure and
 * free of Node, built into the web app), so the page, the conversation and the email never disagree.
 */
import { describeSlot } from '../../../../src/domain/slot-text.ts';

/** The browser's IANA zone (`Intl`), or UTC when it names none. */
export function detectedZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Every IANA zone this browser knows, with `extra` (the detected and the recruiter's zone) always among them. */
export function zoneChoices(...extra: string[]): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([...known, 'UTC', ...extra])].sort((a, b) => a.localeCompare(b));
}

/** "Tue 8 Dec, 14:30–15:00 (Europe/Berlin)": the API's and the InMail texts' own words for a slot. */
export function slotInZone(slot: { start: string; end: string }, timeZone: string): string {
  return describeSlot({ start: new Date(slot.start), end: new Date(slot.end) }, timeZone);
}
