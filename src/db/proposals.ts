/**
 * Interview proposals (R18): the slots a recruiter offered in one InMail conversation. The recruiter's
 * organization reads them by id; the member reads only those addressed to them (any other id is unknown).
 */
import type { Database } from './database.ts';
import type { ProposalStatus } from './schema.ts';

export interface Slot {
  start: Date;
  end: Date;
}

export interface Proposal {
  orgId: string;
  id: string;
  conversationId: string;
  userId: string;
  memberId: string;
  /** The `SlotRules` the slots were computed by. */
  rules: unknown;
  slots: Slot[];
  changeCutoffMinutes: number;
  maxReschedules: number;
  createdAt: Date;
  expiresAt: Date;
  status: ProposalStatus;
}

/** Who reads: the recruiter's organization, or the member the proposal is addressed to. */
export type ProposalScope = { orgId: string } | { memberId: string };

export async function insertProposal(
  db: Database,
  orgId: string,
  input: Omit<Proposal, 'orgId' | 'id' | 'createdAt' | 'status'>,
): Promise<string> {
  const { id } = await db
    .insertInto('interview_proposals')
    .values({
      org_id: orgId,
      conversation_id: input.conversationId,
      user_id: input.userId,
      member_id: input.memberId,
      rules: JSON.stringify(input.rules),
      slots: JSON.stringify(input.slots.map((slot) => ({ start: slot.start, end: slot.end }))),
      change_cutoff_minutes: input.changeCutoffMinutes,
      max_reschedules: input.maxReschedules,
      expires_at: input.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

function selectProposals(db: Database, scope: ProposalScope) {
  const query = db.selectFrom('interview_proposals').selectAll();
  return 'orgId' in scope
    ? query.where('org_id', '=', scope.orgId)
    : query.where('member_id', '=', scope.memberId);
}

export async function findProposal(
  db: Database,
  scope: ProposalScope,
  proposalId: string,
): Promise<Proposal | undefined> {
  const row = await selectProposals(db, scope).where('id', '=', proposalId).executeTakeFirst();
  return row && toProposal(row);
}

/** The proposals of one conversation of the organization, newest first (at most `limit`). */
export async function listConversationProposals(
  db: Database,
  orgId: string,
  conversationId: string,
  limit: number,
): Promise<Proposal[]> {
  const rows = await selectProposals(db, { orgId })
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toProposal);
}

/** Locks the proposal for a booking: one booker at a time decides whether it is still open. */
export async function lockProposal(
  db: Database,
  orgId: string,
  proposalId: string,
): Promise<Proposal | undefined> {
  const row = await db
    .selectFrom('interview_proposals')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', proposalId)
    .forUpdate()
    .executeTakeFirst();
  return row && toProposal(row);
}

export async function setProposalStatus(
  db: Database,
  orgId: string,
  proposalId: string,
  status: ProposalStatus,
): Promise<void> {
  await db
    .updateTable('interview_proposals')
    .set({ status })
    .where('org_id', '=', orgId)
    .where('id', '=', proposalId)
    .execute();
}

function toProposal(row: {
  org_id: string;
  id: string;
  conversation_id: string;
  user_id: string;
  member_id: string;
  rules: unknown;
  slots: { start: string; end: string }[];
  change_cutoff_minutes: number;
  max_reschedules: number;
  created_at: Date;
  expires_at: Date;
  status: ProposalStatus;
}): Proposal {
  return {
    orgId: row.org_id,
    id: row.id,
    conversationId: row.conversation_id,
    userId: row.user_id,
    memberId: row.member_id,
    rules: row.rules,
    slots: row.slots.map((slot) => ({ start: new Date(slot.start), end: new Date(slot.end) })),
    changeCutoffMinutes: row.change_cutoff_minutes,
    maxReschedules: row.max_reschedules,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    status: row.status,
  };
}
