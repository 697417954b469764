/**
 * R18 test setup: a recruiter connected to the sandbox with settings that leave every hour open (so slots
 * are predictable), a candidate in an InMail conversation with them, and the sandbox calendar read back
 * in both providers' words.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Provider } from '../../src/providers/types.ts';
import type { ProviderTest } from './providers.ts';
import { connectedMailbox, type Mailbox } from './sync.ts';

export interface SandboxEvent {
  id: string;
  start: Date;
  end: Date;
  attendees: string[];
  link: string | null;
  gone: boolean;
}

export interface Scheduling {
  box: Mailbox;
  candidate: { id: string; token: string; emails: string[] };
  conversationId: string;
  /** The recruiter's sandbox calendar, interviews and busy time alike. */
  events(): Promise<SandboxEvent[]>;
  /** Adds busy time to the recruiter's calendar, as if they had accepted a meeting. */
  busy(start: Date, end: Date): Promise<void>;
  /** Another candidate in another conversation with the same recruiter. */
  anotherConversation(): Promise<{ candidate: { id: string; token: string }; conversationId: string }>;
  /** Proposes `durationMinutes` interviews in the conversation; answers the 201 body. */
  propose(body?: Record<string, unknown>, conversationId?: string): Promise<ProposalBody>;
  messages(conversationId?: string): Promise<string[]>;
}

export interface SlotBody {
  start: string;
  end: string;
  local: string;
  recruiter: string;
}

export interface ProposalBody {
  proposal: { id: string; slots: SlotBody[]; status: string; expiresAt: string; link: string };
  hidden: { start: string; end: string; reason: string }[];
}

/** Every day, all day, in UTC, no buffers or cap: only notice and the calendar hide a time. */
export const OPEN_SETTINGS = {
  timeZone: 'UTC',
  workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' },
  minimumNoticeMinutes: 720,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  dailyCap: null,
  changeCutoffMinutes: 120,
  maxReschedules: 2,
};

export async function scheduling(t: ProviderTest, provider: Provider): Promise<Scheduling> {
  const box = await connectedMailbox(t, provider, `sched-${randomBytes(4).toString('hex')}.example`);
  const put = await t.call(box.recruiter.token, 'PUT', '/api/me/scheduling', OPEN_SETTINGS);
  assert.equal(put.statusCode, 200, put.body);
  const converse = async () => {
    const candidate = await t.member();
    const started = await t.call(box.recruiter.token, 'POST', '/api/inmail/conversations', {
      memberId: candidate.id,
      subject: 'Backend role',
      body: 'Would you have time for a short call?',
    });
    assert.equal(started.statusCode, 201, started.body);
    return { candidate, conversationId: started.json().id as string };
  };
  const first = await converse();
  const base = `/${provider}/mailboxes/${box.recruiter.email}/calendar`;
  return {
    box,
    ...first,
    events: async () => {
      const { events } = await t.sandbox.control.get<{ events: Record<string, unknown>[] }>(`${base}/events`);
      return events.map((event) => readEvent(provider, event));
    },
    busy: async (start, end) => {
      await t.sandbox.control.post(`${base}/busy`, { start: start.toISOString(), end: end.toISOString() });
    },
    anotherConversation: converse,
    propose: async (body = {}, conversationId = first.conversationId) => {
      const response = await t.call(
        box.recruiter.token,
        'POST',
        `/api/inmail/conversations/${conversationId}/proposals`,
        { durationMinutes: 30, horizonDays: 3, maxSlots: 10, ...body },
      );
      assert.equal(response.statusCode, 201, response.body);
      return response.json();
    },
    messages: async (conversationId = first.conversationId) => {
      const response = await t.call(
        box.recruiter.token,
        'GET',
        `/api/inmail/conversations/${conversationId}`,
      );
      return (response.json().messages as { body: string }[]).map((message) => message.body);
    },
  };
}

/** A sandbox calendar event in either provider's words, read the same way. */
export function readEvent(provider: Provider, event: Record<string, unknown>): SandboxEvent {
  const time = (value: unknown) => {
    const { dateTime } = value as { dateTime: string };
    return new Date(/Z|[+-]\d\d:\d\d$/.test(dateTime) ? dateTime : `${dateTime}Z`);
  };
  if (provider === 'google') {
    return {
      id: String(event.id),
      start: time(event.start),
      end: time(event.end),
      attendees: ((event.attendees as { email: string }[] | undefined) ?? []).map((a) => a.email),
      link: (event.hangoutLink as string | undefined) ?? null,
      gone: event.status === 'cancelled',
    };
  }
  return {
    id: String(event.id),
    start: time(event.start),
    end: time(event.end),
    attendees: ((event.attendees as { emailAddress: { address: string } }[] | undefined) ?? []).map(
      (a) => a.emailAddress.address,
    ),
    link: (event.joinUrl as string | null) ?? null,
    gone: event.deleted === true,
  };
}
