import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GraphError } from '@microsoft/microsoft-graph-client';
import { graphClient, graphFetch, type Json, microsoftSandbox, signIn } from './helpers.ts';

const sandbox = await microsoftSandbox({ https: true });
const rex = await sandbox.control.post<{ tenantId: string }>('/microsoft/users', {
  email: 'rex@acme.example',
  name: 'Rex Recruiter',
});
await sandbox.control.post('/microsoft/users', { email: 'amy@acme.example', name: 'Amy' });
await sandbox.control.post('/microsoft/users', { email: 'jane@live.com', name: 'Jane' });
const token = (await signIn(sandbox, 'rex@acme.example')).access_token;
const graph = graphClient(sandbox, token);
const busy = (email: string, start: string, end: string, subject?: string) =>
  sandbox.control.post(`/microsoft/mailboxes/${email}/calendar/busy`, { start, end, subject });

await busy('rex@acme.example', '2026-11-26T10:00:00Z', '2026-11-26T11:00:00Z', 'Interview');
await busy('amy@acme.example', '2026-11-26T10:30:00Z', '2026-11-26T12:00:00Z', 'Private');

const schedule = (body: Record<string, unknown>, prefer?: string) => {
  const request = graph.api('/me/calendar/getSchedule');
  if (prefer) request.header('Prefer', prefer);
  return request.post({
    schedules: ['rex@acme.example', 'amy@acme.example'],
    startTime: { dateTime: '2026-11-26T09:00:00', timeZone: 'UTC' },
    endTime: { dateTime: '2026-11-26T13:00:00', timeZone: 'UTC' },
    availabilityViewInterval: 60,
    ...body,
  });
};

describe('calendar getSchedule', () => {
  test('answers an availability view per schedule, one digit per interval', async () => {
    const answer = await schedule({});
    const [mine, hers] = answer.value;
    assert.equal(mine.scheduleId, 'rex@acme.example');
    assert.equal(mine.availabilityView, '0200');
    assert.equal(hers.availabilityView, '0220');
    assert.deepEqual(mine.scheduleItems[0].start, {
      dateTime: '2026-11-26T10:00:00.0000000',
      timeZone: 'UTC',
    });
    assert.equal(mine.scheduleItems[0].status, 'busy');
    assert.equal(mine.scheduleItems[0].subject, 'Interview');
    assert.equal(hers.scheduleItems[0].subject, undefined, "others' items show free/busy only");
  });

  test('reads Windows time zone names, and answers in the zone Prefer names', async () => {
    const answer = await schedule(
      {
        startTime: { dateTime: '2026-11-26T01:00:00', timeZone: 'Pacific Standard Time' },
        endTime: { dateTime: '2026-11-26T05:00:00', timeZone: 'Pacific Standard Time' },
      },
      'outlook.timezone="Pacific Standard Time"',
    );
    assert.equal(answer.value[0].availabilityView, '0200');
    assert.deepEqual(answer.value[0].scheduleItems[0].start, {
      dateTime: '2026-11-26T02:00:00.0000000',
      timeZone: 'Pacific Standard Time',
    });
  });

  test('an unknown mailbox gets an error entry; a bad request a 400', async () => {
    const answer = await schedule({ schedules: ['ghost@acme.example'] });
    assert.equal(answer.value[0].error.responseCode, 'ErrorMailRecipientNotFound');
    await assert.rejects(
      schedule({ availabilityViewInterval: 2 }),
      (error: GraphError) => error.statusCode === 400,
    );
    await assert.rejects(schedule({ schedules: [] }), (error: GraphError) => error.statusCode === 400);
    await assert.rejects(
      schedule({ startTime: { dateTime: '2026-11-26T09:00:00', timeZone: 'Mars/Olympus' } }),
      (error: GraphError) => error.statusCode === 400,
    );
  });
});

describe('events with Teams meetings', () => {
  const meeting = {
    subject: 'Interview: Jane Doe',
    body: { contentType: 'html', content: '<p>Let us talk.</p>' },
    start: { dateTime: '2026-11-27T14:00:00', timeZone: 'UTC' },
    end: { dateTime: '2026-11-27T14:45:00', timeZone: 'UTC' },
    location: { displayName: 'Online' },
    attendees: [{ emailAddress: { address: 'jane@gmail.com', name: 'Jane Doe' }, type: 'required' }],
    isOnlineMeeting: true,
    onlineMeetingProvider: 'teamsForBusiness',
  };

  test('creating an online meeting gets a Teams join URL; get, patch and delete follow', async () => {
    const created: Json = await graph.api('/me/events').post(meeting);
    assert.equal(created.subject, 'Interview: Jane Doe');
    assert.equal(created.isOnlineMeeting, true);
    assert.equal(created.onlineMeetingProvider, 'teamsForBusiness');
    assert.match(
      created.onlineMeeting.joinUrl,
      /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\/19%3ameeting_/,
    );
    assert.ok(created.onlineMeeting.joinUrl.includes(encodeURIComponent(rex.tenantId)));
    assert.deepEqual(created.start, { dateTime: '2026-11-27T14:00:00.0000000', timeZone: 'UTC' });
    assert.deepEqual(created.attendees, [
      {
        type: 'required',
        status: { response: 'none', time: '0001-01-01T00:00:00Z' },
        emailAddress: { name: 'Jane Doe', address: 'jane@gmail.com' },
      },
    ]);
    assert.deepEqual(created.organizer, {
      emailAddress: { name: 'Rex Recruiter', address: 'rex@acme.example' },
    });
    const read = await graph.api(`/me/events/${created.id}`).get();
    assert.equal(read.onlineMeeting.joinUrl, created.onlineMeeting.joinUrl);
    const moved = await graph.api(`/me/events/${created.id}`).patch({
      subject: 'Interview (moved)',
      start: { dateTime: '2026-11-27T15:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-27T15:45:00', timeZone: 'UTC' },
    });
    assert.equal(moved.subject, 'Interview (moved)');
    assert.equal(moved.start.dateTime, '2026-11-27T15:00:00.0000000');
    await assert.rejects(
      graph
        .api(`/me/events/${created.id}`)
        .patch({ end: { dateTime: '2026-11-27T08:00:00', timeZone: 'UTC' } }),
      (error: GraphError) => error.statusCode === 400,
    );
    assert.equal(
      (await graph.api(`/me/events/${created.id}`).get()).end.dateTime,
      '2026-11-27T15:45:00.0000000',
      'a refused update changes nothing',
    );
    const busyNow = await schedule({
      schedules: ['rex@acme.example'],
      startTime: { dateTime: '2026-11-27T14:00:00', timeZone: 'UTC' },
      endTime: { dateTime: '2026-11-27T16:00:00', timeZone: 'UTC' },
    });
    assert.equal(busyNow.value[0].availabilityView, '02', 'free 14-15, busy 15-16 after the move');
    const { events } = await sandbox.control.get<{ events: Json[] }>(
      '/microsoft/mailboxes/rex@acme.example/calendar/events',
    );
    assert.ok(events.some((event) => event.onlineMeeting?.joinUrl === created.onlineMeeting.joinUrl));
    await graph.api(`/me/events/${created.id}`).delete();
    await assert.rejects(
      graph.api(`/me/events/${created.id}`).get(),
      (error: GraphError) => error.statusCode === 404 && error.code === 'ErrorItemNotFound',
    );
  });

  test('R18: a second create with the same transactionId answers the first event, no second one', async () => {
    const body = { ...meeting, transactionId: 'booking-tx-1' };
    const first: Json = await graph.api('/me/events').post(body);
    const again: Json = await graph.api('/me/events').post(body);
    assert.equal(again.id, first.id);
    assert.equal(again.transactionId, 'booking-tx-1');
    assert.equal(again.onlineMeeting.joinUrl, first.onlineMeeting.joinUrl);
    const { events } = await sandbox.control.get<{ events: Json[] }>(
      '/microsoft/mailboxes/rex@acme.example/calendar/events',
    );
    const same = events.filter((event) => event.transactionId === 'booking-tx-1');
    assert.equal(same.length, 1);
    assert.deepEqual(same[0].sent, { invitations: 1, updates: 0, cancellations: 0 });
  });

  test('R18: the organizer’s cancel answers 202, sends one cancellation and the event is gone', async () => {
    const created: Json = await graph.api('/me/events').post(meeting);
    const moved = await graph.api(`/me/events/${created.id}`).patch({
      start: { dateTime: '2026-11-27T16:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-27T16:45:00', timeZone: 'UTC' },
    });
    assert.equal(moved.onlineMeeting.joinUrl, created.onlineMeeting.joinUrl, 'a move keeps the meeting');
    const cancel = await graphFetch(sandbox, token, `me/events/${created.id}/cancel`, {
      method: 'POST',
      body: JSON.stringify({ comment: 'Cancelled' }),
    });
    assert.equal(cancel.status, 202);
    await assert.rejects(
      graph.api(`/me/events/${created.id}`).get(),
      (error: GraphError) => error.statusCode === 404,
    );
    const { events } = await sandbox.control.get<{ events: Json[] }>(
      '/microsoft/mailboxes/rex@acme.example/calendar/events',
    );
    const stored = events.find((event) => event.id === created.id);
    assert.equal(stored.deleted, true);
    assert.deepEqual(stored.sent, { invitations: 1, updates: 1, cancellations: 1 });
  });

  test('R18: conference faults: late gives the join URL only on a later read, fail never', async () => {
    const fault = (mode: string) =>
      sandbox.control.post('/microsoft/mailboxes/rex@acme.example/calendar/conference-fault', { mode });
    await fault('late');
    const late: Json = await graph.api('/me/events').post(meeting);
    assert.equal(late.isOnlineMeeting, true);
    assert.equal(late.onlineMeeting, null);
    assert.match((await graph.api(`/me/events/${late.id}`).get()).onlineMeeting.joinUrl, /^https:\/\/teams/);
    await fault('fail');
    const failed: Json = await graph.api('/me/events').post(meeting);
    assert.equal((await graph.api(`/me/events/${failed.id}`).get()).onlineMeeting, null);
    await fault('none');
    assert.ok(((await graph.api('/me/events').post(meeting)) as Json).onlineMeeting.joinUrl);
  });

  test('R18: tentative time shows as tentative in getSchedule, free time not at all', async () => {
    const put = (start: string, end: string, showAs: string) =>
      sandbox.control.post('/microsoft/mailboxes/amy@acme.example/calendar/busy', { start, end, showAs });
    await put('2026-11-28T10:00:00Z', '2026-11-28T11:00:00Z', 'tentative');
    await put('2026-11-28T11:00:00Z', '2026-11-28T12:00:00Z', 'free');
    const answer = await schedule({
      schedules: ['amy@acme.example'],
      startTime: { dateTime: '2026-11-28T10:00:00', timeZone: 'UTC' },
      endTime: { dateTime: '2026-11-28T12:00:00', timeZone: 'UTC' },
    });
    assert.equal(answer.value[0].availabilityView, '10');
    assert.deepEqual(
      answer.value[0].scheduleItems.map((item: Json) => item.status),
      ['tentative'],
    );
  });

  test('times come back in the Prefer outlook.timezone zone', async () => {
    const created = await graph
      .api('/me/events')
      .header('Prefer', 'outlook.timezone="Europe/Berlin"')
      .post({
        ...meeting,
        start: { dateTime: '2026-11-27T10:00:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2026-11-27T11:00:00', timeZone: 'Europe/Berlin' },
      });
    assert.deepEqual(created.start, { dateTime: '2026-11-27T10:00:00.0000000', timeZone: 'Europe/Berlin' });
    const utc = await graph.api(`/me/events/${created.id}`).get();
    assert.deepEqual(utc.start, { dateTime: '2026-11-27T09:00:00.0000000', timeZone: 'UTC' });
  });

  test('a personal account gets no Teams for Business meeting', async () => {
    const personal = graphClient(sandbox, (await signIn(sandbox, 'jane@live.com')).access_token);
    const created = await personal.api('/me/events').post(meeting);
    assert.equal(created.isOnlineMeeting, false);
    assert.equal(created.onlineMeeting, null);
  });

  test('calendars need a Calendars scope', async () => {
    const mailOnly = graphClient(
      sandbox,
      (await signIn(sandbox, 'amy@acme.example', { scope: 'Mail.Read' })).access_token,
    );
    await assert.rejects(
      mailOnly.api('/me/events').post(meeting),
      (error: GraphError) => error.statusCode === 403,
    );
    await assert.rejects(
      mailOnly
        .api('/me/calendar/getSchedule')
        .post({ schedules: ['amy@acme.example'], startTime: meeting.start, endTime: meeting.end }),
      (error: GraphError) => error.statusCode === 403,
    );
  });
});
