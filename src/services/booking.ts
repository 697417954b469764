/**
 * Booking a proposed time (R18), the candidate's side. The order matters:
 *
 *   live free/busy (provider call, no transaction open)
 *   → one short transaction: lock the proposal, re-check the slot (`checkSlot`), insert the held booking
 *   → create the calendar event with the booking's key (idempotent), outside any transaction
 *   → store the event and post the confirmation, exactly once.
 *
 * No transaction is held across a provider call: twenty candidates would otherwise hold twenty pool
 * connections waiting on one proposal's lock for as long as the calendar takes. The re-check can still race
 * (busy time added after the free/busy read, another proposal booked at once); the EXCLUDE constraint is
 * what makes an overlap impossible, and the loser is told what is left. A held booking whose event could
 * not be created for good (dead grant, refused) is released; one whose creation only failed for now stays
 * held and is completed by a retried request or the check job, with the same key, so never two events.
 *
 * A conference that could not be made keeps the event (the time is reserved and the candidate invited)
 * and says so plainly to both sides and in the answer: the recruiter sends a link. Cancelling instead
 * would take a booked time from the candidate for a missing link the recruiter can add in a minute.
 */
import { randomUUID } from 'node:crypto';
import {
  type Booking,
  bookedBetween,
  bookedForProposal,
  findBooking,
  insertHeldBooking,
  isOverlap,
  releaseHeldBooking,
  saveEvent,
} from '../db/bookings.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { insertMessage } from '../db/inmail.ts';
import { findMember } from '../db/members.ts';
import { findProposal, lockProposal, type Proposal, setProposalStatus } from '../db/proposals.ts';
import { findUser } from '../db/users.ts';
import { AppError, notFound } from '../domain/errors.ts';
import { confirmationText } from '../domain/interview-texts.ts';
import type { Principal } from '../domain/principal.ts';
import { checkSlot, type HiddenReason, type Interval, type SlotRules } from '../domain/slots.ts';
import { ProviderError } from '../providers/errors.ts';
import type { CalendarEvent } from '../providers/types.ts';
import { type BookingView, bookingView } from './booking-view.ts';
import type { AppContext } from './context.ts';
import { type Asker, onCalendar, type RecruiterCalendar, recruiterCalendar } from './recruiter-calendar.ts';
import { describe, type SlotView, spanOf, stillOpen, widen } from './scheduling.ts';

type MemberPrincipal = Extract<Principal, { kind: 'member' }>;

const DAY_MS = 86_400_000;

/** Why a time cannot be had, in words for the candidate. */
export const REASON_WORDS: Record<HiddenReason | 'not_offered', string> = {
  busy: 'the recruiter is busy then',
  outside_working_hours: "it is outside the recruiter's working hours",
  too_soon: 'it starts too soon',
  buffer: 'it is too close to another appointment',
  daily_cap: 'the recruiter has as many interviews that day as they take',
  not_offered: 'it is not a time these interviews can start at',
};

/** 409 "taken", with the offered times that are still free. */
export class SlotTaken extends AppError {
  readonly remaining: SlotView[];
  constructor(message: string, remaining: SlotView[]) {
    super('conflict', message);
    this.remaining = remaining;
  }
}

export interface BookingOutcome {
  booking: BookingView;
  /** Said plainly when the interview has no video link (yet). */
  notice: string | null;
}

export async function book(
  context: AppContext,
  member: MemberPrincipal,
  proposalId: string,
  input: { start: Date; timeZone: string },
): Promise<BookingOutcome> {
  const { db } = context;
  const proposal = await findProposal(db, { memberId: member.memberId }, proposalId);
  if (!proposal) throw notFound('proposal');
  const asker: Asker = { side: 'candidate', conversationId: proposal.conversationId };
  const now = context.now();
  if (proposal.status !== 'open') {
    const held = await bookedForProposal(db, proposal.orgId, proposal.id);
    // The same request again after "try again": finish creating its event (same key, so one event).
    if (held && !held.eventId && held.start.getTime() === input.start.getTime()) {
      const opened = await recruiterCalendar(context, proposal.orgId, proposal.userId, asker);
      return complete(context, opened, held, proposal);
    }
    throw new SlotTaken(
      proposal.status === 'closed'
        ? 'The interview booked from this proposal was cancelled, so it books nothing more; ask the recruiter for new times.'
        : 'This proposal has already been booked; each proposal books one interview.',
      [],
    );
  }
  if (now >= proposal.expiresAt) {
    throw new AppError(
      'gone',
      `This proposal expired at ${proposal.expiresAt.toISOString()}; ask the recruiter in the conversation for new times.`,
    );
  }
  const slot = proposal.slots.find((offered) => offered.start.getTime() === input.start.getTime());
  if (!slot) {
    throw new AppError('validation_failed', 'start is not one of the offered times', [
      { field: 'start', message: 'is not one of the offered times' },
    ]);
  }
  const opened = await recruiterCalendar(context, proposal.orgId, proposal.userId, asker);
  // The whole offer's span, not only the chosen slot's day: a refusal then says truly what is left.
  const offered = widen(spanOf(proposal.slots), DAY_MS);
  const busy = await onCalendar(context, opened, asker, (calendar, token) =>
    calendar.freeBusy(token, opened.connection.address, offered),
  );
  const id = randomUUID();
  const rules = proposal.rules as SlotRules;
  try {
    await db.transaction().execute(async (trx) => {
      const locked = await lockProposal(trx, proposal.orgId, proposal.id);
      if (locked?.status !== 'open') throw new Refused('booked');
      const bookings = await bookedBetween(trx, proposal.orgId, proposal.userId, widen(slot, 2 * DAY_MS));
      const reason = checkSlot({ now, rules, busy, bookings }, slot);
      if (reason) throw new Refused(reason);
      await insertHeldBooking(trx, proposal.orgId, {
        id,
        proposalId: proposal.id,
        userId: proposal.userId,
        memberId: proposal.memberId,
        conversationId: proposal.conversationId,
        start: slot.start,
        end: slot.end,
        buffers: { before: rules.bufferBeforeMinutes, after: rules.bufferAfterMinutes },
        candidateTimeZone: input.timeZone,
      });
      await setProposalStatus(trx, proposal.orgId, proposal.id, 'booked');
    });
  } catch (error) {
    if (error instanceof Refused && error.reason === 'booked') {
      throw new SlotTaken('This proposal has just been booked; each proposal books one interview.', []);
    }
    if (error instanceof Refused || isOverlap(error) || isUniqueViolation(error)) {
      const why =
        error instanceof Refused && error.reason !== 'booked'
          ? REASON_WORDS[error.reason]
          : 'another interview was just booked then';
      throw await taken(context, proposal, { now, busy }, input.timeZone, why);
    }
    throw error;
  }
  const held = await findBooking(db, { orgId: proposal.orgId }, id);
  if (!held) throw notFound('booking');
  return complete(context, opened, held, proposal);
}

/** Thrown inside the booking transaction to roll it back with a reason. */
class Refused extends Error {
  readonly reason: HiddenReason | 'not_offered' | 'booked';
  constructor(reason: HiddenReason | 'not_offered' | 'booked') {
    super(reason);
    this.reason = reason;
  }
}

async function taken(
  context: AppContext,
  proposal: Proposal,
  live: { now: Date; busy: Interval[] },
  timeZone: string,
  why: string,
): Promise<SlotTaken> {
  const rules = proposal.rules as SlotRules;
  const range = widen(spanOf(proposal.slots), DAY_MS);
  const bookings = await bookedBetween(context.db, proposal.orgId, proposal.userId, range);
  const left = stillOpen(proposal, { ...live, bookings }).map((slot) =>
    describe(slot, timeZone, rules.timeZone),
  );
  return new SlotTaken(
    left.length > 0
      ? `That time can no longer be booked (${why}). ${left.length} of the offered times are still free.`
      : `That time can no longer be booked (${why}), and no offered time is left; ask the recruiter for new times.`,
    left,
  );
}

/**
 * Creates the held booking's event (idempotent by its key) and confirms it. A dead or refusing calendar
 * releases the hold (nothing stays booked); a calendar that did not answer keeps it for a retry.
 */
export async function complete(
  context: AppContext,
  opened: RecruiterCalendar,
  held: Booking,
  proposal: Proposal,
  asker: Asker = { side: 'candidate', conversationId: proposal.conversationId },
): Promise<BookingOutcome> {
  const { db } = context;
  const rules = proposal.rules as SlotRules;
  const [member, recruiter] = await Promise.all([
    findMember(db, held.memberId),
    findUser(db, held.orgId, held.userId),
  ]);
  const address = member?.emails[0];
  if (!member || !recruiter || !address) {
    await release(context, held);
    throw notFound('member');
  }
  let event: CalendarEvent;
  try {
    event = await opened.calendar.createEvent(opened.token, {
      key: held.eventKey,
      subject: `Screening interview: ${member.name} and ${recruiter.name}`,
      description: `Booked through talentsync InMail. To change or cancel: ${context.publicUrl}/book/${proposal.id}`,
      start: held.start,
      end: held.end,
      timeZone: rules.timeZone,
      attendee: { name: member.name, address },
      conference: true,
    });
  } catch (error) {
    const dead =
      error instanceof ProviderError && (error.kind === 'auth_revoked' || error.kind === 'permanent');
    if (!dead) {
      throw new AppError(
        'unavailable',
        'The calendar did not confirm the interview yet. Your time is held: send the same request again in a minute, or wait for the confirmation in the conversation.',
        undefined,
        { retryAfterSeconds: 60 },
      );
    }
    await release(context, held);
    if (error.kind === 'auth_revoked') {
      return onCalendar(context, opened, asker, () => Promise.reject(error));
    }
    throw new AppError(
      'unavailable',
      'The calendar refused the interview, so nothing was booked; please try again later.',
    );
  }
  const conference = conferenceOf(event);
  await db.transaction().execute(async (trx) => {
    const stored = await saveEvent(trx, held.orgId, held.id, {
      eventId: event.id,
      iCalUid: event.iCalUid,
      conferenceStatus: conference.status,
      conferenceUrl: conference.url,
    });
    if (!stored) return;
    await insertMessage(trx, held.orgId, held.conversationId, {
      sender: 'user',
      userId: held.userId,
      body: confirmationText({
        slot: held,
        zones: { candidate: held.candidateTimeZone, recruiter: rules.timeZone },
        conference,
      }),
    });
  });
  const booking = (await findBooking(db, { orgId: held.orgId }, held.id)) ?? held;
  return { booking: bookingView(booking, proposal, context.now()), notice: noticeOf(booking) };
}

export function conferenceOf(event: CalendarEvent): {
  status: 'ready' | 'pending' | 'failed';
  url: string | null;
} {
  const conference = event.conference;
  if (conference?.status === 'ready' && conference.url) return { status: 'ready', url: conference.url };
  if (conference?.status === 'pending') return { status: 'pending', url: null };
  return { status: 'failed', url: null };
}

export function noticeOf(booking: Booking): string | null {
  if (booking.conferenceStatus === 'failed') {
    return 'The interview is booked, but no video link could be created. The recruiter will send one in the conversation.';
  }
  if (booking.conferenceStatus === 'pending') {
    return 'The interview is booked; its video link is still being made and will follow in the conversation.';
  }
  return null;
}

/** Lets go of a held booking and opens its proposal again. */
async function release(context: AppContext, held: Booking): Promise<void> {
  await context.db.transaction().execute(async (trx) => {
    await releaseHeldBooking(trx, held.orgId, held.id);
    await setProposalStatus(trx, held.orgId, held.proposalId, 'open');
  });
}
