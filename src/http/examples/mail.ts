/** The mail routes' examples (routes/mail.ts), in the world of ./world.ts. */
import {
  ALAN,
  CLEO,
  GRACE,
  GRACE_ADDRESS,
  GRACE_MESSAGE_ID,
  REX,
  REX_ADDRESS,
  REX_REPLY_ID,
  THREAD_ID,
  THREAD_SUBJECT,
} from './world.ts';

/** Grace writes to Rex with her CV; Rex answers. The thread is shared with the organization. */
export const THREAD = {
  id: THREAD_ID,
  ownerUserId: REX.id,
  visibility: 'organization' as const,
  access: 'full' as const,
  subject: THREAD_SUBJECT,
  firstMessageAt: '2026-03-03T08:12:41.000Z',
  lastMessageAt: '2026-03-03T10:05:09.000Z',
  messageCount: 2,
  participants: [GRACE_ADDRESS, REX_ADDRESS],
  members: [{ id: GRACE.id, name: GRACE.name }],
};
export const GRACE_MESSAGE = {
  id: GRACE_MESSAGE_ID,
  threadId: THREAD_ID,
  access: 'full' as const,
  providerMessageId: '18e0c1b2a3f4d5e6',
  rfcMessageId: '<CAF3x9QkE7mPz@mail.gmail.com>',
  direction: 'received' as const,
  from: GRACE_ADDRESS,
  to: [REX_ADDRESS],
  cc: [],
  bcc: [],
  subject: THREAD_SUBJECT,
  sentAt: '2026-03-03T08:12:38.000Z',
  receivedAt: '2026-03-03T08:12:41.000Z',
  snippet:
    'Hello Rex, I saw the Staff engineer opening and attach my CV. I have led platform teams for six years…',
  attachments: [
    {
      filename: 'Grace-Candidate-CV.pdf',
      contentType: 'application/pdf',
      size: 184_320,
      disposition: 'attachment',
    },
  ],
  truncated: false,
  memberIds: [GRACE.id],
};
export const REX_REPLY = {
  ...GRACE_MESSAGE,
  id: REX_REPLY_ID,
  providerMessageId: '18e0c7d9e1f20a3b',
  rfcMessageId: '<d41f.rex@acme.example>',
  direction: 'sent' as const,
  from: REX_ADDRESS,
  to: [GRACE_ADDRESS],
  subject: `Re: ${THREAD_SUBJECT}`,
  sentAt: '2026-03-03T10:05:07.000Z',
  receivedAt: '2026-03-03T10:05:09.000Z',
  snippet: 'Thanks Grace, your background fits well. I will write to you on InMail to find a time to talk.',
  attachments: [],
};

export const GRACE_TEXT =
  'Hello Rex,\n\nI saw the Staff engineer opening and attach my CV. I have led platform teams for six years and would love to talk.\n\nBest,\nGrace';

export const GRACE_MESSAGE_WITH_BODY = {
  ...GRACE_MESSAGE,
  bodyText: GRACE_TEXT,
  bodyHtml:
    '<p>Hello Rex,</p><p>I saw the Staff engineer opening and attach my CV. I have led platform teams for six years and would love to talk.</p><p>Best,<br>Grace</p>',
};

/** A thread of Cleo's with Alan that she shares as `metadata`: Rex sees that it exists, nothing more. */
export const CLEO_THREAD = {
  id: 'c3e1a9d2-6b4f-4e8a-9d17-2f5b8c0e4a61',
  ownerUserId: CLEO.id,
  visibility: 'metadata' as const,
  access: 'metadata' as const,
  firstMessageAt: '2026-03-02T15:30:00.000Z',
  lastMessageAt: '2026-03-02T15:30:00.000Z',
  messageCount: 1,
  participants: [
    { name: ALAN.name, address: ALAN.address },
    { name: CLEO.name, address: CLEO.email },
  ],
  members: [{ id: ALAN.id, name: ALAN.name }],
};
