/**
 * The `CalendarSource` contract (R18), run against the sandbox by each provider's calendar test: free/busy,
 * an event with a conference and the invitation sent once, idempotent creation, pending and failing
 * conferences, moves that keep the event and its link, cancellation, an event deleted or declined in the
 * recruiter's calendar, and the error kinds scheduling decides on.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { ProviderError } from '../../src/providers/errors.ts';
import type { CalendarSource, NewCalendarEvent } from '../../src/providers/types.ts';
import type { ControlClient } from '../support/sandbox.ts';

export interface Recruiter {
  email: string;
  token: string;
  scopes: string[];
}

/** What the control API shows of an event, in both providers' words. */
export interface SandboxEvent {
  id: string;
  attendees: string[];
  sent: { invitations: number; updates: number; cancellations: number };
  /** Gone from the calendar (Graph: in Deleted Items; Google: `status: cancelled`). */
  gone: boolean;
}

export interface CalendarHarness {
  provider: 'google' | 'microsoft';
  control: ControlClient;
  calendar: CalendarSource;
  /** The same adapter with a short conference re-read budget (for stuck and failing conferences). */
  impatient: CalendarSource;
  recruiter(): Promise<Recruiter>;
  /** Scopes of a grant without the calendar. */
  mailOnlyScopes: string[];
  /** Fault operation ids. */
  ops: { freeBusy: string; create: string };
  /** How the adapter reports a tentative event's time. */
  tentativeStatus: 'busy' | 'tentative';
  /** What getEvent answers for an event the owner deleted in their calendar. */
  deletedReadsAs: 'cancelled' | null;
  /** The host of a conference link. */
  linkHost: string;
  /** The fault mode that makes the link come only on a later read (Google: its default, `none`). */
  lateMode: string;
  events(email: string): Promise<SandboxEvent[]>;
}

const HOUR = 3_600_000;

export function runCalendarContract(h: CalendarHarness): void {
  const base = `/${h.provider}/mailboxes`;
  const interview = (overrides: Partial<NewCalendarEvent> = {}): NewCalendarEvent => {
    const start = new Date(Math.ceil(Date.now() / HOUR) * HOUR + 48 * HOUR);
    return {
      key: `booking-${randomUUID()}`,
      subject: 'Screening interview',
      description: 'A 30-minute screening call.',
      start,
      end: new Date(start.getTime() + HOUR / 2),
      timeZone: 'Europe/Berlin',
      attendee: { name: 'Jane Candidate', address: 'jane@gmail.com' },
      conference: true,
      ...overrides,
    };
  };
  const eventIn = async (email: string, id: string) => {
    const found = (await h.events(email)).find((event) => event.id === id);
    assert.ok(found, `event ${id} is in the sandbox calendar`);
    return found;
  };
  const fault = (rule: Record<string, unknown>) =>
    h.control.post<{ id: string }>('/faults', { provider: h.provider, ...rule });
  const conferenceFault = (email: string, mode: string) =>
    h.control.post(`${base}/${email}/calendar/conference-fault`, { mode });

  test('R18: free/busy gives the busy and the tentative event, not the free one', async () => {
    const rex = await h.recruiter();
    const day = Math.ceil(Date.now() / HOUR) * HOUR + 24 * HOUR;
    const at = (hours: number) => new Date(day + hours * HOUR).toISOString();
    await h.control.post(`${base}/${rex.email}/calendar/busy`, { start: at(1), end: at(2), showAs: 'busy' });
    await h.control.post(`${base}/${rex.email}/calendar/busy`, {
      start: at(4),
      end: at(5),
      showAs: 'tentative',
    });
    await h.control.post(`${base}/${rex.email}/calendar/busy`, { start: at(7), end: at(8), showAs: 'free' });
    const busy = await h.calendar.freeBusy(rex.token, rex.email, {
      start: new Date(day),
      end: new Date(day + 12 * HOUR),
    });
    assert.deepEqual(
      busy.map((span) => ({
        start: span.start.toISOString(),
        end: span.end.toISOString(),
        status: span.status,
      })),
      [
        { start: at(1), end: at(2), status: 'busy' },
        { start: at(4), end: at(5), status: h.tentativeStatus },
      ],
    );
  });

  test('R18: free/busy is clipped to the range asked for', async () => {
    const rex = await h.recruiter();
    const day = Math.ceil(Date.now() / HOUR) * HOUR + 24 * HOUR;
    await h.control.post(`${base}/${rex.email}/calendar/busy`, {
      start: new Date(day - HOUR).toISOString(),
      end: new Date(day + HOUR).toISOString(),
    });
    const busy = await h.calendar.freeBusy(rex.token, rex.email, {
      start: new Date(day),
      end: new Date(day + 2 * HOUR),
    });
    assert.deepEqual(
      busy.map((span) => [span.start.getTime(), span.end.getTime()]),
      [[day, day + HOUR]],
    );
  });

  test('R18: an event with a conference has its link, the candidate invited once', async () => {
    const rex = await h.recruiter();
    const wanted = interview();
    const event = await h.calendar.createEvent(rex.token, wanted);
    assert.equal(event.status, 'confirmed');
    assert.equal(event.conference?.status, 'ready');
    assert.equal(new URL(event.conference?.url ?? '').host, h.linkHost);
    assert.equal(event.start.getTime(), wanted.start.getTime());
    assert.equal(event.end.getTime(), wanted.end.getTime());
    assert.ok(event.iCalUid);
    const stored = await eventIn(rex.email, event.id);
    assert.ok(stored.attendees.includes('jane@gmail.com'));
    assert.deepEqual(stored.sent, { invitations: 1, updates: 0, cancellations: 0 });
    assert.deepEqual(await h.calendar.getEvent(rex.token, event.id), event);
  });

  test('R18: a retried create with the same key makes one event and one invitation', async () => {
    const rex = await h.recruiter();
    const wanted = interview();
    const first = await h.calendar.createEvent(rex.token, wanted);
    const again = await h.calendar.createEvent(rex.token, wanted);
    assert.equal(again.id, first.id);
    assert.equal(again.iCalUid, first.iCalUid);
    assert.equal(again.conference?.url, first.conference?.url);
    const events = await h.events(rex.email);
    assert.equal(events.length, 1, 'one event in the calendar');
    assert.equal(events[0]?.sent.invitations, 1);
    const other = await h.calendar.createEvent(rex.token, interview());
    assert.notEqual(other.id, first.id, 'another key is another event');
  });

  test('R18: a conference still being made is read again until it is ready', async () => {
    const rex = await h.recruiter();
    await conferenceFault(rex.email, h.lateMode);
    const event = await h.calendar.createEvent(rex.token, interview());
    assert.equal(event.conference?.status, 'ready');
    assert.equal(new URL(event.conference?.url ?? '').host, h.linkHost);
  });

  test('R18: a conference that cannot be made is `failed`, never an event silently without a link', async () => {
    const rex = await h.recruiter();
    await conferenceFault(rex.email, 'fail');
    const event = await h.impatient.createEvent(rex.token, interview());
    assert.deepEqual(event.conference, { status: 'failed' });
    assert.deepEqual((await h.impatient.getEvent(rex.token, event.id))?.conference, { status: 'failed' });
  });

  test('R18: an event without a conference asked for has none', async () => {
    const rex = await h.recruiter();
    const event = await h.calendar.createEvent(rex.token, interview({ conference: false }));
    assert.equal(event.conference, null);
  });

  test('R18: a move keeps the id, the iCalUID and the link, and sends one update', async () => {
    const rex = await h.recruiter();
    const event = await h.calendar.createEvent(rex.token, interview());
    const start = new Date(event.start.getTime() + 24 * HOUR);
    const end = new Date(start.getTime() + HOUR);
    const moved = await h.calendar.moveEvent(rex.token, event.id, {
      start,
      end,
      timeZone: 'America/New_York',
    });
    assert.deepEqual(moved, { ...event, start, end });
    assert.deepEqual(await h.calendar.getEvent(rex.token, event.id), moved);
    assert.deepEqual((await eventIn(rex.email, event.id)).sent, {
      invitations: 1,
      updates: 1,
      cancellations: 0,
    });
  });

  test('R18: moving an event that is gone is not_found', async () => {
    const rex = await h.recruiter();
    const event = await h.calendar.createEvent(rex.token, interview());
    await h.control.post(`${base}/${rex.email}/calendar/events/${event.id}/delete`);
    const start = new Date(event.start.getTime() + HOUR);
    await assert.rejects(
      h.calendar.moveEvent(rex.token, event.id, {
        start,
        end: new Date(start.getTime() + HOUR),
        timeZone: 'UTC',
      }),
      (error: unknown) => error instanceof ProviderError && error.kind === 'not_found',
    );
  });

  test('R18: a cancel sends one cancellation; the event then reads as cancelled or gone; again is fine', async () => {
    const rex = await h.recruiter();
    const event = await h.calendar.createEvent(rex.token, interview());
    await h.calendar.cancelEvent(rex.token, event.id);
    const after = await h.calendar.getEvent(rex.token, event.id);
    assert.ok(after === null || after.status === 'cancelled', 'no longer a confirmed event');
    const stored = await eventIn(rex.email, event.id);
    assert.equal(stored.gone, true);
    assert.deepEqual(stored.sent, { invitations: 1, updates: 0, cancellations: 1 });
    await h.calendar.cancelEvent(rex.token, event.id);
    assert.equal((await eventIn(rex.email, event.id)).sent.cancellations, 1, 'no second cancellation');
  });

  test('R18: an event deleted in the recruiter’s calendar reads as gone', async () => {
    const rex = await h.recruiter();
    const event = await h.calendar.createEvent(rex.token, interview());
    await h.control.post(`${base}/${rex.email}/calendar/events/${event.id}/delete`);
    const after = await h.calendar.getEvent(rex.token, event.id);
    if (h.deletedReadsAs === null) assert.equal(after, null);
    else assert.equal(after?.status, 'cancelled');
  });

  test('R18: an event its owner declined reads as cancelled', async () => {
    const rex = await h.recruiter();
    const event = await h.calendar.createEvent(rex.token, interview());
    const range = { start: event.start, end: event.end };
    assert.equal((await h.calendar.freeBusy(rex.token, rex.email, range)).length, 1, 'busy while accepted');
    await h.control.post(`${base}/${rex.email}/calendar/events/${event.id}/decline`);
    assert.equal((await h.calendar.getEvent(rex.token, event.id))?.status, 'cancelled');
    assert.deepEqual(
      await h.calendar.freeBusy(rex.token, rex.email, range),
      [],
      'a declined event is not busy',
    );
  });

  test('R18: a 401 is auth_revoked (the booking must not "succeed" on a dead token)', async () => {
    const rex = await h.recruiter();
    await fault({ endpoint: h.ops.create, user: rex.email, status: 401, count: 1 });
    await assert.rejects(
      h.calendar.createEvent(rex.token, interview()),
      (error: unknown) => error instanceof ProviderError && error.kind === 'auth_revoked',
    );
    assert.equal((await h.events(rex.email)).length, 0, 'no event was made');
  });

  test('R18: a 429 is retried after its Retry-After; throttling that lasts is rate_limited with a wait', async () => {
    const rex = await h.recruiter();
    const range = { start: new Date(Date.now() + HOUR), end: new Date(Date.now() + 5 * HOUR) };
    await fault({ endpoint: h.ops.freeBusy, user: rex.email, status: 429, retryAfterSeconds: 0, count: 1 });
    assert.deepEqual(await h.calendar.freeBusy(rex.token, rex.email, range), []);
    const lasting = await fault({
      endpoint: h.ops.freeBusy,
      user: rex.email,
      status: 429,
      retryAfterSeconds: 60,
    });
    await assert.rejects(
      h.calendar.freeBusy(rex.token, rex.email, range),
      (error: unknown) =>
        error instanceof ProviderError && error.kind === 'rate_limited' && error.retryAfterMs === 60_000,
    );
    await h.control.del(`/faults/${lasting.id}`);
  });

  test('R18: a 5xx that lasts is transient', async () => {
    const rex = await h.recruiter();
    const rule = await fault({ endpoint: h.ops.create, user: rex.email, status: 500 });
    await assert.rejects(
      h.impatient.createEvent(rex.token, interview()),
      (error: unknown) => error instanceof ProviderError && error.kind === 'transient',
    );
    await h.control.del(`/faults/${rule.id}`);
  });

  test('R18: the grant’s scopes say whether scheduling may use the calendar', async () => {
    const rex = await h.recruiter();
    assert.equal(h.calendar.hasCalendarScope(rex.scopes), true);
    assert.equal(h.calendar.hasCalendarScope(h.mailOnlyScopes), false);
    assert.equal(h.calendar.hasCalendarScope([]), false);
  });
}
