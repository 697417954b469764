/**
 * The member directory as the API and the CLI use it: the operator's feed (single upserts and JSON Lines
 * imports), members' own profile changes, and the lookup by email that users and sync share.
 */

import type { Database } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import {
  findMember,
  findMemberIdByEmail,
  type Member,
  type UpsertOutcome,
  updateMemberProfile,
  upsertMembers,
} from '../db/members.ts';
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
  const [outcome] = await db.transaction().execute((trx) => upsertMembers(trx, [parsed.member]));
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
  const summary: ImportSummary = { lines: 0, created: 0, updated: 0, rejected: 0, problems: [] };
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
    if (text.trim() === '') continue;
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

/** Saves a batch at once; if a concurrent writer took an address meanwhile, falls back to one by one. */
async function saveBatch(db: Database, records: NormalizedMember[]): Promise<UpsertOutcome[]> {
  try {
    return await db.transaction().execute((trx) => upsertMembers(trx, records));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    if (records.length === 1) {
      return [{ ok: false, message: 'an address was claimed by a concurrent write; run the import again' }];
    }
    const outcomes: UpsertOutcome[] = [];
    for (const record of records) outcomes.push(...(await saveBatch(db, [record])));
    return outcomes;
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
 * The member owning `email`, only when their discoverability is `anyone` — the same rule sync applies
 * (R10). Any other member is indistinguishable from no member at all.
 */
export async function findDiscoverableMember(db: Database, email: string): Promise<Member | undefined> {
  const memberId = await findMemberIdByEmail(db, normalizeEmail(email));
  const member = memberId ? await findMember(db, memberId) : undefined;
  return member?.discoverability === 'anyone' ? member : undefined;
}

export async function getMember(db: Database, memberId: string): Promise<Member> {
  const member = await findMember(db, memberId);
  if (!member) throw notFound('member');
  return member;
}

/** A member changes their own profile or discoverability. */
export async function updateOwnProfile(
  db: Database,
  memberId: string,
  changes: {
    name?: string | undefined;
    headline?: string | undefined;
    discoverability?: Discoverability | undefined;
  },
): Promise<Member> {
  if (!(await updateMemberProfile(db, memberId, changes))) throw notFound('member');
  return getMember(db, memberId);
}
