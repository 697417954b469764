/**
 * The calendar part of the Google control API (docs/sandbox.md "Per provider"): put busy, tentative or
 * free time in a user's primary calendar, list its events with the emails Google would have sent their
 * guests, delete or decline an event as its owner would in Google Calendar (so a job can see it gone),
 * and make Meet conferences late (`pending`), keep them pending (`stuck`) or make them fail. Events are named by their Calendar id.
 */
import type { FastifyInstance } from 'fastify';
import { calendarOf } from './calendar.ts';
import { type Calendar, type CalendarEvent, eventJson, newEventId } from './calendar-store.ts';
import type { Mailbox } from './mailbox.ts';
import { ControlError } from './spec.ts';
import type { GoogleState } from './state.ts';

type EmailParams = { Params: { email: string } };
type EventParams = { Params: { email: string; id: string } };

const SHOW_AS = ['busy', 'tentative', 'free'] as const;
const FAULTS = ['pending', 'stuck', 'fail', 'none'] as const;

const object = (required: string[], properties: Record<string, unknown>) =>
  ({ type: 'object', required, additionalProperties: false, properties }) as const;

/** An event as the control API shows it: Calendar's JSON plus the emails Google would have sent. */
function controlEventJson(calendar: Calendar, event: CalendarEvent): Record<string, unknown> {
  return { ...eventJson(calendar, event), sendUpdates: event.sendUpdates, sent: { ...event.sent } };
}

export function calendarControlRoutes(
  app: FastifyInstance,
  state: GoogleState,
  mailboxOf: (email: string) => Mailbox,
): void {
  const calendarFor = (email: string): Calendar => {
    const calendar = calendarOf(state, mailboxOf(email).email);
    if (!calendar) throw new ControlError(404, `no Google user ${email}`);
    return calendar;
  };

  app.post<EmailParams & { Body: { start: string; end: string; subject?: string; showAs?: string } }>(
    '/mailboxes/:email/calendar/busy',
    {
      schema: {
        body: object(['start', 'end'], {
          start: { type: 'string' },
          end: { type: 'string' },
          subject: { type: 'string' },
          showAs: { enum: SHOW_AS },
        }),
      },
    },
    async (request, reply) => {
      const calendar = calendarFor(request.params.email);
      const start = Date.parse(request.body.start);
      const end = Date.parse(request.body.end);
      if (Number.isNaN(start) || Number.isNaN(end) || end <= start)
        throw new ControlError(400, 'start and end must be times, start before end');
      const now = state.core.clock.now();
      const id = newEventId(state.core.random);
      const showAs = request.body.showAs ?? 'busy';
      calendar.events.set(id, {
        id,
        status: showAs === 'tentative' ? 'tentative' : 'confirmed',
        created: now,
        updated: now,
        sequence: 0,
        start: { dateTime: new Date(start).toISOString() },
        end: { dateTime: new Date(end).toISOString() },
        fields: {
          summary: request.body.subject ?? 'Busy',
          ...(showAs === 'free' ? { transparency: 'transparent' } : {}),
        },
        sendUpdates: 'none',
        sent: { invitations: 0, updates: 0, cancellations: 0 },
      });
      return reply.status(201).send({ id });
    },
  );

  app.get<EmailParams>('/mailboxes/:email/calendar/events', async (request) => {
    const calendar = calendarFor(request.params.email);
    return { events: [...calendar.events.values()].map((event) => controlEventJson(calendar, event)) };
  });

  const act = (name: string, change: (calendar: Calendar, event: CalendarEvent) => void) =>
    app.post<EventParams>(`/mailboxes/:email/calendar/events/:id/${name}`, async (request) => {
      const calendar = calendarFor(request.params.email);
      const event = calendar.events.get(request.params.id);
      if (!event || event.status === 'cancelled')
        throw new ControlError(404, `no event ${request.params.id} in ${calendar.email}`);
      change(calendar, event);
      event.updated = state.core.clock.now();
      return controlEventJson(calendar, event);
    });
  // The owner deletes it in Google Calendar: `status: cancelled` from then on (no email is counted).
  act('delete', (_calendar, event) => {
    event.status = 'cancelled';
  });
  // The owner declines it: their own attendee entry (added if missing) says `declined`.
  act('decline', (calendar, event) => {
    const attendees = Array.isArray(event.fields.attendees)
      ? (event.fields.attendees as Record<string, unknown>[])
      : [];
    const owner = attendees.find((attendee) => String(attendee.email).toLowerCase() === calendar.email);
    event.fields.attendees = owner
      ? attendees.map((attendee) =>
          attendee === owner ? { ...owner, responseStatus: 'declined' } : attendee,
        )
      : [...attendees, { email: calendar.email, organizer: true, responseStatus: 'declined' }];
  });

  app.post<EmailParams & { Body: { mode: (typeof FAULTS)[number] } }>(
    '/mailboxes/:email/calendar/conference-fault',
    { schema: { body: object(['mode'], { mode: { enum: FAULTS } }) } },
    async (request) => {
      const calendar = calendarFor(request.params.email);
      const { mode } = request.body;
      calendar.conferenceFault = mode === 'none' ? undefined : mode;
      return { mode };
    },
  );
}
