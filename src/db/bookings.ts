/**
 * Interview bookings (R18). The database decides who gets a time: `interview_bookings_no_overlap`
 * (EXCLUDE over the recruiter and the buffered span, 23P01) and `interview_bookings_once` (a proposal's one
 * booked interview, 23505) refuse the loser of any race, so no check-then-insert gap exists.
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';
import type { ConferenceStatus } from './schema.ts';

export interface Booking {
  orgId: string;
  id: string;
  proposalId: string;
  userId: string;
  memberId: string;
  conversationId: string;
  start: Date;
  end: Date;
  candidateTimeZone: string;
  status: 'booked' | 'cancelled';
  eventKey: string;
  eventId: string | null;
  iCalUid: string | null;
  conferenceStatus: ConferenceStatus | null;
  conferenceUrl: string | null;
  rescheduleCount: number;
  reminderSentAt: Date | null;
  cancelledBy: 'user' | 'member' | 'calendar' | null;
  createdAt: Date;
}

/** Who reads: the recruiter's organization, or the member the interview is with. */
export type BookingScope = { orgId: string } | { memberId: string };

/** 23P01: the EXCLUDE constraint refused an overlapping booking of the same recruiter. */
export function isOverlap(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23P01';
}

const span = (time: { start: Date; end: Date }, buffers: { before: number; after: number }) =>
  sql<string>`tstzrange(${new Date(time.start.getTime() - buffers.before * 60_000)}::timestamptz, ${new Date(time.end.getTime() + buffers.after * 60_000)}::timestamptz, '[)')`;

/** Holds a time for a proposal (no calendar event yet); throws 23P01 or 23505 when another got there first. */
export async function insertHeldBooking(
  db: Database,
  orgId: string,
  input: {
    id: string;
    proposalId: string;
    userId: string;
    memberId: string;
    conversationId: string;
    start: Date;
    end: Date;
    buffers: { before: number; after: number };
    candidateTimeZone: string;
  },
): Promise<void> {
  await db
    .insertInto('interview_bookings')
    .values({
      org_id: orgId,
      id: input.id,
      proposal_id: input.proposalId,
      user_id: input.userId,
      member_id: input.memberId,
      conversation_id: input.conversationId,
      starts_at: input.start,
      ends_at: input.end,
      span: span(input, input.buffers),
      candidate_time_zone: input.candidateTimeZone,
      // Google wants a client-chosen event id in base32hex; a UUID's hex digits are that.
      event_key: `ts${input.id.replaceAll('-', '')}`,
    })
    .execute();
}

function selectBookings(db: Database, scope: BookingScope) {
  const query = db.selectFrom('interview_bookings').selectAll();
  return 'orgId' in scope
    ? query.where('org_id', '=', scope.orgId)
    : query.where('member_id', '=', scope.memberId);
}

export async function findBooking(
  db: Database,
  scope: BookingScope,
  id: string,
): Promise<Booking | undefined> {
  const row = await selectBookings(db, scope).where('id', '=', id).executeTakeFirst();
  return row && toBooking(row);
}

export async function lockBooking(db: Database, orgId: string, id: string): Promise<Booking | undefined> {
  const row = await db
    .selectFrom('interview_bookings')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row && toBooking(row);
}

/** The proposal's booked interview, held or confirmed. */
export async function bookedForProposal(
  db: Database,
  orgId: string,
  proposalId: string,
): Promise<Booking | undefined> {
  const row = await db
    .selectFrom('interview_bookings')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('proposal_id', '=', proposalId)
    .where('status', '=', 'booked')
    .executeTakeFirst();
  return row && toBooking(row);
}

/** The proposal's latest booking, booked or cancelled, for reading the proposal. */
export async function latestForProposal(
  db: Database,
  orgId: string,
  proposalId: string,
): Promise<Booking | undefined> {
  const row = await db
    .selectFrom('interview_bookings')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('proposal_id', '=', proposalId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toBooking(row);
}

/** A recruiter's booked interviews that meet [start, end), for slot computation. */
export async function bookedBetween(
  db: Database,
  orgId: string,
  userId: string,
  range: { start: Date; end: Date },
): Promise<Booking[]> {
  const rows = await db
    .selectFrom('interview_bookings')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('status', '=', 'booked')
    .where('starts_at', '<', range.end)
    .where('ends_at', '>', range.start)
    .orderBy('starts_at')
    .execute();
  return rows.map(toBooking);
}

/** Releases a held booking whose event could not be created (nothing in the calendar refers to it). */
export async function releaseHeldBooking(db: Database, orgId: string, id: string): Promise<void> {
  await db
    .deleteFrom('interview_bookings')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('event_id', 'is', null)
    .execute();
}

/**
 * Stores the created event on a held booking; false when another run (a retried request, the check job)
 * stored it first, so exactly one of them posts the confirmation.
 */
export async function saveEvent(
  db: Database,
  orgId: string,
  id: string,
  event: {
    eventId: string;
    iCalUid: string;
    conferenceStatus: ConferenceStatus;
    conferenceUrl: string | null;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('interview_bookings')
    .set({
      event_id: event.eventId,
      ical_uid: event.iCalUid,
      conference_status: event.conferenceStatus,
      conference_url: event.conferenceUrl,
      updated_at: new Date(),
    })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('event_id', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Records the conference as the calendar now reports it; false when it was already so (nothing to tell). */
export async function saveConference(
  db: Database,
  orgId: string,
  id: string,
  conference: { status: ConferenceStatus; url: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('interview_bookings')
    .set({ conference_status: conference.status, conference_url: conference.url, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('conference_status', 'is distinct from', conference.status),
        eb('conference_url', 'is distinct from', conference.url),
      ]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Held bookings (no event yet) older than `before`, across organizations: their creation is retried. */
export async function heldBookings(db: Database, before: Date, limit: number): Promise<Booking[]> {
  const rows = await db
    .selectFrom('interview_bookings')
    .selectAll()
    .where('status', '=', 'booked')
    .where('event_id', 'is', null)
    .where('created_at', '<=', before)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map(toBooking);
}

/** Moves a booking to a new time; throws 23P01 when that overlaps another booking of the recruiter. */
export async function moveBooking(
  db: Database,
  orgId: string,
  id: string,
  time: { start: Date; end: Date; buffers: { before: number; after: number }; byCandidate: boolean },
): Promise<void> {
  await db
    .updateTable('interview_bookings')
    .set((eb) => ({
      starts_at: time.start,
      ends_at: time.end,
      span: span(time, time.buffers),
      reminder_sent_at: null,
      updated_at: new Date(),
      ...(time.byCandidate && { reschedule_count: eb('reschedule_count', '+', 1) }),
    }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export async function cancelBooking(
  db: Database,
  orgId: string,
  id: string,
  by: 'user' | 'member' | 'calendar',
): Promise<boolean> {
  const result = await db
    .updateTable('interview_bookings')
    .set({ status: 'cancelled', cancelled_by: by, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', '=', 'booked')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Booked interviews starting within [from, to), across organizations, for the periodic check (bounded). */
export async function upcomingBookings(
  db: Database,
  range: { from: Date; to: Date },
  limit: number,
): Promise<Booking[]> {
  const rows = await db
    .selectFrom('interview_bookings')
    .selectAll()
    .where('status', '=', 'booked')
    .where('event_id', 'is not', null)
    .where('starts_at', '>=', range.from)
    .where('starts_at', '<', range.to)
    .orderBy('starts_at')
    .limit(limit)
    .execute();
  return rows.map(toBooking);
}

/** Marks the reminder sent; false when another run already did (the reminder goes exactly once). */
export async function claimReminder(db: Database, orgId: string, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('interview_bookings')
    .set({ reminder_sent_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', '=', 'booked')
    .where('reminder_sent_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

function toBooking(row: {
  org_id: string;
  id: string;
  proposal_id: string;
  user_id: string;
  member_id: string;
  conversation_id: string;
  starts_at: Date;
  ends_at: Date;
  candidate_time_zone: string;
  status: 'booked' | 'cancelled';
  event_key: string;
  event_id: string | null;
  ical_uid: string | null;
  conference_status: ConferenceStatus | null;
  conference_url: string | null;
  reschedule_count: number;
  reminder_sent_at: Date | null;
  cancelled_by: 'user' | 'member' | 'calendar' | null;
  created_at: Date;
}): Booking {
  return {
    orgId: row.org_id,
    id: row.id,
    proposalId: row.proposal_id,
    userId: row.user_id,
    memberId: row.member_id,
    conversationId: row.conversation_id,
    start: row.starts_at,
    end: row.ends_at,
    candidateTimeZone: row.candidate_time_zone,
    status: row.status,
    eventKey: row.event_key,
    eventId: row.event_id,
    iCalUid: row.ical_uid,
    conferenceStatus: row.conference_status,
    conferenceUrl: row.conference_url,
    rescheduleCount: row.reschedule_count,
    reminderSentAt: row.reminder_sent_at,
    cancelledBy: row.cancelled_by,
    createdAt: row.created_at,
  };
}
