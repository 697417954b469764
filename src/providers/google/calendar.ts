/**
 * Google Calendar v3 as a `CalendarSource` (R18): free/busy of the mailbox's own calendar
 * (`freeBusy.query`) and the interview event on its primary calendar, with a Meet link.
 *
 * - Creation is idempotent: the event id is chosen here from the caller's key (the hex of its SHA-256,
 *   valid base32hex), so a retried insert answers 409 `duplicate` and the existing event is read instead.
 * - The Meet conference is asked for with `conferenceDataVersion=1` and a `hangoutsMeet` create request
 *   whose `requestId` is the key. Google makes it asynchronously: while `createRequest.status.statusCode`
 *   is `pending` the event is read again a few times with backoff; `failure` is a `failed` conference,
 *   never an event silently without a link.
 * - Moves patch only `start` and `end`: patch leaves the fields it is not given unchanged ("Events: patch"),
 *   so the conference, iCalUID and id stay. Every write has `sendUpdates=all`: Google emails the invitation,
 *   the update and the cancellation.
 * - An event deleted in the calendar reads as `status: cancelled` (or 404/410); one whose organizer (the
 *   mailbox) declined it, as cancelled too.
 * Rate limits (429, or 403 `rateLimitExceeded` and its kin) and 5xx answers are retried in process when the
 * wait is short, as the batch client does; past that they go to the caller as `rate_limited` (with
 * `retryAfterMs`) or `transient`.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GoogleConfig } from '../../config.ts';
import { ProviderError } from '../errors.ts';
import { type ApiRequest, type ApiResponse, send } from '../http.ts';
import type { BusyInterval, CalendarEvent, CalendarSource, Conference, NewCalendarEvent } from '../types.ts';
import { mapGoogleApiError } from './errors.ts';

/** Scopes that let a grant read free/busy, and those that let it write events (the OAuth scopes page). */
const FREEBUSY_SCOPES = [
  'https://www.googleapis.com/auth/calendar',
  'https://www.googleapis.com/auth/calendar.readonly',
  'https://www.googleapis.com/auth/calendar.freebusy',
  'https://www.googleapis.com/auth/calendar.events.freebusy',
];
const EVENT_SCOPES = [
  'https://www.googleapis.com/auth/calendar',
  'https://www.googleapis.com/auth/calendar.events',
  'https://www.googleapis.com/auth/calendar.events.owned',
];

/** Whether a Google grant's scopes cover scheduling: free/busy read and event write. */
export function hasGoogleCalendarScope(scopes: readonly string[]): boolean {
  return (
    scopes.some((scope) => FREEBUSY_SCOPES.includes(scope)) && scopes.some((s) => EVENT_SCOPES.includes(s))
  );
}

export interface GoogleCalendarOptions {
  /** Reads of a `pending` conference before returning it pending (default 4: under 4 s in all). */
  conferenceReads?: number;
  /** First wait between those reads, doubled each time (default 250 ms). */
  conferenceBackoffMs?: number;
  /** Tries of one call answered 429/5xx before the error goes to the caller (default 3). */
  maxAttempts?: number;
}

/** A longer `Retry-After` is the caller's to wait out (a job rescheduled), not ours to sleep through. */
const MAX_WAIT_MS = 10_000;
const BACKOFF_MS = 500;

/** The Google event id for an idempotency key: 64 hex digits, a valid base32hex id ([a-v0-9], 5–1024). */
export function googleEventId(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function createGoogleCalendar(
  config: GoogleConfig,
  options: GoogleCalendarOptions = {},
): CalendarSource {
  const api = `${config.apiRoot}/calendar/v3`;
  const events = `${api}/calendars/primary/events`;
  const conferenceReads = options.conferenceReads ?? 4;
  const conferenceBackoffMs = options.conferenceBackoffMs ?? 250;
  const maxAttempts = options.maxAttempts ?? 3;

  /**
   * One call; rate limits (429, or 403 with a rate reason) and 5xx are retried while the wait is short.
   * Any other answer is the caller's to judge.
   */
  async function call(url: string, request: ApiRequest, operation: string): Promise<ApiResponse> {
    for (let attempt = 1; ; attempt += 1) {
      const response = await send(url, request);
      if (response.status < 400) return response;
      const error = mapGoogleApiError(response, operation);
      if (error.kind !== 'rate_limited' && error.kind !== 'transient') return response;
      const wait = error.retryAfterMs ?? BACKOFF_MS * 2 ** (attempt - 1);
      if (attempt >= maxAttempts || wait > MAX_WAIT_MS) throw error;
      await sleep(wait);
    }
  }

  async function read(accessToken: string, id: string): Promise<GoogleEvent | null> {
    const response = await call(
      `${events}/${encodeURIComponent(id)}`,
      { accessToken },
      'calendar.events.get',
    );
    if (response.status === 404 || response.status === 410) return null;
    if (response.status !== 200) throw mapGoogleApiError(response, 'calendar.events.get');
    return response.body as GoogleEvent;
  }

  /** Reads the event again while its conference is pending, a few times with backoff. */
  async function settled(accessToken: string, event: GoogleEvent): Promise<GoogleEvent> {
    let current = event;
    for (let read_ = 0; read_ < conferenceReads && conferenceOf(current)?.status === 'pending'; read_ += 1) {
      await sleep(conferenceBackoffMs * 2 ** read_);
      const again = await read(accessToken, current.id);
      if (!again) return current;
      current = again;
    }
    return current;
  }

  return {
    hasCalendarScope: hasGoogleCalendarScope,

    async freeBusy(accessToken, address, range) {
      const response = await call(
        `${api}/freeBusy`,
        {
          method: 'POST',
          accessToken,
          json: {
            timeMin: range.start.toISOString(),
            timeMax: range.end.toISOString(),
            items: [{ id: address }],
          },
        },
        'calendar.freebusy.query',
      );
      if (response.status !== 200) throw mapGoogleApiError(response, 'calendar.freebusy.query');
      const calendars = (response.body as { calendars?: Record<string, FreeBusyCalendar> }).calendars ?? {};
      const calendar = calendars[address] ?? calendars[address.toLowerCase()] ?? Object.values(calendars)[0];
      const reason = calendar?.errors?.[0]?.reason;
      if (!calendar || reason) {
        throw new ProviderError(
          reason === 'notFound' ? 'not_found' : reason === 'backendError' ? 'transient' : 'permanent',
          `Google calendar.freebusy.query: no free/busy for the calendar (${reason ?? 'missing'})`,
          { code: reason },
        );
      }
      return (calendar.busy ?? []).flatMap((span): BusyInterval[] => {
        const start = Math.max(Date.parse(span.start), range.start.getTime());
        const end = Math.min(Date.parse(span.end), range.end.getTime());
        return start < end ? [{ start: new Date(start), end: new Date(end), status: 'busy' }] : [];
      });
    },

    async createEvent(accessToken, event) {
      const id = googleEventId(event.key);
      const query = new URLSearchParams({ conferenceDataVersion: '1', sendUpdates: 'all' });
      const response = await call(
        `${events}?${query}`,
        { method: 'POST', accessToken, json: insertBody(id, event) },
        'calendar.events.insert',
      );
      let created: GoogleEvent | null;
      if (response.status === 200) created = response.body as GoogleEvent;
      else if (response.status === 409) {
        // A retry of an insert that went through: the event is there under the id the key gives.
        created = await read(accessToken, id);
        if (!created) throw mapGoogleApiError(response, 'calendar.events.insert');
      } else throw mapGoogleApiError(response, 'calendar.events.insert');
      return toCalendarEvent(await settled(accessToken, created), event.conference);
    },

    async getEvent(accessToken, id) {
      const event = await read(accessToken, id);
      return event && toCalendarEvent(event, event.conferenceData !== undefined);
    },

    async moveEvent(accessToken, id, time) {
      const query = new URLSearchParams({ conferenceDataVersion: '1', sendUpdates: 'all' });
      const response = await call(
        `${events}/${encodeURIComponent(id)}?${query}`,
        {
          method: 'PATCH',
          accessToken,
          json: { start: eventTime(time.start, time.timeZone), end: eventTime(time.end, time.timeZone) },
        },
        'calendar.events.patch',
      );
      if (response.status !== 200) throw mapGoogleApiError(response, 'calendar.events.patch');
      const moved = response.body as GoogleEvent;
      // Google patches a deleted event too (it stays `cancelled`): for the caller it is gone.
      if (moved.status === 'cancelled')
        throw new ProviderError('not_found', 'Google calendar.events.patch: the event was deleted');
      return toCalendarEvent(moved, moved.conferenceData !== undefined);
    },

    async cancelEvent(accessToken, id) {
      const response = await call(
        `${events}/${encodeURIComponent(id)}?${new URLSearchParams({ sendUpdates: 'all' })}`,
        { method: 'DELETE', accessToken },
        'calendar.events.delete',
      );
      if (response.status === 404 || response.status === 410) return;
      if (response.status !== 204 && response.status !== 200)
        throw mapGoogleApiError(response, 'calendar.events.delete');
    },
  };
}

interface FreeBusyCalendar {
  busy?: { start: string; end: string }[];
  errors?: { domain?: string; reason?: string }[];
}

/** The parts of a Calendar v3 `Events` resource read here. */
interface GoogleEvent {
  id: string;
  iCalUID: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  start: { dateTime?: string; date?: string };
  end: { dateTime?: string; date?: string };
  hangoutLink?: string;
  organizer?: { email?: string; self?: boolean };
  attendees?: { email?: string; self?: boolean; organizer?: boolean; responseStatus?: string }[];
  conferenceData?: {
    createRequest?: { status?: { statusCode?: 'pending' | 'success' | 'failure' } };
    entryPoints?: { entryPointType?: string; uri?: string }[];
  };
}

function eventTime(at: Date, timeZone: string) {
  return { dateTime: at.toISOString(), timeZone };
}

function insertBody(id: string, event: NewCalendarEvent): Record<string, unknown> {
  return {
    id,
    summary: event.subject,
    description: event.description,
    start: eventTime(event.start, event.timeZone),
    end: eventTime(event.end, event.timeZone),
    attendees: [{ email: event.attendee.address, displayName: event.attendee.name }],
    ...(event.conference
      ? {
          conferenceData: {
            createRequest: { requestId: event.key, conferenceSolutionKey: { type: 'hangoutsMeet' } },
          },
        }
      : {}),
  };
}

/** The Meet conference of an event: ready with its link, pending, or failed (asked for but not made). */
function conferenceOf(event: GoogleEvent): Conference | null {
  const data = event.conferenceData;
  if (!data) return null;
  const code = data.createRequest?.status?.statusCode;
  if (code === 'pending') return { status: 'pending' };
  if (code === 'failure') return { status: 'failed' };
  const url = event.hangoutLink ?? data.entryPoints?.find((entry) => entry.entryPointType === 'video')?.uri;
  return url ? { status: 'ready', url } : { status: 'failed' };
}

function instant(time: { dateTime?: string; date?: string }): Date {
  return new Date(time.dateTime ?? `${time.date}T00:00:00Z`);
}

/** Declined by the organizer (the mailbox) when it is among the attendees. */
function declinedByOwner(event: GoogleEvent): boolean {
  const owner = event.organizer?.email?.toLowerCase();
  return (event.attendees ?? []).some(
    (attendee) =>
      (attendee.self || attendee.organizer || (owner && attendee.email?.toLowerCase() === owner)) &&
      attendee.responseStatus === 'declined',
  );
}

function toCalendarEvent(event: GoogleEvent, conferenceAsked: boolean): CalendarEvent {
  return {
    id: event.id,
    iCalUid: event.iCalUID,
    start: instant(event.start),
    end: instant(event.end),
    status: event.status === 'cancelled' || declinedByOwner(event) ? 'cancelled' : 'confirmed',
    conference: conferenceOf(event) ?? (conferenceAsked ? { status: 'failed' } : null),
  };
}
