/**
 * Microsoft Graph calendar as a `CalendarSource` (R18): free/busy of the mailbox's own calendar
 * (`POST /me/calendar/getSchedule`) and the interview event on its primary calendar, with a Teams link.
 *
 * - Free/busy: the schedule items of the mailbox's own schedule, times in UTC
 *   (`Prefer: outlook.timezone="UTC"`), in windows of the 62 days getSchedule answers at most. `busy`,
 *   `tentative` and `oof` are busy time; `free` and `workingElsewhere` are not.
 * - Creation is idempotent: the caller's key is the event's `transactionId`, which Graph keeps "to avoid
 *   redundant POST operations in case of client retries", so a retried create answers the same event.
 *   `isOnlineMeeting: true` with `onlineMeetingProvider: "teamsForBusiness"` asks for the Teams meeting;
 *   Graph sends the invitation to the attendees itself. A create answered without
 *   `onlineMeeting.joinUrl` is read again a few times; still none is a `failed` conference.
 * - Moves patch only `start` and `end` (the online meeting stays); the organizer's `cancel` action removes
 *   the event and sends the attendees a cancellation (plain DELETE would not tell them).
 * - An event gone reads as null; `isCancelled` or the mailbox's own `responseStatus` `declined`, as cancelled.
 * Requests go through the mail adapter's Graph client: its mailbox gates and its 429/503/504 retries.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MicrosoftConfig } from '../../config.ts';
import { ProviderError } from '../errors.ts';
import type { BusyInterval, CalendarEvent, CalendarSource, Conference, NewCalendarEvent } from '../types.ts';
import { mapGraphError } from './errors.ts';
import { createGraphClient, type GraphClientOptions } from './graph.ts';

/** Scopes that let a Graph grant read free/busy and write events on the user's own calendar. */
const CALENDAR_SCOPES = ['Calendars.ReadWrite', 'Calendars.ReadWrite.Shared'];

/** Whether a Microsoft grant's scopes cover scheduling (scopes come with or without the Graph prefix). */
export function hasMicrosoftCalendarScope(scopes: readonly string[]): boolean {
  return scopes.some((scope) =>
    CALENDAR_SCOPES.includes(scope.replace(/^https:\/\/graph\.microsoft\.com\//i, '')),
  );
}

export interface MicrosoftCalendarOptions extends GraphClientOptions {
  /** Reads of an event created without its join URL before the conference counts as failed (default 4). */
  conferenceReads?: number;
  /** First wait between those reads, doubled each time (default 250 ms). */
  conferenceBackoffMs?: number;
}

const UTC = 'outlook.timezone="UTC"';
/** One digit of the availability view per this many minutes; the items, not the view, are read. */
const VIEW_INTERVAL_MINUTES = 60;
/** getSchedule answers at most 62 days at once; longer ranges are asked for in windows of this size. */
const WINDOW_MS = 62 * 86_400_000;
const BUSY: Record<string, BusyInterval['status']> = {
  busy: 'busy',
  tentative: 'tentative',
  oof: 'out_of_office',
};

export function createMicrosoftCalendar(
  config: MicrosoftConfig,
  options: MicrosoftCalendarOptions = {},
): CalendarSource {
  const graph = createGraphClient(config, options);
  const conferenceReads = options.conferenceReads ?? 4;
  const conferenceBackoffMs = options.conferenceBackoffMs ?? 250;
  const path = (id: string) => `me/events/${encodeURIComponent(id)}`;

  async function read(accessToken: string, id: string): Promise<GraphEvent | null> {
    const response = await graph.request(accessToken, { path: path(id), prefer: [UTC] });
    if (response.status === 404) return null;
    if (response.status !== 200) throw mapGraphError(response, 'events.get');
    return response.body as GraphEvent;
  }

  /** Busy time of one getSchedule window. */
  async function schedule(accessToken: string, address: string, range: { start: Date; end: Date }) {
    const response = await graph.ok(
      accessToken,
      {
        method: 'POST',
        path: 'me/calendar/getSchedule',
        prefer: [UTC],
        json: {
          schedules: [address],
          startTime: { dateTime: graphUtc(range.start), timeZone: 'UTC' },
          endTime: { dateTime: graphUtc(range.end), timeZone: 'UTC' },
          availabilityViewInterval: VIEW_INTERVAL_MINUTES,
        },
      },
      'calendar.getSchedule',
    );
    const answer = (response.body as { value?: ScheduleInformation[] }).value?.[0];
    if (!answer || answer.error) {
      throw new ProviderError(
        'permanent',
        `Microsoft Graph calendar.getSchedule: ${answer?.error?.message ?? 'no schedule answered'}`,
        { code: answer?.error?.responseCode },
      );
    }
    return (answer.scheduleItems ?? []).flatMap((item): BusyInterval[] => {
      const status = BUSY[item.status];
      if (!status) return [];
      const start = Math.max(fromGraph(item.start).getTime(), range.start.getTime());
      const end = Math.min(fromGraph(item.end).getTime(), range.end.getTime());
      return start < end ? [{ start: new Date(start), end: new Date(end), status }] : [];
    });
  }

  return {
    hasCalendarScope: hasMicrosoftCalendarScope,

    async freeBusy(accessToken, address, range) {
      const busy: BusyInterval[] = [];
      for (let from = range.start.getTime(); from < range.end.getTime(); from += WINDOW_MS) {
        const to = Math.min(from + WINDOW_MS, range.end.getTime());
        busy.push(...(await schedule(accessToken, address, { start: new Date(from), end: new Date(to) })));
      }
      return busy;
    },

    async createEvent(accessToken, event) {
      const response = await graph.ok(
        accessToken,
        { method: 'POST', path: 'me/events', prefer: [UTC], json: createBody(event) },
        'events.create',
      );
      let created = response.body as GraphEvent;
      for (
        let attempt = 0;
        event.conference && !joinUrl(created) && attempt < conferenceReads;
        attempt += 1
      ) {
        await sleep(conferenceBackoffMs * 2 ** attempt);
        created = (await read(accessToken, created.id)) ?? created;
      }
      return toCalendarEvent(created, event.conference);
    },

    async getEvent(accessToken, id) {
      const event = await read(accessToken, id);
      return event && toCalendarEvent(event, event.isOnlineMeeting === true);
    },

    async moveEvent(accessToken, id, time) {
      const response = await graph.ok(
        accessToken,
        {
          method: 'PATCH',
          path: path(id),
          prefer: [UTC],
          json: { start: graphTime(time.start, time.timeZone), end: graphTime(time.end, time.timeZone) },
        },
        'events.update',
      );
      const moved = response.body as GraphEvent;
      return toCalendarEvent(moved, moved.isOnlineMeeting === true);
    },

    async cancelEvent(accessToken, id) {
      const response = await graph.request(accessToken, {
        method: 'POST',
        path: `${path(id)}/cancel`,
        json: { comment: 'This interview has been cancelled.' },
      });
      if (response.status === 404) return;
      if (response.status < 200 || response.status >= 300) throw mapGraphError(response, 'events.cancel');
    },
  };
}

interface GraphTime {
  dateTime: string;
  timeZone: string;
}

interface ScheduleInformation {
  scheduleId: string;
  scheduleItems?: { status: string; start: GraphTime; end: GraphTime }[];
  error?: { message?: string; responseCode?: string };
}

/** The parts of a Graph `event` read here. */
interface GraphEvent {
  id: string;
  iCalUId: string;
  start: GraphTime;
  end: GraphTime;
  isCancelled?: boolean;
  isOnlineMeeting?: boolean;
  responseStatus?: { response?: string };
  onlineMeeting?: { joinUrl?: string } | null;
}

/** An instant as Graph's UTC `dateTime` (no offset: the zone is given beside it). */
function graphUtc(at: Date): string {
  return at.toISOString().replace('Z', '');
}

/** An instant as the wall-clock time in an IANA zone (Graph accepts IANA names), read with Intl. */
function graphTime(at: Date, timeZone: string): GraphTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((part) => part.type === type)?.value ?? '';
  return {
    dateTime: `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`,
    timeZone,
  };
}

/** A Graph `dateTimeTimeZone` asked for in UTC as an instant. */
function fromGraph(time: GraphTime): Date {
  if (time.timeZone && time.timeZone !== 'UTC')
    throw new ProviderError('permanent', `Graph answered a time in ${time.timeZone}, not UTC`);
  return new Date(/(Z|[+-]\d\d:\d\d)$/i.test(time.dateTime) ? time.dateTime : `${time.dateTime}Z`);
}

function createBody(event: NewCalendarEvent): Record<string, unknown> {
  return {
    transactionId: event.key,
    subject: event.subject,
    body: { contentType: 'text', content: event.description },
    start: graphTime(event.start, event.timeZone),
    end: graphTime(event.end, event.timeZone),
    attendees: [
      { type: 'required', emailAddress: { address: event.attendee.address, name: event.attendee.name } },
    ],
    allowNewTimeProposals: false,
    ...(event.conference ? { isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness' } : {}),
  };
}

const joinUrl = (event: GraphEvent) => event.onlineMeeting?.joinUrl || undefined;

function toCalendarEvent(event: GraphEvent, conferenceAsked: boolean): CalendarEvent {
  const url = joinUrl(event);
  const conference: Conference | null = url
    ? { status: 'ready', url }
    : conferenceAsked
      ? { status: 'failed' }
      : null;
  return {
    id: event.id,
    iCalUid: event.iCalUId,
    start: fromGraph(event.start),
    end: fromGraph(event.end),
    status: event.isCancelled || event.responseStatus?.response === 'declined' ? 'cancelled' : 'confirmed',
    conference,
  };
}
