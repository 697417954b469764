/** The Google adapter's `CalendarSource` against the sandbox (R18): the shared contract, and Google's own ways. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createGoogleCalendar, googleEventId } from '../../../src/providers/google/calendar.ts';
import { GOOGLE_SCOPES } from '../../../src/providers/google/oauth.ts';
import {
  CALENDAR_EVENTS,
  CALENDAR_FREEBUSY,
  calendarClient,
  GMAIL_READONLY,
  newUser,
  signIn,
} from '../../sandbox/google/helpers.ts';
import { runCalendarContract, type SandboxEvent } from '../calendar-contract.ts';
import { googleTest } from './helpers.ts';

const { sandbox, config } = await googleTest();
const calendar = createGoogleCalendar(config, { conferenceBackoffMs: 20 });
const impatient = createGoogleCalendar(config, {
  conferenceReads: 2,
  conferenceBackoffMs: 10,
  maxAttempts: 2,
});
const SCOPES = [GMAIL_READONLY, CALENDAR_FREEBUSY, CALENDAR_EVENTS];

async function recruiter() {
  const email = await newUser(sandbox);
  const tokens = await signIn(sandbox, email, SCOPES);
  return { email, token: tokens.access_token, scopes: tokens.scope.split(' ') };
}

async function events(email: string): Promise<SandboxEvent[]> {
  const { events: list } = await sandbox.control.get<{
    events: {
      id: string;
      status: string;
      attendees?: { email: string }[];
      sent: SandboxEvent['sent'];
    }[];
  }>(`/google/mailboxes/${email}/calendar/events`);
  return list.map((event) => ({
    id: event.id,
    attendees: (event.attendees ?? []).map((attendee) => attendee.email),
    sent: event.sent,
    gone: event.status === 'cancelled',
  }));
}

describe('Google calendar', () => {
  runCalendarContract({
    provider: 'google',
    control: sandbox.control,
    calendar,
    impatient,
    recruiter,
    mailOnlyScopes: ['openid', 'email', GMAIL_READONLY],
    ops: { freeBusy: 'calendar.freebusy.query', create: 'calendar.events.insert' },
    tentativeStatus: 'busy',
    deletedReadsAs: 'cancelled',
    linkHost: 'meet.google.com',
    lateMode: 'pending',
    events,
  });

  test('R18: the event id comes from the key: valid base32hex, the same for every retry', () => {
    const id = googleEventId('booking-42');
    assert.match(id, /^[a-v0-9]{5,1024}$/);
    assert.equal(googleEventId('booking-42'), id);
    assert.notEqual(googleEventId('booking-43'), id);
  });

  test('R18: a conference kept pending is answered pending after a few reads, not as ready or failed', async () => {
    const rex = await recruiter();
    await sandbox.control.post(`/google/mailboxes/${rex.email}/calendar/conference-fault`, { mode: 'stuck' });
    await sandbox.control.del('/counters');
    const start = new Date(Date.now() + 72 * 3_600_000);
    const event = await impatient.createEvent(rex.token, {
      key: `stuck-${rex.email}`,
      subject: 'Interview',
      description: '',
      start,
      end: new Date(start.getTime() + 1_800_000),
      timeZone: 'UTC',
      attendee: { name: 'Jane', address: 'jane@gmail.com' },
      conference: true,
    });
    assert.deepEqual(event.conference, { status: 'pending' });
    const { rows } = await sandbox.control.get<{ rows: { method: string; calls: number }[] }>(
      `/counters?provider=google&user=${encodeURIComponent(rex.email)}`,
    );
    const calls = Object.fromEntries(rows.map((row) => [row.method, row.calls]));
    assert.equal(calls['calendar.events.get'], 2, 'read again as often as the budget allows');
  });

  test('R18: the scopes the app asks for cover scheduling; read-only calendar access does not', () => {
    assert.equal(calendar.hasCalendarScope([...GOOGLE_SCOPES]), true);
    assert.equal(
      calendar.hasCalendarScope(['https://www.googleapis.com/auth/calendar.readonly', GMAIL_READONLY]),
      false,
    );
    assert.equal(calendar.hasCalendarScope(['https://www.googleapis.com/auth/calendar']), true);
  });

  test('R18: an event the official client made with a Meet conference reads through the adapter as ready', async () => {
    const rex = await recruiter();
    await sandbox.control.post(`/google/mailboxes/${rex.email}/calendar/conference-fault`, {
      mode: 'pending',
    });
    const api = calendarClient(sandbox, rex.token);
    const inserted = await api.events.insert({
      calendarId: 'primary',
      conferenceDataVersion: 1,
      sendUpdates: 'all',
      requestBody: {
        id: googleEventId('official-client'),
        summary: 'Interview',
        start: { dateTime: '2026-12-10T10:00:00+01:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2026-12-10T10:30:00+01:00', timeZone: 'Europe/Berlin' },
        attendees: [{ email: 'jane@gmail.com' }],
        conferenceData: {
          createRequest: { requestId: 'official-client', conferenceSolutionKey: { type: 'hangoutsMeet' } },
        },
      },
    });
    assert.equal(inserted.data.conferenceData?.createRequest?.status?.statusCode, 'pending');
    const event = await calendar.getEvent(rex.token, inserted.data.id ?? '');
    assert.equal(event?.conference?.status, 'ready');
    assert.equal(event?.start.toISOString(), '2026-12-10T09:00:00.000Z');
    const read = await api.events.get({ calendarId: 'primary', eventId: inserted.data.id ?? '' });
    assert.equal(read.data.hangoutLink, event?.conference?.url);
    assert.equal(read.data.iCalUID, event?.iCalUid);
  });
});
