/**
 * Proposing interview times from an InMail conversation (R18): the recruiter's settings, the slots
 * computed from live free/busy and the recruiter's bookings (`domain/slots.ts`), the proposal stored and
 * posted into the conversation with its booking link; and reading a proposal, for either side.
 */
import { bookedBetween, latestForProposal } from '../db/bookings.ts';
import { findConversation, insertMessage } from '../db/inmail.ts';
import { findProposal, insertProposal, listConversationProposals, type Proposal } from '../db/proposals.ts';
import {
  findSchedulingSettings,
  type SchedulingSettings,
  saveSchedulingSettings,
} from '../db/scheduling-settings.ts';
import { AppError, notFound } from '../domain/errors.ts';
import { proposalText } from '../domain/interview-texts.ts';
import type { Principal } from '../domain/principal.ts';
import {
  checkSlot,
  computeSlots,
  type DurationMinutes,
  describeSlot,
  type Interval,
  type SlotPlan,
  type SlotRules,
  validateRules,
} from '../domain/slots.ts';
import { type BookingView, bookingView } from './booking-view.ts';
import type { AppContext } from './context.ts';
import { onCalendar, recruiterCalendar } from './recruiter-calendar.ts';

type UserPrincipal = Extract<Principal, { kind: 'user' }>;
type MemberPrincipal = Extract<Principal, { kind: 'member' }>;

const DAY_MS = 86_400_000;

export const EXPIRY_WEEKS = [1, 2, 3] as const;

export async function schedulingSettingsOf(
  context: AppContext,
  user: UserPrincipal,
): Promise<SchedulingSettings> {
  return findSchedulingSettings(context.db, user.orgId, user.userId);
}

/** Saves a recruiter's defaults once they make sense as slot rules (zone, hours, notice, buffers, cap). */
export async function changeSchedulingSettings(
  context: AppContext,
  user: UserPrincipal,
  settings: SchedulingSettings,
): Promise<SchedulingSettings> {
  refuseBadRules({ ...settings, durationMinutes: 15, maxSlots: 1, horizonDays: 1 });
  await saveSchedulingSettings(context.db, user.orgId, user.userId, settings);
  return settings;
}

function refuseBadRules(rules: SlotRules): void {
  const problem = validateRules(rules);
  if (problem) throw new AppError('validation_failed', problem, [{ field: 'rules', message: problem }]);
}

export interface ProposalRequest {
  durationMinutes: DurationMinutes;
  horizonDays?: number | undefined;
  expiresInWeeks?: (typeof EXPIRY_WEEKS)[number] | undefined;
  maxSlots?: number | undefined;
  /** Settings to use for this proposal instead of the recruiter's defaults. */
  overrides?: Partial<Omit<SchedulingSettings, 'changeCutoffMinutes' | 'maxReschedules'>> | undefined;
}

/** Computes the slots, stores the proposal, posts it into the conversation, and answers what was hidden and why. */
export async function propose(
  context: AppContext,
  user: UserPrincipal,
  conversationId: string,
  request: ProposalRequest,
): Promise<{ proposal: ProposalView; hidden: SlotPlan['hidden']; hiddenTruncated: boolean }> {
  const { db } = context;
  const conversation = await findConversation(db, { orgId: user.orgId }, conversationId);
  if (!conversation) throw notFound('conversation');
  if (conversation.userId !== user.userId) {
    throw new AppError(
      'forbidden',
      'only the recruiter who started this conversation can propose times in it',
    );
  }
  const settings = await findSchedulingSettings(db, user.orgId, user.userId);
  const rules: SlotRules = {
    timeZone: request.overrides?.timeZone ?? settings.timeZone,
    workingHours: request.overrides?.workingHours ?? settings.workingHours,
    minimumNoticeMinutes: request.overrides?.minimumNoticeMinutes ?? settings.minimumNoticeMinutes,
    bufferBeforeMinutes: request.overrides?.bufferBeforeMinutes ?? settings.bufferBeforeMinutes,
    bufferAfterMinutes: request.overrides?.bufferAfterMinutes ?? settings.bufferAfterMinutes,
    dailyCap: request.overrides?.dailyCap === undefined ? settings.dailyCap : request.overrides.dailyCap,
    durationMinutes: request.durationMinutes,
    horizonDays: request.horizonDays ?? 14,
    maxSlots: request.maxSlots ?? 10,
  };
  refuseBadRules(rules);
  const opened = await recruiterCalendar(context, user.orgId, user.userId, { side: 'recruiter' });
  const now = context.now();
  // One day more than the horizon: the last local day may end after now + horizon in UTC.
  const range = { start: now, end: new Date(now.getTime() + (rules.horizonDays + 1) * DAY_MS) };
  const busy = await onCalendar(context, opened, { side: 'recruiter' }, (calendar, token) =>
    calendar.freeBusy(token, opened.connection.address, range),
  );
  const bookings = await bookedBetween(db, user.orgId, user.userId, widen(range, DAY_MS));
  const plan = computeSlots({ now, rules, busy, bookings });
  if (plan.slots.length === 0) {
    throw new AppError(
      'conflict',
      `No time within the next ${rules.horizonDays} days fits these rules and your calendar; widen the working hours or the horizon, or shorten the notice.`,
    );
  }
  const expiresAt = new Date(now.getTime() + (request.expiresInWeeks ?? 1) * 7 * DAY_MS);
  const id = await insertProposal(db, user.orgId, {
    conversationId,
    userId: user.userId,
    memberId: conversation.memberId,
    rules,
    slots: plan.slots,
    changeCutoffMinutes: settings.changeCutoffMinutes,
    maxReschedules: settings.maxReschedules,
    expiresAt,
  });
  await insertMessage(db, user.orgId, conversationId, {
    sender: 'user',
    userId: user.userId,
    body: proposalText({
      link: bookingLink(context, id),
      slots: plan.slots,
      recruiterZone: rules.timeZone,
      expiresAt,
    }),
  });
  const proposal = await findProposal(db, { orgId: user.orgId }, id);
  if (!proposal) throw notFound('proposal');
  return {
    proposal: await proposalView(context, proposal, rules.timeZone),
    hidden: plan.hidden,
    hiddenTruncated: plan.hiddenTruncated,
  };
}

/** The page a candidate opens to book (the web page comes later; it reads `GET /api/proposals/{id}`). */
export function bookingLink(context: Pick<AppContext, 'publicUrl'>, proposalId: string): string {
  return `${context.publicUrl}/book/${proposalId}`;
}

export function widen(range: Interval, ms: number): Interval {
  return { start: new Date(range.start.getTime() - ms), end: new Date(range.end.getTime() + ms) };
}

export interface SlotView {
  start: Date;
  end: Date;
  /** The slot in the zone asked for (the candidate's). */
  local: string;
  /** The slot in the recruiter's zone. */
  recruiter: string;
}

export interface ProposalView {
  id: string;
  conversationId: string;
  status: 'open' | 'booked' | 'closed' | 'expired';
  durationMinutes: number;
  recruiterTimeZone: string;
  timeZone: string;
  expiresAt: Date;
  link: string;
  /** Offered slots that are still open as far as talentsync knows (the calendar is asked again at booking). */
  slots: SlotView[];
  booking: BookingView | null;
}

/** A proposal for the recruiter's organization or for the member it is addressed to; anyone else: 404. */
export async function readProposal(
  context: AppContext,
  principal: UserPrincipal | MemberPrincipal,
  proposalId: string,
  timeZone: string | undefined,
): Promise<ProposalView> {
  const scope = principal.kind === 'user' ? { orgId: principal.orgId } : { memberId: principal.memberId };
  const proposal = await findProposal(context.db, scope, proposalId);
  if (!proposal) throw notFound('proposal');
  const rules = proposal.rules as SlotRules;
  return proposalView(context, proposal, timeZone ?? (principal.kind === 'user' ? rules.timeZone : 'UTC'));
}

/** How many of a conversation's proposals its list shows, newest first. */
export const CONVERSATION_PROPOSALS = 50;

/** The proposals made in a conversation of the user's organization, newest first, in the recruiter's zone. */
export async function conversationProposals(
  context: AppContext,
  user: UserPrincipal,
  conversationId: string,
): Promise<ProposalView[]> {
  const conversation = await findConversation(context.db, { orgId: user.orgId }, conversationId);
  if (!conversation) throw notFound('conversation');
  const proposals = await listConversationProposals(
    context.db,
    user.orgId,
    conversationId,
    CONVERSATION_PROPOSALS,
  );
  return Promise.all(
    proposals.map((proposal) => proposalView(context, proposal, (proposal.rules as SlotRules).timeZone)),
  );
}

export async function proposalView(
  context: AppContext,
  proposal: Proposal,
  timeZone: string,
): Promise<ProposalView> {
  const rules = proposal.rules as SlotRules;
  const now = context.now();
  const booking = await latestForProposal(context.db, proposal.orgId, proposal.id);
  const open = proposal.status === 'open' && now < proposal.expiresAt;
  const bookings = open
    ? await bookedBetween(context.db, proposal.orgId, proposal.userId, widen(spanOf(proposal.slots), DAY_MS))
    : [];
  const slots = open ? stillOpen(proposal, { now, busy: [], bookings }) : [];
  return {
    id: proposal.id,
    conversationId: proposal.conversationId,
    status: proposal.status === 'open' && !open ? 'expired' : proposal.status,
    durationMinutes: rules.durationMinutes,
    recruiterTimeZone: rules.timeZone,
    timeZone,
    expiresAt: proposal.expiresAt,
    link: bookingLink(context, proposal.id),
    slots: slots.map((slot) => describe(slot, timeZone, rules.timeZone)),
    booking: booking ? bookingView(booking, proposal, now) : null,
  };
}

/** The offered slots that `checkSlot` still passes against this busy time and these bookings. */
export function stillOpen(
  proposal: Proposal,
  live: { now: Date; busy: Interval[]; bookings: Interval[] },
): Interval[] {
  const rules = proposal.rules as SlotRules;
  return proposal.slots.filter((slot) => checkSlot({ ...live, rules }, slot) === null);
}

export function describe(slot: Interval, timeZone: string, recruiterZone: string): SlotView {
  return {
    start: slot.start,
    end: slot.end,
    local: describeSlot(slot, timeZone),
    recruiter: describeSlot(slot, recruiterZone),
  };
}

export function spanOf(slots: Interval[]): Interval {
  const starts = slots.map((slot) => slot.start.getTime());
  const ends = slots.map((slot) => slot.end.getTime());
  return { start: new Date(Math.min(...starts)), end: new Date(Math.max(...ends)) };
}
