/**
 * Control API for calendars (docs/sandbox.md "Per provider"): put busy, tentative or free time in a
 * mailbox's calendar, list its events with what Exchange would have mailed their attendees, delete or
 * decline an event as its owner would in Outlook (so a job can see it gone), and make Teams meeting
 * creation late or failing. Events are named by their Graph id.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MicrosoftContext } from './context.ts';
import { controlError } from './control-mail.ts';
import { type CalendarEvent, type ConferenceFault, eventJson } from './events.ts';

type EmailParams = { Params: { email: string } };
type EventParams = { Params: { email: string; id: string } };

const SHOW_AS = ['free', 'tentative', 'busy', 'oof', 'workingElsewhere'] as const;
const FAULTS = ['late', 'stuck', 'fail', 'none'] as const;

const object = (required: string[], properties: Record<string, unknown>) =>
  ({ type: 'object', required, additionalProperties: false, properties }) as const;

/** An event as the control API shows it: Graph's JSON in UTC plus what Graph does not show. */
export function controlEventJson(event: CalendarEvent): Record<string, unknown> {
  return {
    ...eventJson(event, 'UTC'),
    joinUrl: event.joinUrl ?? null,
    deleted: event.deletedAt !== undefined,
    sent: { ...event.sent },
  };
}

export function calendarControlRoutes(app: FastifyInstance, ctx: MicrosoftContext): void {
  const userOf = (email: string, reply: FastifyReply) => {
    const user = ctx.directory.user(email);
    if (!user) controlError(reply, 404, `no such mailbox: ${email}`);
    return user;
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
      const user = userOf(request.params.email, reply);
      if (!user) return reply;
      const { start, end, subject, showAs } = request.body;
      const from = Date.parse(start);
      const to = Date.parse(end);
      if (Number.isNaN(from) || Number.isNaN(to) || to <= from)
        return controlError(reply, 400, 'start and end must be ISO times, end after start');
      const event = ctx.calendars.blank(user, ctx.core.clock.now());
      event.subject = subject ?? 'Busy';
      event.start = from;
      event.end = to;
      event.showAs = (showAs as CalendarEvent['showAs'] | undefined) ?? 'busy';
      ctx.calendars.of(user).set(event.id, event);
      return reply.status(201).send(eventJson(event, 'UTC'));
    },
  );

  app.get<EmailParams>('/mailboxes/:email/calendar/events', async (request, reply) => {
    const user = userOf(request.params.email, reply);
    if (!user) return reply;
    return { events: [...ctx.calendars.of(user).values()].map(controlEventJson) };
  });

  const act = (name: string, change: (event: CalendarEvent) => void) =>
    app.post<EventParams>(`/mailboxes/:email/calendar/events/:id/${name}`, async (request, reply) => {
      const user = userOf(request.params.email, reply);
      if (!user) return reply;
      const event = ctx.calendars.of(user).get(request.params.id);
      if (!event || event.deletedAt !== undefined)
        return controlError(reply, 404, `no such event: ${request.params.id}`);
      change(event);
      event.modifiedAt = ctx.core.clock.now();
      event.changeKey = ctx.ids.changeKey();
      return controlEventJson(event);
    });
  // The owner deletes the event in Outlook: Graph no longer finds it (no cancellation is counted).
  act('delete', (event) => {
    event.deletedAt = ctx.core.clock.now();
  });
  // The owner declines it: `responseStatus.response` becomes `declined`.
  act('decline', (event) => {
    event.ownerResponse = 'declined';
  });

  app.post<EmailParams & { Body: { mode: (typeof FAULTS)[number] } }>(
    '/mailboxes/:email/calendar/conference-fault',
    { schema: { body: object(['mode'], { mode: { enum: FAULTS } }) } },
    async (request, reply) => {
      const user = userOf(request.params.email, reply);
      if (!user) return reply;
      const { mode } = request.body;
      if (mode === 'none') ctx.calendars.conferenceFaults.delete(user.email);
      else ctx.calendars.conferenceFaults.set(user.email, mode as ConferenceFault);
      return { mode };
    },
  );
}
