import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { testSandbox } from '../../support/sandbox.ts';
import {
  CALENDAR_EVENTS,
  CALENDAR_FREEBUSY,
  calendarClient,
  failure,
  newUser,
  registerClient,
  signIn,
} from './helpers.ts';

const sandbox = await testSandbox();
let email: string;
let api: ReturnType<typeof calendarClient>;

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  api = calendarClient(
    sandbox,
    (await signIn(sandbox, email, [CALENDAR_EVENTS, CALENDAR_FREEBUSY])).access_token,
  );
});

const interview = {
  summary: 'Interview: Jane Roe',
  start: { dateTime: '2026-12-01T10:00:00+01:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-12-01T11:00:00+01:00', timeZone: 'Europe/Berlin' },
  attendees: [{ email: 'jane@gmail.com' }],
};

describe('Calendar freeBusy.query', () => {
  it('answers the busy intervals of each calendar, merged and clipped, and notFound for unknown ones', async () => {
    await sandbox.control.post(`/google/mailboxes/${email}/calendar/busy`, {
      start: '2026-11-30T09:00:00Z',
      end: '2026-11-30T10:00:00Z',
    });
    await sandbox.control.post(`/google/mailboxes/${email}/calendar/busy`, {
      start: '2026-11-30T09:30:00Z',
      end: '2026-11-30T11:00:00Z',
    });
    await sandbox.control.post(`/google/mailboxes/${email}/calendar/busy`, {
      start: '2026-11-30T15:00:00Z',
      end: '2026-11-30T18:00:00Z',
    });
    const { data } = await api.freebusy.query({
      requestBody: {
        timeMin: '2026-11-30T08:00:00Z',
        timeMax: '2026-11-30T16:00:00Z',
        items: [{ id: email }, { id: 'ghost@acme.example' }],
      },
    });
    assert.equal(data.kind, 'calendar#freeBusy');
    assert.deepEqual(data.calendars?.[email]?.busy, [
      { start: '2026-11-30T09:00:00Z', end: '2026-11-30T11:00:00Z' },
      { start: '2026-11-30T15:00:00Z', end: '2026-11-30T16:00:00Z' },
    ]);
    assert.deepEqual(data.calendars?.['ghost@acme.example'], {
      errors: [{ domain: 'global', reason: 'notFound' }],
      busy: [],
    });
  });

  it('refuses an empty time range with 400', async () => {
    const answer = await failure(
      api.freebusy.query({
        requestBody: {
          timeMin: '2026-11-30T10:00:00Z',
          timeMax: '2026-11-30T09:00:00Z',
          items: [{ id: email }],
        },
      }),
    );
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.message, 'The specified time range is empty.');
  });
});

describe('Calendar events', () => {
  it('R18: inserts an event with a Meet conference made at once: success with the Meet link in the insert answer', async () => {
    const inserted = await api.events.insert({
      calendarId: 'primary',
      conferenceDataVersion: 1,
      sendUpdates: 'all',
      requestBody: {
        ...interview,
        conferenceData: {
          createRequest: { requestId: 'req-1', conferenceSolutionKey: { type: 'hangoutsMeet' } },
        },
      },
    });
    assert.equal(inserted.status, 200);
    assert.equal(inserted.data.conferenceData?.createRequest?.status?.statusCode, 'success');
    assert.match(inserted.data.hangoutLink ?? '', /^https:\/\/meet\.google\.com\//);
    assert.deepEqual(inserted.data.attendees, [{ email: 'jane@gmail.com', responseStatus: 'needsAction' }]);
    assert.deepEqual(inserted.data.start, interview.start);
    assert.equal(inserted.data.organizer?.email, email);
    const read = await api.events.get({ calendarId: 'primary', eventId: inserted.data.id ?? '' });
    assert.equal(read.data.conferenceData?.createRequest?.status?.statusCode, 'success');
    const video = read.data.conferenceData?.entryPoints?.find((entry) => entry.entryPointType === 'video');
    assert.match(video?.uri ?? '', /^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    assert.equal(read.data.hangoutLink, video?.uri);
    assert.equal(read.data.hangoutLink, inserted.data.hangoutLink);
    const listed = await sandbox.control.get<{ events: { id: string; sendUpdates: string }[] }>(
      `/google/mailboxes/${email}/calendar/events`,
    );
    assert.equal(listed.events.find((event) => event.id === inserted.data.id)?.sendUpdates, 'all');
  });

  it('ignores conference data without conferenceDataVersion=1', async () => {
    const inserted = await api.events.insert({
      calendarId: 'primary',
      requestBody: {
        ...interview,
        conferenceData: {
          createRequest: { requestId: 'req-2', conferenceSolutionKey: { type: 'hangoutsMeet' } },
        },
      },
    });
    assert.equal(inserted.data.conferenceData, undefined);
    assert.equal(inserted.data.hangoutLink, undefined);
  });

  it('patches an event (sequence moves with the time) and deletes it; a second delete answers 410', async () => {
    const inserted = await api.events.insert({ calendarId: 'primary', requestBody: interview });
    const eventId = inserted.data.id ?? '';
    const patched = await api.events.patch({
      calendarId: 'primary',
      eventId,
      requestBody: { summary: 'Moved', end: { dateTime: '2026-12-01T11:30:00+01:00' } },
    });
    assert.equal(patched.data.summary, 'Moved');
    assert.equal(patched.data.sequence, 1);
    assert.equal((await api.events.delete({ calendarId: 'primary', eventId })).status, 204);
    assert.equal((await api.events.get({ calendarId: 'primary', eventId })).data.status, 'cancelled');
    const again = await failure(api.events.delete({ calendarId: 'primary', eventId }));
    assert.equal(again.status, 410);
    assert.equal(again.body.error.message, 'Resource has been deleted');
    assert.equal(again.body.error.errors[0]?.reason, 'deleted');
  });

  it('R18: an insert with an id that exists answers 409 duplicate; one event, one invitation', async () => {
    const requestBody = { ...interview, id: 'interv0001' };
    await api.events.insert({ calendarId: 'primary', sendUpdates: 'all', requestBody });
    const again = await failure(
      api.events.insert({ calendarId: 'primary', sendUpdates: 'all', requestBody }),
    );
    assert.equal(again.status, 409);
    assert.equal(again.body.error.errors[0]?.reason, 'duplicate');
    const { events } = await sandbox.control.get<{
      events: { id: string; sent: Record<string, number> }[];
    }>(`/google/mailboxes/${email}/calendar/events`);
    const same = events.filter((event) => event.id === 'interv0001');
    assert.deepEqual(
      same.map((event) => event.sent),
      [{ invitations: 1, updates: 0, cancellations: 0 }],
    );
  });

  it('R18: a patch of the time keeps the Meet conference and sends one update', async () => {
    const inserted = await api.events.insert({
      calendarId: 'primary',
      conferenceDataVersion: 1,
      sendUpdates: 'all',
      requestBody: {
        ...interview,
        conferenceData: {
          createRequest: { requestId: 'req-move', conferenceSolutionKey: { type: 'hangoutsMeet' } },
        },
      },
    });
    const eventId = inserted.data.id ?? '';
    const link = (await api.events.get({ calendarId: 'primary', eventId })).data.hangoutLink;
    const patched = await api.events.patch({
      calendarId: 'primary',
      eventId,
      conferenceDataVersion: 1,
      sendUpdates: 'all',
      requestBody: {
        start: { dateTime: '2026-12-02T10:00:00+01:00' },
        end: { dateTime: '2026-12-02T11:00:00+01:00' },
      },
    });
    assert.equal(patched.data.hangoutLink, link);
    assert.equal(patched.data.iCalUID, inserted.data.iCalUID);
    assert.equal(patched.data.conferenceData?.createRequest?.status?.statusCode, 'success');
    const { events } = await sandbox.control.get<{
      events: { id: string; sent: Record<string, number> }[];
    }>(`/google/mailboxes/${email}/calendar/events`);
    assert.deepEqual(events.find((event) => event.id === eventId)?.sent, {
      invitations: 1,
      updates: 1,
      cancellations: 0,
    });
  });

  it('R18: conference faults: pending then success, stuck stays pending, fail turns to failure with no link', async () => {
    const fault = (mode: string) =>
      sandbox.control.post(`/google/mailboxes/${email}/calendar/conference-fault`, { mode });
    const insert = async (requestId: string) =>
      (
        await api.events.insert({
          calendarId: 'primary',
          conferenceDataVersion: 1,
          requestBody: {
            ...interview,
            conferenceData: { createRequest: { requestId, conferenceSolutionKey: { type: 'hangoutsMeet' } } },
          },
        })
      ).data.id ?? '';
    await fault('pending');
    const lateId = await insert('req-late');
    const before = await sandbox.control.get<{
      events: { id: string; conferenceData?: { createRequest: { status: { statusCode: string } } } }[];
    }>(`/google/mailboxes/${email}/calendar/events`);
    const unread = before.events.find((event) => event.id === lateId);
    assert.equal(unread?.conferenceData?.createRequest.status.statusCode, 'pending');
    const late = await api.events.get({ calendarId: 'primary', eventId: lateId });
    assert.equal(late.data.conferenceData?.createRequest?.status?.statusCode, 'success');
    assert.match(late.data.hangoutLink ?? '', /^https:\/\/meet\.google\.com\//);
    await fault('stuck');
    const stuck = await api.events.get({ calendarId: 'primary', eventId: await insert('req-stuck') });
    assert.equal(stuck.data.conferenceData?.createRequest?.status?.statusCode, 'pending');
    await fault('fail');
    const failed = await api.events.get({ calendarId: 'primary', eventId: await insert('req-fail') });
    assert.equal(failed.data.conferenceData?.createRequest?.status?.statusCode, 'failure');
    assert.equal(failed.data.hangoutLink, undefined);
    await fault('none');
    const fine = await api.events.get({ calendarId: 'primary', eventId: await insert('req-fine') });
    assert.equal(fine.data.conferenceData?.createRequest?.status?.statusCode, 'success');
  });

  it('refuses an event without an end time with 400, and an unknown event with 404', async () => {
    const missing = await failure(
      api.events.insert({ calendarId: 'primary', requestBody: { start: interview.start } }),
    );
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.message, 'Missing end time.');
    const unknown = await failure(api.events.get({ calendarId: 'primary', eventId: 'abcdefabcdef' }));
    assert.equal(unknown.status, 404);
  });

  it('refuses event writes to a token with only the freebusy scope', async () => {
    const user = await newUser(sandbox);
    const narrow = calendarClient(sandbox, (await signIn(sandbox, user, [CALENDAR_FREEBUSY])).access_token);
    const answer = await failure(narrow.events.insert({ calendarId: 'primary', requestBody: interview }));
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error.message, 'Request had insufficient authentication scopes.');
  });
});
