/**
 * Calendars and events as Calendar v3 shows them (the `Events` resource). Deleting an event keeps it as
 * `status: "cancelled"` (events.get still returns it; a second delete answers 410). A Meet conference asked
 * for with `conferenceData.createRequest` may be created asynchronously, as the ConferenceData reference
 * allows (`status.statusCode` `pending`), but in practice Meet answers `success` (with `entryPoints`,
 * `conferenceId` and the event's `hangoutLink`) in the insert response itself, so that is the default.
 * A conference fault set on the calendar (control API) makes the insert answer `pending` and then
 * `success` on the next read (`pending`), `pending` forever (`stuck`), or `failure` on that read (`fail`).
 * Each event also counts the invitations, updates and cancellations Google would have emailed its guests
 * (a write with `sendUpdates` `all` or `externalOnly` and guests besides the owner).
 */

import type { Random } from '../random.ts';
import { wallClock } from '../time-zone.ts';

export interface EventTime {
  dateTime?: string;
  date?: string;
  timeZone?: string;
}

export interface CalendarEvent {
  id: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  created: number;
  updated: number;
  sequence: number;
  start: EventTime;
  end: EventTime;
  /** Other fields as the client sent them (summary, description, location, attendees, transparency, …). */
  fields: Record<string, unknown>;
  conference?: {
    requestId: string;
    type: string;
    meetCode: string;
    status: 'pending' | 'success' | 'failure';
    /** The calendar's conference fault when the event was made. */
    fault?: ConferenceFault | undefined;
  };
  /** The `sendUpdates` of the last write, so tests can see who Google would have emailed. */
  sendUpdates: string;
  /** Emails to the guests Google would have sent. */
  sent: { invitations: number; updates: number; cancellations: number };
}

/** `pending`: made on the first read after insert; `stuck`: stays `pending`; `fail`: becomes `failure`. */
export type ConferenceFault = 'pending' | 'stuck' | 'fail';

export interface Calendar {
  email: string;
  events: Map<string, CalendarEvent>;
  conferenceFault?: ConferenceFault | undefined;
}

/** Whether a write with this `sendUpdates` emails the event's guests (anyone but the owner). */
export function notifies(calendar: Calendar, event: CalendarEvent, sendUpdates: string): boolean {
  const attendees = Array.isArray(event.fields.attendees)
    ? (event.fields.attendees as { email?: unknown }[])
    : [];
  const guests = attendees.some((attendee) => String(attendee.email).toLowerCase() !== calendar.email);
  return guests && (sendUpdates === 'all' || sendUpdates === 'externalOnly');
}

/** An event id as Google makes them: 26 base32hex characters. */
export function newEventId(random: Random): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  let id = '';
  for (let i = 0; i < 26; i += 1) id += alphabet[Math.floor(random.next() * 32)];
  return id;
}

/** A Meet code, `xxx-yyyy-zzz`. */
export function newMeetCode(random: Random): string {
  const part = (length: number) =>
    Array.from({ length }, () => String.fromCharCode(97 + Math.floor(random.next() * 26))).join('');
  return `${part(3)}-${part(4)}-${part(3)}`;
}

/** Epoch ms of an event time (a dateTime with offset, a local dateTime in `timeZone`, or an all-day date). */
export function instant(time: EventTime): number {
  if (time.date) return Date.parse(`${time.date}T00:00:00Z`);
  const text = time.dateTime ?? '';
  if (/(Z|[+-]\d\d:\d\d)$/i.test(text)) return Date.parse(text);
  const asUtc = Date.parse(`${text}Z`);
  if (!time.timeZone || Number.isNaN(asUtc)) return asUtc;
  return asUtc - zoneOffsetMs(asUtc, time.timeZone);
}

function zoneOffsetMs(at: number, timeZone: string): number {
  try {
    return wallClock(at, timeZone) - at;
  } catch {
    return 0;
  }
}

/** Whether the calendar's owner declined the event (their attendee entry says so). */
export function declinedByOwner(calendar: Calendar, event: CalendarEvent): boolean {
  const attendees = Array.isArray(event.fields.attendees)
    ? (event.fields.attendees as { email?: unknown; responseStatus?: unknown }[])
    : [];
  return attendees.some(
    (attendee) =>
      String(attendee.email).toLowerCase() === calendar.email && attendee.responseStatus === 'declined',
  );
}

/** Busy intervals of a calendar within [min, max): opaque, not cancelled or declined, merged, clipped. */
export function busyIntervals(
  calendar: Calendar,
  min: number,
  max: number,
): { start: number; end: number }[] {
  const spans = [...calendar.events.values()]
    .filter(
      (event) =>
        event.status !== 'cancelled' &&
        event.fields.transparency !== 'transparent' &&
        !declinedByOwner(calendar, event),
    )
    .map((event) => ({ start: Math.max(min, instant(event.start)), end: Math.min(max, instant(event.end)) }))
    .filter((span) => span.start < span.end)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString();

/** The event as Calendar v3 returns it. */
export function eventJson(calendar: Calendar, event: CalendarEvent): Record<string, unknown> {
  const owner = { email: calendar.email, self: true };
  const json: Record<string, unknown> = {
    kind: 'calendar#event',
    etag: `"${event.updated * 1000 + event.sequence}"`,
    id: event.id,
    status: event.status,
    htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${event.id} ${calendar.email}`).toString('base64url')}`,
    created: rfc3339(event.created),
    updated: rfc3339(event.updated),
    ...event.fields,
    creator: owner,
    organizer: owner,
    start: event.start,
    end: event.end,
    iCalUID: `${event.id}@google.com`,
    sequence: event.sequence,
  };
  if (Array.isArray(event.fields.attendees)) {
    json.attendees = (event.fields.attendees as Record<string, unknown>[]).map((attendee) => ({
      ...attendee,
      ...(String(attendee.email).toLowerCase() === calendar.email ? { self: true } : {}),
      responseStatus: attendee.responseStatus ?? 'needsAction',
    }));
  }
  const conference = event.conference;
  if (conference) {
    const createRequest = {
      requestId: conference.requestId,
      conferenceSolutionKey: { type: conference.type },
      status: { statusCode: conference.status },
    };
    if (conference.status === 'success') {
      const uri = `https://meet.google.com/${conference.meetCode}`;
      json.hangoutLink = uri;
      json.conferenceData = {
        createRequest,
        entryPoints: [{ entryPointType: 'video', uri, label: `meet.google.com/${conference.meetCode}` }],
        conferenceSolution: {
          key: { type: conference.type },
          name: 'Google Meet',
          iconUri:
            'https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png',
        },
        conferenceId: conference.meetCode,
      };
    } else json.conferenceData = { createRequest };
  }
  json.reminders = event.fields.reminders ?? { useDefault: true };
  json.eventType = event.fields.eventType ?? 'default';
  return json;
}
