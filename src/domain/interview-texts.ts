/**
 * The InMail texts scheduling posts into a conversation (R18). Every time is written in both zones, the
 * candidate's and the recruiter's, each named, so nobody guesses whose 14:30; every change says who made it.
 */
import { describeSlot, type Interval } from './slots.ts';

export interface Zones {
  candidate: string;
  recruiter: string;
}

/** "Tue 8 Dec, 14:30–15:00 (Europe/Berlin); for the recruiter Tue 8 Dec, 08:30–09:00 (America/New_York)". */
export function bothZones(slot: Interval, zones: Zones): string {
  const candidate = describeSlot(slot, zones.candidate);
  return zones.candidate === zones.recruiter
    ? candidate
    : `${candidate}; for the recruiter ${describeSlot(slot, zones.recruiter)}`;
}

export function proposalText(input: {
  link: string;
  slots: Interval[];
  recruiterZone: string;
  expiresAt: Date;
}): string {
  const shown = input.slots.slice(0, 5).map((slot) => `- ${describeSlot(slot, input.recruiterZone)}`);
  const more = input.slots.length > shown.length ? [`- and ${input.slots.length - shown.length} more`] : [];
  return [
    `Please pick a time for a screening interview: ${input.link}`,
    'The times open in your own time zone there. Some of them:',
    ...shown,
    ...more,
    `This offer expires ${momentIn(input.expiresAt, input.recruiterZone)}.`,
  ].join('\n');
}

/** "8 Dec 2026, 14:30 (Europe/Berlin)". */
function momentIn(at: Date, timeZone: string): string {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
    hourCycle: 'h23',
  });
  return `${format.format(at)} (${timeZone})`;
}

/** Whether and how the video link exists, in words. */
function conferenceLine(conference: { status: 'ready' | 'pending' | 'failed'; url: string | null }): string {
  if (conference.status === 'ready' && conference.url) return `Join: ${conference.url}`;
  if (conference.status === 'pending')
    return 'The video link is still being made; it will follow in this conversation.';
  return 'No video link could be created for this interview. The recruiter will send one here before it starts.';
}

export function confirmationText(input: {
  slot: Interval;
  zones: Zones;
  conference: { status: 'ready' | 'pending' | 'failed'; url: string | null };
}): string {
  return [
    `Interview booked: ${bothZones(input.slot, input.zones)}.`,
    'A calendar invitation is on its way.',
    conferenceLine(input.conference),
  ].join('\n');
}

export function linkReadyText(url: string): string {
  return `The video link for the interview is ready. Join: ${url}`;
}

export function movedText(input: {
  by: 'recruiter' | 'candidate';
  slot: Interval;
  zones: Zones;
  conference: { status: 'ready' | 'pending' | 'failed'; url: string | null };
}): string {
  return [
    `The ${input.by} moved the interview to ${bothZones(input.slot, input.zones)}.`,
    'The calendar invitation is updated; the link stays the same.',
    conferenceLine(input.conference),
  ].join('\n');
}

export function cancelledText(input: {
  by: 'recruiter' | 'candidate' | 'calendar';
  slot: Interval;
  zones: Zones;
}): string {
  const who =
    input.by === 'calendar'
      ? "The interview was removed or declined in the recruiter's calendar, so it is cancelled"
      : `The ${input.by} cancelled the interview`;
  return `${who}: ${bothZones(input.slot, input.zones)}.`;
}

export function reminderText(input: {
  slot: Interval;
  zones: Zones;
  conference: { status: 'ready' | 'pending' | 'failed'; url: string | null };
}): string {
  return [
    `Reminder: your interview is tomorrow, ${bothZones(input.slot, input.zones)}.`,
    conferenceLine(input.conference),
  ].join('\n');
}
