/**
 * The member directory as the API and the CLI use it: the operator's feed (single upserts and JSON Lines
 * imports), members' own profile changes, and the lookup by email that users and sync share.
 */

import type { Database } from '../db/database.ts';
import { memberWriteRefusal, type UpsertOutcome, upsertMembers } from '../db/member-upserts.ts';
import {
  findDiscoverableMember,
  findDiscoverableMemberByEmail,
  findMember,
  type Member,
  type MemberProfile,
  updateMemberProfile,
} from '../db/members.ts';
import { requireDisplayName } from '../domain/display-name.ts';
import { normalizeEmail } from '../domain/email.ts';
import { AppError, notFound } from '../domain/errors.ts';
import { type NormalizedMember, parseMemberInput } from '../domain/member.ts';
import type { Discoverability } from '../domain/principal.ts';

export interface ImportProgress {
  lines: number;
  created: number;
  updated: number;
  rejected: number;
}

export interface ImportSummary extends ImportProgress {
  /** Blank lines, counted in `lines` and skipped: neither created, updated nor refused. */
  blank: number;
  /** Line numbers (1-based) and why each was refused, in file order. */
  problems: { line: number; message: string }[];
}

const CHUNK = 1000;

/** Upserts one member record from the operator. */
export async function upsertMember(
  db: Database,
  input: unknown,
): Promise<{ member: Member; created: boolean }> {
  const parsed = parseMemberInput(input);
  if (!parsed.ok) {
    throw new AppError('validation_failed', describe(parsed.problems), parsed.problems);
  }
  const [outcome] = await db
    .transaction()
    .execute((trx) => upsertMembers(trx, [parsed.member]))
    .catch((error: unknown): UpsertOutcome[] => {
      const refusal = memberWriteRefusal(error);
      if (refusal === undefined) throw error;
      throw new AppError('validation_failed', refusal);
    });
  if (!outcome?.ok) throw new AppError('conflict', outcome?.message ?? 'member not saved');
  const member = await findMember(db, outcome.id);
  if (!member) throw notFound('member');
  return { member, created: outcome.created };
}

/**
 * Imports JSON Lines (one member record a line, blank lines ignored). Good lines are saved even when
 * others are bad; each bad line is reported with its number. Lines go in batches of a thousand, each in
 * one transaction, so an interrupted import keeps every finished batch and can simply be run again.
 */
export async function importMembers(
  db: Database,
  lines: AsyncIterable<string>,
  onProgress: (progress: ImportProgress) => void = () => {},
): Promise<ImportSummary> {
  const summary: ImportSummary = {
    lines: 0,
    blank: 0,
    created: 0,
    updated: 0,
    rejected: 0,
    problems: [],
  };
  let batch: { line: number; record: NormalizedMember }[] = [];
  let keys = new Set<string>();
  const reject = (line: number, message: string) => {
    summary.rejected += 1;
    summary.problems.push({ line, message });
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const outcomes = await saveBatch(
      db,
      batch.map((item) => item.record),
    );
    outcomes.forEach((outcome, index) => {
      const line = batch[index]?.line ?? 0;
      if (outcome.ok) summary[outcome.created ? 'created' : 'updated'] += 1;
      else reject(line, outcome.message);
    });
    batch = [];
    keys = new Set();
    onProgress(summary);
  };

  for await (const text of lines) {
    summary.lines += 1;
    if (text.trim() === '') {
      summary.blank += 1;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      reject(summary.lines, 'not valid JSON');
      continue;
    }
    const parsed = parseMemberInput(value);
    if (!parsed.ok) {
      reject(summary.lines, describe(parsed.problems));
      continue;
    }
    // Records in one batch must not overlap (see upsertMembers): a repeat starts a new batch, so the
    // later line wins, as it would if the lines were applied one by one.
    const recordKeys = recordKeysOf(parsed.member);
    if (recordKeys.some((key) => keys.has(key))) await flush();
    for (const key of recordKeys) keys.add(key);
    batch.push({ line: summary.lines, record: parsed.member });
    if (batch.length >= CHUNK) await flush();
  }
  await flush();
  summary.problems.sort((a, b) => a.line - b.line);
  return summary;
}

/**
 * Saves a batch in one transaction. When the database refuses it (a value it cannot store, a constraint,
 * an address a concurrent writer took), the batch is halved and each half saved on its own, down to the
 * single records at fault: a batch of n with k bad records costs about 2·k·log2(n) more transactions
 * (one bad line in a thousand: about 20) instead of losing the batch, and instead of the n transactions
 * of going one by one. Halves never overlap (see upsertMembers), so the order they are saved in is free.
 */
async function saveBatch(db: Database, records: NormalizedMember[]): Promise<UpsertOutcome[]> {
  try {
    return await db.transaction().execute((trx) => upsertMembers(trx, records));
  } catch (error) {
    const refusal = memberWriteRefusal(error);
    if (refusal === undefined) throw error;
    if (records.length === 1) return [{ ok: false, message: refusal }];
    const half = Math.ceil(records.length / 2);
    const first = await saveBatch(db, records.slice(0, half));
    return [...first, ...(await saveBatch(db, records.slice(half)))];
  }
}

function recordKeysOf(record: NormalizedMember): string[] {
  const keys = record.emails.map((email) => `email:${email.normalized}`);
  return record.externalId ? [`id:${record.externalId}`, ...keys] : keys;
}

function describe(problems: { field: string; message: string }[]): string {
  return problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
}

/**
 * The profile of the member owning `email`, only when their discoverability is `anyone` — the same rule
 * sync applies (R10). Any other member is indistinguishable from no member at all, down to the query run.
 */
export async function findMemberByEmail(db: Database, email: string): Promise<MemberProfile> {
  const member = await findDiscoverableMemberByEmail(db, normalizeEmail(email));
  if (!member) throw notFound('member');
  return member;
}

/** A member's profile as a recruiter sees it; a hidden member answers exactly like an unknown id. */
export async function getMemberProfile(db: Database, memberId: string): Promise<MemberProfile> {
  const member = await findDiscoverableMember(db, memberId);
  if (!member) throw notFound('member');
  return member;
}

/** A member's whole record, for the operator and the member themself. */
export async function getMember(db: Database, memberId: string): Promise<Member> {
  const member = await findMember(db, memberId);
  if (!member) throw notFound('member');
  return member;
}

/** A member changes their own profile or discoverability; setting discoverability is their consent anew (R16). */
export async function updateOwnProfile(
  db: Database,
  memberId: string,
  changes: {
    name?: string | undefined;
    headline?: string | undefined;
    discoverability?: Discoverability | undefined;
  },
): Promise<Member> {
  const name = changes.name === undefined ? undefined : requireDisplayName(changes.name);
  if (!(await updateMemberProfile(db, memberId, { ...changes, name }, { affirmed: true })))
    throw notFound('member');
  return getMember(db, memberId);
}
