/**
 * Graph calendar operations: `POST /me/calendar/getSchedule` ("calendar: getSchedule": free/busy of up to
 * 20 schedules as an availabilityView string — one digit per interval, 0 free, 1 tentative, 2 busy, 3 out
 * of office, 4 working elsewhere — plus scheduleItems), and events create/get/update/delete on the primary
 * calendar. Times come back in the zone of `Prefer: outlook.timezone`, else UTC. Other users' schedule
 * items show status and times only, as with Outlook's default "can view when I'm busy" sharing.
 */
import { graphBase, type MicrosoftContext } from './context.ts';
import { type Attendee, type CalendarEvent, eventJson } from './events.ts';
import type { GraphRequest, GraphRoute } from './graph.ts';
import { GraphFailure, itemNotFound, ok } from './graph-http.ts';
import { isWellFormedItemId } from './ids.ts';
import { REQUIRES } from './scopes.ts';
import { fromInstant, TimeZoneError, toInstant } from './timezones.ts';

const AVAILABILITY: Record<CalendarEvent['showAs'], string> = {
  free: '0',
  tentative: '1',
  busy: '2',
  oof: '3',
  workingElsewhere: '4',
};
const RANK = ['0', '4', '1', '2', '3'];
const MAX_RANGE_MS = 62 * 24 * 60 * 60 * 1000;

type Body = Record<string, unknown>;

const bad = (message: string) => new GraphFailure(400, 'ErrorInvalidRequest', message);

function instant(value: unknown, name: string): number {
  try {
    return toInstant(value as { dateTime?: unknown; timeZone?: unknown });
  } catch (error) {
    if (error instanceof TimeZoneError) throw bad(`${name}: ${error.message}`);
    throw error;
  }
}

function attendees(value: unknown): Attendee[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad("'attendees' must be an array.");
  return value.map((entry: { emailAddress?: { address?: unknown; name?: unknown }; type?: unknown }) => {
    const address = entry?.emailAddress?.address;
    if (typeof address !== 'string' || !address.includes('@'))
      throw bad('Each attendee needs emailAddress.address.');
    const type = entry.type === 'optional' || entry.type === 'resource' ? entry.type : 'required';
    return {
      address,
      name: typeof entry.emailAddress?.name === 'string' ? entry.emailAddress.name : address,
      type,
    };
  });
}

export function calendarRoutes(ctx: MicrosoftContext): GraphRoute[] {
  const zoneOf = (request: GraphRequest) => request.prefer.get('outlook.timezone') || 'UTC';
  const zoneHeader = (request: GraphRequest): Record<string, string> =>
    request.prefer.has('outlook.timezone')
      ? { 'preference-applied': `outlook.timezone="${zoneOf(request)}"` }
      : {};
  const v1 = () => `${graphBase(ctx)}/v1.0`;

  const getSchedule = (request: GraphRequest) => {
    const body = (request.call.body ?? {}) as Body;
    const schedules = body.schedules;
    if (
      !Array.isArray(schedules) ||
      schedules.length === 0 ||
      schedules.some((entry) => typeof entry !== 'string')
    ) {
      throw bad("'schedules' must be a non-empty array of SMTP addresses.");
    }
    if (schedules.length > 20) throw bad('At most 20 schedules can be requested.');
    const start = instant(body.startTime, 'startTime');
    const end = instant(body.endTime, 'endTime');
    if (end <= start) throw bad('endTime must be after startTime.');
    if (end - start > MAX_RANGE_MS) throw bad('The requested time range is longer than 62 days.');
    const interval = body.availabilityViewInterval === undefined ? 30 : Number(body.availabilityViewInterval);
    if (!Number.isInteger(interval) || interval < 5 || interval > 1440) {
      throw bad("'availabilityViewInterval' must be between 5 and 1440 minutes.");
    }
    const zone = zoneOf(request);
    const value = (schedules as string[]).map((address) => {
      const owner = ctx.directory.user(address);
      if (!owner) {
        return {
          scheduleId: address,
          availabilityView: '',
          scheduleItems: [],
          error: {
            message: 'The specified mailbox could not be found.',
            responseCode: 'ErrorMailRecipientNotFound',
          },
        };
      }
      const own = owner === request.user;
      const events = ctx.calendars
        .live(owner)
        .filter(
          (event) =>
            event.showAs !== 'free' &&
            event.ownerResponse !== 'declined' &&
            event.start < end &&
            event.end > start,
        )
        .sort((a, b) => a.start - b.start);
      let view = '';
      for (let slot = start; slot < end; slot += interval * 60_000) {
        const slotEnd = Math.min(slot + interval * 60_000, end);
        let code = '0';
        for (const event of events) {
          const status = AVAILABILITY[event.showAs];
          if (event.start < slotEnd && event.end > slot && RANK.indexOf(status) > RANK.indexOf(code))
            code = status;
        }
        view += code;
      }
      return {
        scheduleId: address,
        availabilityView: view,
        scheduleItems: events.map((event) => ({
          isPrivate: false,
          status: event.showAs,
          ...(own
            ? { subject: event.subject, location: event.location, isMeeting: event.attendees.length > 0 }
            : {}),
          isRecurring: false,
          isException: false,
          isReminderSet: true,
          start: fromInstant(event.start, zone),
          end: fromInstant(event.end, zone),
        })),
        workingHours: {
          daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
          startTime: '08:00:00.0000000',
          endTime: '17:00:00.0000000',
          timeZone: { name: 'UTC' },
        },
      };
    });
    return ok(
      { '@odata.context': `${v1()}/$metadata#Collection(microsoft.graph.scheduleInformation)`, value },
      200,
      zoneHeader(request),
    );
  };

  const find = (request: GraphRequest) => {
    const id = request.params.event ?? '';
    if (!isWellFormedItemId(id)) throw new GraphFailure(400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
    const event = ctx.calendars.of(request.user).get(id);
    if (!event || event.deletedAt !== undefined) throw itemNotFound();
    return event;
  };

  const entity = (request: GraphRequest, event: CalendarEvent, status = 200) =>
    ok(
      {
        '@odata.context': `${v1()}/$metadata#users('${request.user.id}')/events/$entity`,
        ...eventJson(event, zoneOf(request)),
      },
      status,
      zoneHeader(request),
    );

  /** Applies the writable properties of a create or update body to an event. */
  const apply = (request: GraphRequest, event: CalendarEvent, body: Body) => {
    if (typeof body.subject === 'string') event.subject = body.subject;
    const content = body.body as { contentType?: unknown; content?: unknown } | undefined;
    if (content && typeof content.content === 'string') {
      event.body = {
        contentType: content.contentType === 'text' ? 'text' : 'html',
        content: content.content,
      };
    }
    if (body.start !== undefined) {
      event.start = instant(body.start, 'start');
      event.startZone = String((body.start as { timeZone?: unknown }).timeZone ?? 'UTC');
    }
    if (body.end !== undefined) {
      event.end = instant(body.end, 'end');
      event.endZone = String((body.end as { timeZone?: unknown }).timeZone ?? 'UTC');
    }
    if (event.end < event.start) throw bad('The end of the event must not be before its start.');
    const location = (body.location as { displayName?: unknown } | undefined)?.displayName;
    if (typeof location === 'string') event.location = location;
    if (body.attendees !== undefined) event.attendees = attendees(body.attendees);
    if (typeof body.showAs === 'string' && body.showAs in AVAILABILITY)
      event.showAs = body.showAs as CalendarEvent['showAs'];
    if (body.isOnlineMeeting === false) {
      event.joinUrl = undefined;
      event.online = false;
    }
    const provider = body.onlineMeetingProvider ?? 'teamsForBusiness';
    if (body.isOnlineMeeting === true && provider === 'teamsForBusiness' && !event.online) {
      const fault = ctx.calendars.conferenceFaults.get(request.user.email);
      event.joinUrl =
        fault === 'stuck' || fault === 'fail' ? undefined : ctx.calendars.teamsJoinUrl(request.user);
      event.online = event.joinUrl !== undefined || fault !== undefined;
      event.conferenceFault = fault;
    }
    event.modifiedAt = request.now;
    event.changeKey = ctx.ids.changeKey();
  };

  const create = (request: GraphRequest) => {
    const body = (request.call.body ?? {}) as Body;
    // "transactionId: A custom identifier specified by a client app for the server to avoid redundant
    // POST operations in case of client retries to create the same event" (event resource type).
    const transactionId = typeof body.transactionId === 'string' ? body.transactionId : undefined;
    const same =
      transactionId === undefined
        ? undefined
        : [...ctx.calendars.of(request.user).values()].find((event) => event.transactionId === transactionId);
    if (same) return entity(request, same, 201);
    if (body.start === undefined || body.end === undefined) throw bad("An event needs 'start' and 'end'.");
    const event = ctx.calendars.blank(request.user, request.now);
    apply(request, event, body);
    event.transactionId = transactionId;
    if (event.attendees.length > 0) event.sent.invitations += 1;
    ctx.calendars.of(request.user).set(event.id, event);
    return entity(request, event, 201);
  };

  /** The organizer's cancel and DELETE: attendees get a cancellation, the event goes to Deleted Items. */
  const remove = (request: GraphRequest, event: CalendarEvent) => {
    if (event.attendees.length > 0) event.sent.cancellations += 1;
    event.deletedAt = request.now;
  };

  return [
    {
      method: 'POST',
      path: 'me/calendar/getSchedule',
      op: 'graph.calendar.getSchedule',
      scopes: REQUIRES.readCalendar,
      handle: getSchedule,
    },
    {
      method: 'POST',
      path: 'me/events',
      op: 'graph.events.create',
      scopes: REQUIRES.writeCalendar,
      handle: create,
    },
    {
      method: 'POST',
      path: 'me/calendar/events',
      op: 'graph.events.create',
      scopes: REQUIRES.writeCalendar,
      handle: create,
    },
    {
      method: 'GET',
      path: 'me/events/{event}',
      op: 'graph.events.get',
      scopes: REQUIRES.readCalendar,
      handle: (request) => {
        const event = find(request);
        // A join URL held back from the create's answer is there on any later read.
        if (event.conferenceFault === 'late') event.conferenceFault = undefined;
        return entity(request, event);
      },
    },
    {
      method: 'PATCH',
      path: 'me/events/{event}',
      op: 'graph.events.update',
      scopes: REQUIRES.writeCalendar,
      handle: (request) => {
        const event = find(request);
        // Validate on a copy, so a rejected update changes nothing.
        const draft = { ...event, sent: { ...event.sent } };
        apply(request, draft, (request.call.body ?? {}) as Body);
        if ((draft.start !== event.start || draft.end !== event.end) && draft.attendees.length > 0)
          draft.sent.updates += 1;
        if (draft.conferenceFault === 'late') draft.conferenceFault = undefined;
        Object.assign(event, draft);
        return entity(request, event);
      },
    },
    {
      method: 'DELETE',
      path: 'me/events/{event}',
      op: 'graph.events.delete',
      scopes: REQUIRES.writeCalendar,
      handle: (request) => {
        remove(request, find(request));
        return { status: 204, headers: {} };
      },
    },
    {
      method: 'POST',
      path: 'me/events/{event}/cancel',
      op: 'graph.events.cancel',
      scopes: REQUIRES.writeCalendar,
      handle: (request) => {
        const event = find(request);
        if (event.organizer !== request.user)
          throw bad("Your request can't be completed. You need to be an organizer to cancel a meeting.");
        const comment = ((request.call.body ?? {}) as Body).comment;
        if (comment !== undefined && typeof comment !== 'string') throw bad("'comment' must be a string.");
        remove(request, event);
        return { status: 202, headers: {} };
      },
    },
  ];
}
