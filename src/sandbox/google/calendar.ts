/**
 * Calendar v3: freeBusy.query and events insert / get / patch / delete on a user's calendars (`primary`
 * or the owner's address). Request validation answers with Calendar's own messages where known
 * ("Missing end time.", "The specified time range is empty.", 410 "Resource has been deleted").
 */
import type { FastifyInstance } from 'fastify';
import { ApiError, type CallContext, operation } from './api.ts';
import {
  busyIntervals,
  type Calendar,
  type CalendarEvent,
  type EventTime,
  eventJson,
  instant,
  newEventId,
  newMeetCode,
  notifies,
} from './calendar-store.ts';
import { badRequest, type GoogleError } from './errors.ts';
import type { GoogleState } from './state.ts';

type Query = Record<string, string | undefined>;
type Body = Record<string, unknown>;

const calendarNotFound = (): GoogleError => ({ code: 404, message: 'Not Found', reason: 'notFound' });
const deleted = (): GoogleError => ({ code: 410, message: 'Resource has been deleted', reason: 'deleted' });
const SEND_UPDATES = ['all', 'externalOnly', 'none'];
/** Fields the emulator owns; the rest of a request body is kept as sent. */
const MANAGED = new Set([
  'id',
  'status',
  'start',
  'end',
  'conferenceData',
  'hangoutLink',
  'kind',
  'etag',
  'htmlLink',
  'created',
  'updated',
  'creator',
  'organizer',
  'iCalUID',
  'sequence',
]);

/** The calendar behind a `calendarId` path segment, or a 404. */
function calendarFor(state: GoogleState, context: CallContext, calendarId: string): Calendar {
  const email = calendarId === 'primary' ? context.user.email : calendarId.toLowerCase();
  const calendar = email === context.user.email ? calendarOf(state, email) : undefined;
  if (!calendar) throw new ApiError(calendarNotFound());
  return calendar;
}

/** The primary calendar of a sandbox user, created on first use. */
export function calendarOf(state: GoogleState, email: string): Calendar | undefined {
  if (!state.users.has(email)) return undefined;
  let calendar = state.calendars.get(email);
  if (!calendar) {
    calendar = { email, events: new Map() };
    state.calendars.set(email, calendar);
  }
  return calendar;
}

function time(value: unknown, name: string): EventTime {
  if (!value || typeof value !== 'object') throw new ApiError(badRequest(`Missing ${name} time.`));
  const { dateTime, date, timeZone } = value as Record<string, unknown>;
  const out: EventTime = {};
  if (typeof dateTime === 'string') out.dateTime = dateTime;
  if (typeof date === 'string') out.date = date;
  if (typeof timeZone === 'string') out.timeZone = timeZone;
  if (!out.dateTime && !out.date) throw new ApiError(badRequest(`Missing ${name} time.`));
  if (Number.isNaN(instant(out))) throw new ApiError(badRequest(`Invalid ${name} time.`));
  return out;
}

function sendUpdates(query: Query): string {
  const value = query.sendUpdates ?? 'none';
  if (!SEND_UPDATES.includes(value))
    throw new ApiError(badRequest(`Invalid value for sendUpdates: ${value}`));
  return value;
}

function fieldsOf(body: Body): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => !MANAGED.has(key)));
}

function checkRange(start: EventTime, end: EventTime): void {
  if (instant(end) < instant(start))
    throw new ApiError({
      code: 400,
      message: 'The specified time range is empty.',
      reason: 'timeRangeEmpty',
    });
}

/** Reads an event and moves a pending conference to created, as later reads see it. */
function read(calendar: Calendar, id: string): CalendarEvent {
  const event = calendar.events.get(id);
  if (!event) throw new ApiError(calendarNotFound());
  return event;
}

/** A pending conference as a later read sees it: made, or failed under the `fail` fault. */
const settle = (event: CalendarEvent) => {
  const conference = event.conference;
  if (conference?.status !== 'pending' || conference.fault === 'stuck') return;
  conference.status = conference.fault === 'fail' ? 'failure' : 'success';
};

/** Registers the Calendar v3 routes under `/calendar/v3`. */
export function calendarRoutes(app: FastifyInstance, state: GoogleState): void {
  app.post(
    '/calendar/v3/freeBusy',
    operation(state, 'calendar.freebusy.query', (context, request) => {
      const body = (request.body ?? {}) as Body;
      if (typeof body.timeMin !== 'string') throw new ApiError(badRequest('Missing timeMin.'));
      if (typeof body.timeMax !== 'string') throw new ApiError(badRequest('Missing timeMax.'));
      const min = Date.parse(body.timeMin);
      const max = Date.parse(body.timeMax);
      if (Number.isNaN(min) || Number.isNaN(max)) throw new ApiError(badRequest('Bad Request'));
      if (max <= min)
        throw new ApiError({
          code: 400,
          message: 'The specified time range is empty.',
          reason: 'timeRangeEmpty',
        });
      const items = Array.isArray(body.items) ? (body.items as { id?: unknown }[]) : [];
      const calendars: Record<string, unknown> = {};
      for (const item of items) {
        const id = String(item.id ?? '');
        const email = id === 'primary' ? context.user.email : id.toLowerCase();
        const calendar = calendarOf(state, email);
        calendars[id] = calendar
          ? {
              busy: busyIntervals(calendar, min, max).map((span) => ({
                start: iso(span.start),
                end: iso(span.end),
              })),
            }
          : { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
      }
      return {
        kind: 'calendar#freeBusy',
        timeMin: new Date(min).toISOString(),
        timeMax: new Date(max).toISOString(),
        calendars,
      };
    }),
  );

  const events = '/calendar/v3/calendars/:calendarId/events';
  app.post(
    events,
    operation(state, 'calendar.events.insert', (context, request) => {
      const query = request.query as Query;
      const body = (request.body ?? {}) as Body;
      const calendar = calendarFor(state, context, request.params.calendarId);
      const start = time(body.start, 'start');
      const end = time(body.end, 'end');
      checkRange(start, end);
      const id = typeof body.id === 'string' ? body.id : newEventId(state.core.random);
      if (!/^[a-v0-9]{5,1024}$/.test(id)) throw new ApiError(badRequest('Invalid resource id value.'));
      if (calendar.events.has(id))
        throw new ApiError({
          code: 409,
          message: 'The requested identifier already exists.',
          reason: 'duplicate',
        });
      const now = state.core.clock.now();
      const event: CalendarEvent = {
        id,
        status: body.status === 'tentative' ? 'tentative' : 'confirmed',
        created: now,
        updated: now,
        sequence: 0,
        start,
        end,
        fields: fieldsOf(body),
        sendUpdates: sendUpdates(query),
        sent: { invitations: 0, updates: 0, cancellations: 0 },
      };
      // conferenceDataVersion 0 (the default) ignores conference data in the body (events.insert reference).
      const create = (
        body.conferenceData as
          | { createRequest?: { requestId?: unknown; conferenceSolutionKey?: { type?: unknown } } }
          | undefined
      )?.createRequest;
      if (query.conferenceDataVersion === '1' && create) {
        const type = String(create.conferenceSolutionKey?.type ?? '');
        if (type !== 'hangoutsMeet') throw new ApiError(badRequest('Invalid conference type value.'));
        if (typeof create.requestId !== 'string' || create.requestId === '')
          throw new ApiError(badRequest('Invalid conference request id.'));
        const fault = calendar.conferenceFault ?? state.options.conferenceFault;
        event.conference = {
          requestId: create.requestId,
          type,
          meetCode: newMeetCode(state.core.random),
          status: fault ? 'pending' : 'success',
          fault,
        };
      }
      if (notifies(calendar, event, event.sendUpdates)) event.sent.invitations += 1;
      calendar.events.set(id, event);
      return eventJson(calendar, event);
    }),
  );

  const one = `${events}/:eventId`;
  app.get(
    one,
    operation(state, 'calendar.events.get', (context, request) => {
      const calendar = calendarFor(state, context, request.params.calendarId);
      const event = read(calendar, request.params.eventId);
      settle(event);
      return eventJson(calendar, event);
    }),
  );

  app.patch(
    one,
    operation(state, 'calendar.events.patch', (context, request) => {
      const query = request.query as Query;
      const body = (request.body ?? {}) as Body;
      const calendar = calendarFor(state, context, request.params.calendarId);
      const event = read(calendar, request.params.eventId);
      settle(event);
      const start = body.start === undefined ? event.start : time(body.start, 'start');
      const end = body.end === undefined ? event.end : time(body.end, 'end');
      checkRange(start, end);
      const updates = sendUpdates(query);
      const moved = instant(start) !== instant(event.start) || instant(end) !== instant(event.end);
      if (moved) event.sequence += 1;
      event.start = start;
      event.end = end;
      if (body.status === 'confirmed' || body.status === 'tentative' || body.status === 'cancelled')
        event.status = body.status;
      event.fields = { ...event.fields, ...fieldsOf(body) };
      // Fields a patch does not name stay as they are ("Events: patch"), the conference too; with
      // conferenceDataVersion=1 an explicit null removes it.
      if (query.conferenceDataVersion === '1' && body.conferenceData === null) delete event.conference;
      event.sendUpdates = updates;
      if (moved && notifies(calendar, event, updates)) event.sent.updates += 1;
      event.updated = state.core.clock.now();
      return eventJson(calendar, event);
    }),
  );

  app.delete(
    one,
    operation(state, 'calendar.events.delete', (context, request, reply) => {
      const query = request.query as Query;
      const calendar = calendarFor(state, context, request.params.calendarId);
      const event = read(calendar, request.params.eventId);
      if (event.status === 'cancelled') throw new ApiError(deleted());
      event.status = 'cancelled';
      event.sendUpdates = sendUpdates(query);
      if (notifies(calendar, event, event.sendUpdates)) event.sent.cancellations += 1;
      event.updated = state.core.clock.now();
      return reply.status(204).send();
    }),
  );
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
