/** A booked interview as both sides see it through the API (R18): the time in both zones, the link, what may change. */
import type { Booking } from '../db/bookings.ts';
import type { Proposal } from '../db/proposals.ts';
import { describeSlot, type SlotRules } from '../domain/slots.ts';

export interface BookingView {
  id: string;
  proposalId: string;
  conversationId: string;
  status: 'held' | 'booked' | 'cancelled';
  start: Date;
  end: Date;
  candidateTimeZone: string;
  recruiterTimeZone: string;
  /** The time in the candidate's zone and in the recruiter's. */
  candidateTime: string;
  recruiterTime: string;
  conference: { status: 'ready' | 'pending' | 'failed'; url: string | null } | null;
  eventId: string | null;
  iCalUid: string | null;
  rescheduleCount: number;
  /** How many more times the candidate may reschedule. */
  reschedulesLeft: number;
  /** Until when the candidate may reschedule or cancel. */
  changeableUntil: Date;
}

export function bookingView(booking: Booking, proposal: Proposal, now: Date): BookingView {
  const rules = proposal.rules as SlotRules;
  const changeableUntil = new Date(booking.start.getTime() - proposal.changeCutoffMinutes * 60_000);
  const status = booking.status === 'cancelled' ? 'cancelled' : booking.eventId ? 'booked' : 'held';
  return {
    id: booking.id,
    proposalId: booking.proposalId,
    conversationId: booking.conversationId,
    status,
    start: booking.start,
    end: booking.end,
    candidateTimeZone: booking.candidateTimeZone,
    recruiterTimeZone: rules.timeZone,
    candidateTime: describeSlot(booking, booking.candidateTimeZone),
    recruiterTime: describeSlot(booking, rules.timeZone),
    conference: booking.conferenceStatus
      ? { status: booking.conferenceStatus, url: booking.conferenceUrl }
      : null,
    eventId: booking.eventId,
    iCalUid: booking.iCalUid,
    rescheduleCount: booking.rescheduleCount,
    reschedulesLeft:
      booking.status === 'booked' && now < changeableUntil
        ? Math.max(0, proposal.maxReschedules - booking.rescheduleCount)
        : 0,
    changeableUntil,
  };
}
