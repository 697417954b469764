import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { applyFieldMask, InvalidFieldMask, parseFieldMask } from '../../../src/sandbox/google/fields.ts';
import { testSandbox } from '../../support/sandbox.ts';
import {
  CALENDAR_EVENTS,
  calendarClient,
  failure,
  GMAIL_READONLY,
  gmailClient,
  newUser,
  registerClient,
  signIn,
} from './helpers.ts';

const sandbox = await testSandbox();
let email: string;
let gmail: ReturnType<typeof gmailClient>['api'];
let calendar: ReturnType<typeof calendarClient>;
let messageId: string;

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  const tokens = await signIn(sandbox, email, [GMAIL_READONLY, CALENDAR_EVENTS]);
  gmail = gmailClient(sandbox, tokens).api;
  calendar = calendarClient(sandbox, tokens.access_token);
  for (const subject of ['One', 'Two'])
    messageId = (
      await sandbox.control.post<{ id: string }>(`/google/mailboxes/${email}/deliver`, {
        from: { address: 'jane@gmail.com' },
        subject,
        text: 'hello',
      })
    ).id;
});

describe('Partial responses: the fields mask', () => {
  it('parses a/b, a(b,c) and * and keeps only what they select, in arrays element by element', () => {
    const value = {
      messages: [
        { id: '1', threadId: 't', payload: { mimeType: 'text/plain', headers: [{ name: 'A', value: 'x' }] } },
        { id: '2', threadId: 't' },
      ],
      nextPageToken: 'n',
      resultSizeEstimate: 2,
    };
    assert.deepEqual(applyFieldMask(value, parseFieldMask('messages/id,nextPageToken')), {
      messages: [{ id: '1' }, { id: '2' }],
      nextPageToken: 'n',
    });
    assert.deepEqual(applyFieldMask(value, parseFieldMask('messages(id,payload/headers(name))')), {
      messages: [{ id: '1', payload: { headers: [{ name: 'A' }] } }, { id: '2' }],
    });
    assert.deepEqual(applyFieldMask(value, parseFieldMask('messages/payload/mimeType,messages/id')), {
      messages: [{ id: '1', payload: { mimeType: 'text/plain' } }, { id: '2' }],
    });
    assert.deepEqual(applyFieldMask(value, parseFieldMask('*')), value);
    for (const bad of ['', 'a,', 'a(b', 'a)', 'a//b', '(a)'])
      assert.throws(() => parseFieldMask(bad), InvalidFieldMask, bad);
  });

  it('Gmail messages.list and messages.get answer only the selected fields', async () => {
    const listed = await gmail.users.messages.list({ userId: 'me', fields: 'messages/id' });
    assert.deepEqual(Object.keys(listed.data), ['messages']);
    assert.ok(listed.data.messages?.every((message) => Object.keys(message).join() === 'id'));
    const got = await gmail.users.messages.get({
      userId: 'me',
      id: messageId,
      format: 'metadata',
      fields: 'id,labelIds,payload/headers(name,value)',
    });
    assert.deepEqual(Object.keys(got.data).sort(), ['id', 'labelIds', 'payload']);
    assert.deepEqual(Object.keys(got.data.payload ?? {}), ['headers']);
    assert.ok(
      got.data.payload?.headers?.some((header) => header.name === 'Subject' && header.value === 'Two'),
    );
  });

  it('Gmail threads.get and Calendar events.insert honour fields too', async () => {
    const thread = await gmail.users.threads.get({
      userId: 'me',
      id: messageId,
      format: 'minimal',
      fields: 'messages(id)',
    });
    assert.deepEqual(thread.data, { messages: [{ id: messageId }] });
    const inserted = await calendar.events.insert({
      calendarId: 'primary',
      conferenceDataVersion: 1,
      fields: 'id,hangoutLink,conferenceData/createRequest/status',
      requestBody: {
        summary: 'Interview',
        start: { dateTime: '2026-12-01T10:00:00Z' },
        end: { dateTime: '2026-12-01T10:30:00Z' },
        conferenceData: {
          createRequest: { requestId: 'f-1', conferenceSolutionKey: { type: 'hangoutsMeet' } },
        },
      },
    });
    assert.deepEqual(Object.keys(inserted.data).sort(), ['conferenceData', 'hangoutLink', 'id']);
    assert.deepEqual(inserted.data.conferenceData, { createRequest: { status: { statusCode: 'success' } } });
    const read = await calendar.events.get({
      calendarId: 'primary',
      eventId: inserted.data.id ?? '',
      fields: 'summary',
    });
    assert.deepEqual(read.data, { summary: 'Interview' });
  });

  it('answers 400 for a mask that does not parse', async () => {
    const { status, body } = await failure(
      gmail.users.messages.list({ userId: 'me', fields: 'messages(id' }),
    );
    assert.equal(status, 400);
    assert.match(body.error.message, /^Invalid field selection/);
  });
});
