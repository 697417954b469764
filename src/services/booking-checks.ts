/**
 * The periodic check of booked interviews (R18), run by the `check_bookings` job:
 * - a held booking whose event creation did not finish is completed, with the same key (never two events);
 * - an upcoming interview whose event was deleted or declined in the recruiter's calendar is cancelled,
 *   and the candidate told in the conversation;
 * - a conference that was still being made gets its link posted once it is ready;
 * - the candidate is reminded 24 hours before, exactly once (the reminder is claimed before it is posted).
 * Each step is bounded per run; what is left waits for the next.
 */
import {
  type Booking,
  cancelBooking,
  claimReminder,
  heldBookings,
  saveConference,
  upcomingBookings,
} from '../db/bookings.ts';
import { insertMessage } from '../db/inmail.ts';
import { findProposal, setProposalStatus } from '../db/proposals.ts';
import { cancelledText, linkReadyText, reminderText } from '../domain/interview-texts.ts';
import { complete, conferenceOf } from './booking.ts';
import { zonesOf } from './booking-changes.ts';
import type { AppContext } from './context.ts';
import { recruiterCalendar } from './recruiter-calendar.ts';

const HOUR_MS = 3_600_000;
/** How far ahead interviews are checked against the calendar. */
const LOOKAHEAD_MS = 31 * 24 * HOUR_MS;
const BATCH = 200;

export interface CheckOutcome {
  completed: number;
  cancelled: number;
  linked: number;
  reminded: number;
}

export async function checkBookings(
  context: AppContext,
  options: { heldForMs?: number } = {},
): Promise<CheckOutcome> {
  const now = context.now();
  const outcome: CheckOutcome = { completed: 0, cancelled: 0, linked: 0, reminded: 0 };
  const held = await heldBookings(context.db, new Date(now.getTime() - (options.heldForMs ?? 60_000)), BATCH);
  for (const booking of held) {
    if (await each(context, booking, () => completeHeld(context, booking))) outcome.completed += 1;
  }
  const upcoming = await upcomingBookings(
    context.db,
    { from: now, to: new Date(now.getTime() + LOOKAHEAD_MS) },
    BATCH,
  );
  for (const booking of upcoming) {
    const result = await each(context, booking, () => checkEvent(context, booking));
    if (result === 'cancelled') outcome.cancelled += 1;
    if (result === 'linked') outcome.linked += 1;
    if (result !== 'cancelled' && booking.start.getTime() - now.getTime() <= 24 * HOUR_MS) {
      if (await remind(context, booking)) outcome.reminded += 1;
    }
  }
  return outcome;
}

/** One booking's step; a failure is logged (ids only) and left for the next run. */
async function each<T>(
  context: AppContext,
  booking: Booking,
  step: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await step();
  } catch (error) {
    context.logger.warn(
      { err: error, orgId: booking.orgId, bookingId: booking.id },
      'checking a booking failed',
    );
    return undefined;
  }
}

async function completeHeld(context: AppContext, booking: Booking): Promise<boolean> {
  const proposal = await findProposal(context.db, { orgId: booking.orgId }, booking.proposalId);
  if (!proposal) return false;
  const opened = await recruiterCalendar(context, booking.orgId, booking.userId, { side: 'job' });
  await complete(context, opened, booking, proposal, { side: 'job' });
  return true;
}

async function checkEvent(context: AppContext, booking: Booking): Promise<'cancelled' | 'linked' | null> {
  if (!booking.eventId) return null;
  const proposal = await findProposal(context.db, { orgId: booking.orgId }, booking.proposalId);
  if (!proposal) return null;
  const opened = await recruiterCalendar(context, booking.orgId, booking.userId, { side: 'job' });
  const event = await opened.calendar.getEvent(opened.token, booking.eventId);
  if (!event || event.status === 'cancelled') {
    const cancelled = await context.db.transaction().execute(async (trx) => {
      if (!(await cancelBooking(trx, booking.orgId, booking.id, 'calendar'))) return false;
      await setProposalStatus(trx, booking.orgId, booking.proposalId, 'closed');
      await insertMessage(trx, booking.orgId, booking.conversationId, {
        sender: 'user',
        userId: booking.userId,
        body: cancelledText({ by: 'calendar', slot: booking, zones: zonesOf(booking, proposal) }),
      });
      return true;
    });
    return cancelled ? 'cancelled' : null;
  }
  const conference = conferenceOf(event);
  if (booking.conferenceStatus === 'pending' && conference.status !== 'pending' && conference.url) {
    if (await saveConference(context.db, booking.orgId, booking.id, conference)) {
      await insertMessage(context.db, booking.orgId, booking.conversationId, {
        sender: 'user',
        userId: booking.userId,
        body: linkReadyText(conference.url),
      });
      return 'linked';
    }
  }
  return null;
}

async function remind(context: AppContext, booking: Booking): Promise<boolean> {
  const proposal = await findProposal(context.db, { orgId: booking.orgId }, booking.proposalId);
  if (!proposal) return false;
  // The claim and the message commit together: a second run finds it claimed, a failed one leaves it unclaimed.
  return context.db.transaction().execute(async (trx) => {
    if (!(await claimReminder(trx, booking.orgId, booking.id, context.now()))) return false;
    await insertMessage(trx, booking.orgId, booking.conversationId, {
      sender: 'user',
      userId: booking.userId,
      body: reminderText({
        slot: booking,
        zones: zonesOf(booking, proposal),
        conference: { status: booking.conferenceStatus ?? 'failed', url: booking.conferenceUrl },
      }),
    });
    return true;
  });
}
