/** The Microsoft adapter's `CalendarSource` against the sandbox (R18): the shared contract, and Graph's own ways. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMicrosoftCalendar } from '../../../src/providers/microsoft/calendar.ts';
import { MICROSOFT_SCOPES } from '../../../src/providers/microsoft/oauth.ts';
import { graphFetch } from '../../sandbox/microsoft/helpers.ts';
import { runCalendarContract, type SandboxEvent } from '../calendar-contract.ts';
import { adapterSandbox, mailbox } from './helpers.ts';

const { sandbox, config } = await adapterSandbox();
const calendar = createMicrosoftCalendar(config, { conferenceBackoffMs: 20 });
const impatient = createMicrosoftCalendar(config, { conferenceReads: 1, conferenceBackoffMs: 10 });
let recruiters = 0;

async function recruiter() {
  recruiters += 1;
  const rex = await mailbox(sandbox, `rex${recruiters}@acme.example`);
  return { email: rex.email, token: rex.token, scopes: [...MICROSOFT_SCOPES] };
}

async function events(email: string): Promise<SandboxEvent[]> {
  const { events: list } = await sandbox.control.get<{
    events: {
      id: string;
      deleted: boolean;
      attendees: { emailAddress: { address: string } }[];
      sent: SandboxEvent['sent'];
    }[];
  }>(`/microsoft/mailboxes/${email}/calendar/events`);
  return list.map((event) => ({
    id: event.id,
    attendees: event.attendees.map((attendee) => attendee.emailAddress.address),
    sent: event.sent,
    gone: event.deleted,
  }));
}

describe('Microsoft calendar', () => {
  runCalendarContract({
    provider: 'microsoft',
    control: sandbox.control,
    calendar,
    impatient,
    recruiter,
    mailOnlyScopes: ['openid', 'offline_access', 'https://graph.microsoft.com/Mail.Read', 'Calendars.Read'],
    ops: { freeBusy: 'graph.calendar.getSchedule', create: 'graph.events.create' },
    tentativeStatus: 'tentative',
    deletedReadsAs: null,
    linkHost: 'teams.microsoft.com',
    lateMode: 'late',
    events,
  });

  test('R18: free/busy counts out-of-office as busy and working elsewhere as free', async () => {
    const rex = await recruiter();
    const day = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 86_400_000;
    const at = (hours: number) => new Date(day + hours * 3_600_000).toISOString();
    const put = (start: number, showAs: string) =>
      sandbox.control.post(`/microsoft/mailboxes/${rex.email}/calendar/busy`, {
        start: at(start),
        end: at(start + 1),
        showAs,
      });
    await put(1, 'oof');
    await put(3, 'workingElsewhere');
    const busy = await calendar.freeBusy(rex.token, rex.email, {
      start: new Date(day),
      end: new Date(day + 6 * 3_600_000),
    });
    assert.deepEqual(
      busy.map((span) => [span.start.toISOString(), span.status]),
      [[at(1), 'out_of_office']],
    );
  });

  test('R18: a range longer than getSchedule’s 62 days is asked for in windows', async () => {
    const rex = await recruiter();
    const start = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
    const late = start + 65 * 86_400_000;
    await sandbox.control.post(`/microsoft/mailboxes/${rex.email}/calendar/busy`, {
      start: new Date(late).toISOString(),
      end: new Date(late + 3_600_000).toISOString(),
    });
    await sandbox.control.del('/counters');
    const busy = await calendar.freeBusy(rex.token, rex.email, {
      start: new Date(start),
      end: new Date(start + 70 * 86_400_000),
    });
    assert.deepEqual(
      busy.map((span) => span.start.getTime()),
      [late],
    );
    const { rows } = await sandbox.control.get<{ rows: { method: string; calls: number }[] }>(
      `/counters?provider=microsoft&user=${rex.email}`,
    );
    assert.equal(rows.find((row) => row.method === 'graph.calendar.getSchedule')?.calls, 2);
  });

  test('R18: the event is created with the key as transactionId and the times in the zone given', async () => {
    const rex = await recruiter();
    const event = await calendar.createEvent(rex.token, {
      key: 'booking-zone',
      subject: 'Interview',
      description: 'Plain text',
      start: new Date('2026-12-10T09:00:00Z'),
      end: new Date('2026-12-10T09:30:00Z'),
      timeZone: 'Europe/Berlin',
      attendee: { name: 'Jane', address: 'jane@gmail.com' },
      conference: true,
    });
    const response = await graphFetch(sandbox, rex.token, `me/events/${encodeURIComponent(event.id)}`);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.transactionId, 'booking-zone');
    assert.equal(body.originalStartTimeZone, 'Europe/Berlin');
    assert.deepEqual(body.start, { dateTime: '2026-12-10T09:00:00.0000000', timeZone: 'UTC' });
    assert.equal(event.start.toISOString(), '2026-12-10T09:00:00.000Z');
  });

  test('R18: a conference that never comes is failed after the reads the budget allows', async () => {
    const rex = await recruiter();
    await sandbox.control.post(`/microsoft/mailboxes/${rex.email}/calendar/conference-fault`, {
      mode: 'stuck',
    });
    await sandbox.control.del('/counters');
    const patient = createMicrosoftCalendar(config, { conferenceReads: 3, conferenceBackoffMs: 5 });
    const start = new Date(Date.now() + 72 * 3_600_000);
    const event = await patient.createEvent(rex.token, {
      key: 'booking-stuck',
      subject: 'Interview',
      description: '',
      start,
      end: new Date(start.getTime() + 1_800_000),
      timeZone: 'UTC',
      attendee: { name: 'Jane', address: 'jane@gmail.com' },
      conference: true,
    });
    assert.deepEqual(event.conference, { status: 'failed' });
    const { rows } = await sandbox.control.get<{ rows: { method: string; calls: number }[] }>(
      `/counters?provider=microsoft&user=${rex.email}`,
    );
    const calls = Object.fromEntries(rows.map((row) => [row.method, row.calls]));
    assert.equal(calls['graph.events.get'], 3);
    assert.equal(calls['graph.events.create'], 1);
  });

  test('R18: a personal account cannot host a Teams meeting: the conference is failed, not missing', async () => {
    const jane = await mailbox(sandbox, 'jane.personal@live.com');
    const start = new Date(Date.now() + 72 * 3_600_000);
    const event = await impatient.createEvent(jane.token, {
      key: 'booking-personal',
      subject: 'Interview',
      description: '',
      start,
      end: new Date(start.getTime() + 1_800_000),
      timeZone: 'UTC',
      attendee: { name: 'Amy', address: 'amy@example.org' },
      conference: true,
    });
    assert.deepEqual(event.conference, { status: 'failed' });
  });

  test('R18: the scopes the app asks for cover scheduling', () => {
    assert.equal(calendar.hasCalendarScope([...MICROSOFT_SCOPES]), true);
    assert.equal(calendar.hasCalendarScope(['Calendars.ReadWrite']), true);
  });
});
