/**
 * Changing a booked interview (R18): the recruiter cancels or moves it; the candidate reschedules or
 * cancels it up to the proposal's cutoff, and reschedules at most its number of times. One interview is
 * one calendar event for its whole life: a move updates that event (same id, iCalUID and link), and the
 * other side is told in the conversation.
 *
 * A move takes the new time in the database and moves the event inside one transaction: the provider call
 * holds this one booking's row for its duration, and a refused or failed move rolls the new time back, so
 * the booking and the calendar never disagree. (Booking does the opposite, for a reason given there; a move
 * has one caller per booking, so nothing queues behind the row.) A cancel cancels the event first: if the
 * database write then failed, the check job would still find the event cancelled and cancel the booking.
 */
import {
  type Booking,
  bookedBetween,
  cancelBooking,
  findBooking,
  isOverlap,
  lockBooking,
  moveBooking,
  saveConference,
} from '../db/bookings.ts';
import { insertMessage } from '../db/inmail.ts';
import { findProposal, type Proposal, setProposalStatus } from '../db/proposals.ts';
import { AppError, notFound } from '../domain/errors.ts';
import { cancelledText, movedText } from '../domain/interview-texts.ts';
import type { Principal } from '../domain/principal.ts';
import { checkSlot, type SlotRules } from '../domain/slots.ts';
import { conferenceOf, REASON_WORDS } from './booking.ts';
import { type BookingView, bookingView } from './booking-view.ts';
import type { AppContext } from './context.ts';
import { type Asker, onCalendar, recruiterCalendar } from './recruiter-calendar.ts';
import { widen } from './scheduling.ts';

type UserPrincipal = Extract<Principal, { kind: 'user' }>;
type MemberPrincipal = Extract<Principal, { kind: 'member' }>;
type Person = UserPrincipal | MemberPrincipal;

const DAY_MS = 86_400_000;

/** The booking and its proposal as `person` may change them: another organization's or member's is unknown. */
async function changeable(context: AppContext, person: Person, bookingId: string) {
  const scope = person.kind === 'user' ? { orgId: person.orgId } : { memberId: person.memberId };
  const booking = await findBooking(context.db, scope, bookingId);
  if (!booking) throw notFound('booking');
  if (person.kind === 'user' && booking.userId !== person.userId) {
    throw new AppError('forbidden', 'only the recruiter whose interview this is can change it');
  }
  const proposal = await findProposal(context.db, { orgId: booking.orgId }, booking.proposalId);
  if (!proposal) throw notFound('booking');
  if (booking.status !== 'booked') throw new AppError('conflict', 'This interview is already cancelled.');
  if (!booking.eventId) {
    throw new AppError(
      'conflict',
      'This interview is still being confirmed with the calendar; try again in a minute.',
    );
  }
  const now = context.now();
  if (person.kind === 'member') {
    const cutoff = new Date(booking.start.getTime() - proposal.changeCutoffMinutes * 60_000);
    if (now >= cutoff) {
      throw new AppError(
        'conflict',
        `Changes through the link close ${proposal.changeCutoffMinutes} minutes before the interview; write to the recruiter in the conversation instead.`,
      );
    }
  } else if (now >= booking.end) {
    throw new AppError('conflict', 'This interview is over.');
  }
  const asker: Asker =
    person.kind === 'user'
      ? { side: 'recruiter' }
      : { side: 'candidate', conversationId: booking.conversationId };
  return { booking: { ...booking, eventId: booking.eventId }, proposal, now, asker };
}

export async function cancelInterview(
  context: AppContext,
  person: Person,
  bookingId: string,
): Promise<BookingView> {
  const { booking, proposal, asker } = await changeable(context, person, bookingId);
  const opened = await recruiterCalendar(context, booking.orgId, booking.userId, asker);
  await onCalendar(context, opened, asker, (calendar, token) => calendar.cancelEvent(token, booking.eventId));
  const by = person.kind === 'user' ? 'user' : 'member';
  await context.db.transaction().execute(async (trx) => {
    if (!(await cancelBooking(trx, booking.orgId, booking.id, by))) return;
    await setProposalStatus(trx, booking.orgId, booking.proposalId, 'closed');
    await insertMessage(trx, booking.orgId, booking.conversationId, {
      ...senderOf(person, booking),
      body: cancelledText({
        by: person.kind === 'user' ? 'recruiter' : 'candidate',
        slot: booking,
        zones: zonesOf(booking, proposal),
      }),
    });
  });
  return viewOf(context, booking.orgId, booking.id, proposal);
}

/** The recruiter moves (`move`) or the candidate reschedules (`reschedule`) to a new start, same length. */
export async function moveInterview(
  context: AppContext,
  person: Person,
  bookingId: string,
  start: Date,
): Promise<BookingView> {
  const { booking, proposal, now, asker } = await changeable(context, person, bookingId);
  if (person.kind === 'member' && booking.rescheduleCount >= proposal.maxReschedules) {
    throw new AppError(
      'conflict',
      `This interview has been rescheduled ${booking.rescheduleCount} times, as many as allowed; write to the recruiter in the conversation instead.`,
    );
  }
  const rules = proposal.rules as SlotRules;
  const slot = { start, end: new Date(start.getTime() + rules.durationMinutes * 60_000) };
  const opened = await recruiterCalendar(context, booking.orgId, booking.userId, asker);
  const busy = await onCalendar(context, opened, asker, (calendar, token) =>
    calendar.freeBusy(token, opened.connection.address, widen(slot, DAY_MS)),
  );
  // The interview's own event is in the free/busy answer, and its own row among the bookings: neither
  // stands in the way of moving it.
  const others = (
    await bookedBetween(context.db, booking.orgId, booking.userId, widen(slot, 2 * DAY_MS))
  ).filter((other) => other.id !== booking.id);
  const reason = checkSlot(
    { now, rules, busy: busy.filter((interval) => !sameTime(interval, booking)), bookings: others },
    slot,
  );
  if (reason) throw new AppError('conflict', `That time cannot be booked: ${REASON_WORDS[reason]}.`);
  const byCandidate = person.kind === 'member';
  let conference: { status: 'ready' | 'pending' | 'failed'; url: string | null } | undefined;
  try {
    await context.db.transaction().execute(async (trx) => {
      const locked = await lockBooking(trx, booking.orgId, booking.id);
      if (locked?.status !== 'booked' || locked.start.getTime() !== booking.start.getTime()) {
        throw new AppError('conflict', 'This interview changed meanwhile; read it again.');
      }
      await moveBooking(trx, booking.orgId, booking.id, {
        ...slot,
        buffers: { before: rules.bufferBeforeMinutes, after: rules.bufferAfterMinutes },
        byCandidate,
      });
      const event = await onCalendar(context, opened, asker, (calendar, token) =>
        calendar.moveEvent(token, booking.eventId, { ...slot, timeZone: rules.timeZone }),
      );
      conference = conferenceOf(event);
      if (event.conference) await saveConference(trx, booking.orgId, booking.id, conference);
    });
  } catch (error) {
    if (isOverlap(error))
      throw new AppError('conflict', 'That time cannot be booked: another interview was just booked then.');
    throw error;
  }
  const moved = { ...booking, ...slot };
  await insertMessage(context.db, booking.orgId, booking.conversationId, {
    ...senderOf(person, booking),
    body: movedText({
      by: byCandidate ? 'candidate' : 'recruiter',
      slot: moved,
      zones: zonesOf(booking, proposal),
      conference: conference ?? { status: booking.conferenceStatus ?? 'failed', url: booking.conferenceUrl },
    }),
  });
  return viewOf(context, booking.orgId, booking.id, proposal);
}

/** The change is written in the conversation by whoever made it. */
function senderOf(person: Person, booking: Booking) {
  return person.kind === 'user'
    ? { sender: 'user' as const, userId: booking.userId }
    : { sender: 'member' as const };
}

function sameTime(a: { start: Date; end: Date }, b: { start: Date; end: Date }): boolean {
  return a.start.getTime() === b.start.getTime() && a.end.getTime() === b.end.getTime();
}

export function zonesOf(booking: Booking, proposal: Proposal) {
  return { candidate: booking.candidateTimeZone, recruiter: (proposal.rules as SlotRules).timeZone };
}

async function viewOf(
  context: AppContext,
  orgId: string,
  id: string,
  proposal: Proposal,
): Promise<BookingView> {
  const booking = await findBooking(context.db, { orgId }, id);
  if (!booking) throw notFound('booking');
  return bookingView(booking, proposal, context.now());
}
