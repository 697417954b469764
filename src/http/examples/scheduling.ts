/** The scheduling routes' examples (routes/scheduling.ts), in the world of ./world.ts. */
import { BOOKING_ID, CONVERSATION_ID, PROPOSAL_ID, PUBLIC_URL } from './world.ts';

/** Rex's settings: weekdays 9 to 5 in Berlin, a day's notice, 10 minutes either side, at most 4 a day. */
export const SETTINGS = {
  timeZone: 'Europe/Berlin',
  workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
  minimumNoticeMinutes: 1440,
  bufferBeforeMinutes: 10,
  bufferAfterMinutes: 10,
  dailyCap: 4,
  changeCutoffMinutes: 1440,
  maxReschedules: 2,
};

/**
 * Rex proposes three 30-minute times to Grace (Europe/London) in their conversation; she books the first.
 * Views in the recruiter's zone show `recruiter` twice; the candidate's show her own zone as `local`.
 */
export const SLOTS = [
  [
    '2026-03-10T09:00:00.000Z',
    '2026-03-10T09:30:00.000Z',
    'Tue 10 Mar, 09:00–09:30',
    'Tue 10 Mar, 10:00–10:30',
  ],
  [
    '2026-03-11T08:30:00.000Z',
    '2026-03-11T09:00:00.000Z',
    'Wed 11 Mar, 08:30–09:00',
    'Wed 11 Mar, 09:30–10:00',
  ],
  [
    '2026-03-12T13:00:00.000Z',
    '2026-03-12T13:30:00.000Z',
    'Thu 12 Mar, 13:00–13:30',
    'Thu 12 Mar, 14:00–14:30',
  ],
] as const;
export const slotsIn = (zone: 'Europe/London' | 'Europe/Berlin') =>
  SLOTS.map(([start, end, london, berlin]) => ({
    start,
    end,
    local: zone === 'Europe/London' ? `${london} (Europe/London)` : `${berlin} (Europe/Berlin)`,
    recruiter: `${berlin} (Europe/Berlin)`,
  }));
export const BOOKING = {
  id: BOOKING_ID,
  proposalId: PROPOSAL_ID,
  conversationId: CONVERSATION_ID,
  status: 'booked' as const,
  start: SLOTS[0][0],
  end: SLOTS[0][1],
  candidateTimeZone: 'Europe/London',
  recruiterTimeZone: 'Europe/Berlin',
  candidateTime: `${SLOTS[0][2]} (Europe/London)`,
  recruiterTime: `${SLOTS[0][3]} (Europe/Berlin)`,
  conference: { status: 'ready' as const, url: 'https://meet.google.com/xkq-vbmt-rzp' },
  eventId: 'k3v9q2m7t1c8p4r6s0u5w2x9y1',
  iCalUid: 'k3v9q2m7t1c8p4r6s0u5w2x9y1@google.com',
  rescheduleCount: 0,
  reschedulesLeft: 2,
  changeableUntil: '2026-03-09T09:00:00.000Z',
};
export const PROPOSAL = {
  id: PROPOSAL_ID,
  conversationId: CONVERSATION_ID,
  status: 'open' as const,
  durationMinutes: 30,
  recruiterTimeZone: 'Europe/Berlin',
  timeZone: 'Europe/Berlin',
  expiresAt: '2026-03-19T09:00:00.000Z',
  link: `${PUBLIC_URL}/book/${PROPOSAL_ID}`,
  slots: slotsIn('Europe/Berlin'),
  booking: null,
};
/** Once booked, the other times stay offered for a reschedule, until the cutoff. */
export const BOOKED = {
  ...PROPOSAL,
  status: 'booked' as const,
  slots: slotsIn('Europe/Berlin').slice(1),
  booking: BOOKING,
};
/** The interview moved to the second time (the same event and link). */
export const MOVED = {
  ...BOOKING,
  start: SLOTS[1][0],
  end: SLOTS[1][1],
  candidateTime: `${SLOTS[1][2]} (Europe/London)`,
  recruiterTime: `${SLOTS[1][3]} (Europe/Berlin)`,
  changeableUntil: '2026-03-10T08:30:00.000Z',
};
export const BOOKED_FOR_GRACE = {
  ...BOOKED,
  timeZone: 'Europe/London',
  slots: slotsIn('Europe/London').slice(1),
};

/** Rex asks for three 30-minute times within 10 days; or 45 minutes on Tuesday and Thursday afternoons. */
export const PROPOSE_THREE = {
  durationMinutes: 30 as const,
  horizonDays: 10,
  expiresInWeeks: 2 as const,
  maxSlots: 3,
};
export const PROPOSE_AFTERNOONS = {
  durationMinutes: 45 as const,
  overrides: { workingHours: { days: [2, 4], start: '13:00', end: '18:00' } },
};

/** What the proposal left out, and why: too soon after now, and a meeting already in Rex's calendar. */
export const PROPOSED = {
  proposal: PROPOSAL,
  hidden: [
    { start: '2026-03-05T09:00:00.000Z', end: '2026-03-05T09:30:00.000Z', reason: 'too_soon' as const },
    { start: '2026-03-10T10:00:00.000Z', end: '2026-03-10T10:30:00.000Z', reason: 'busy' as const },
  ],
  hiddenTruncated: false,
};
