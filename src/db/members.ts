/** The member directory: the platform's people and their addresses (normalized for R10). */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { NormalizedMember } from '../domain/member.ts';
import type { Discoverability } from '../domain/principal.ts';
import type { Database } from './database.ts';

export interface Member {
  id: string;
  externalId: string | null;
  name: string;
  headline: string;
  discoverability: Discoverability;
  discoverabilityChangedAt: Date;
  emails: string[];
}

/**
 * Why the database refused a member write, in words fit for an import report (no values: the error's
 * detail repeats the row), or undefined when the error is not about the data (a lost connection, a
 * timeout) and retrying part of the batch would not help. SQLSTATE class 22 is a value PostgreSQL
 * cannot store (NUL, too long); class 23 a constraint.
 */
export function memberWriteRefusal(error: unknown): string | undefined {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  if (typeof code !== 'string') return undefined;
  if (code === '23505') return 'an address was claimed by a concurrent write; run the import again';
  if (code === '22021' || code === '22P05')
    return 'the database cannot store a value of this record (NUL byte)';
  if (code.startsWith('22') || code.startsWith('23')) {
    return `the database refused this record (${typeof constraint === 'string' ? constraint : code})`;
  }
  return undefined;
}

export type UpsertOutcome = { ok: true; id: string; created: boolean } | { ok: false; message: string };

/** What a recruiter may see of a member: never their addresses or settings. */
export interface MemberProfile {
  id: string;
  name: string;
  headline: string;
}

/** A member's whole record (the operator's and the member's own view), in one query. */
export async function findMember(db: Database, memberId: string): Promise<Member | undefined> {
  const row = await db
    .selectFrom('members as m')
    .selectAll('m')
    .select(
      sql<
        string[]
      >`array(select e.address from member_emails e where e.member_id = m.id order by e.position)`.as(
        'emails',
      ),
    )
    .where('m.id', '=', memberId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    headline: row.headline,
    discoverability: row.discoverability,
    discoverabilityChangedAt: row.discoverability_changed_at,
    emails: row.emails,
  };
}

/*
 * Recruiter-facing lookups. A member who does not let anyone find them must look exactly like no member
 * (R10, R19), in the answer and in the work done to reach it: each lookup is a single statement with the
 * discoverability rule in its WHERE clause, so a hidden member and an unknown one cost the same query,
 * the same columns and no row. Reading the member first and checking discoverability afterwards took a
 * second round trip for hidden members only, which was measurable from outside (~0.9 ms).
 */

/** The profile of a member whom anyone may find, by id; nothing for a hidden or unknown one. */
export async function findDiscoverableMember(
  db: Database,
  memberId: string,
): Promise<MemberProfile | undefined> {
  return db
    .selectFrom('members')
    .select(['id', 'name', 'headline'])
    .where('id', '=', memberId)
    .where('discoverability', '=', 'anyone')
    .executeTakeFirst();
}

/** The profile of the member owning a normalized address, when anyone may find them by it (R10). */
export async function findDiscoverableMemberByEmail(
  db: Database,
  normalized: string,
): Promise<MemberProfile | undefined> {
  return db
    .selectFrom('member_emails as e')
    .innerJoin('members as m', 'm.id', 'e.member_id')
    .select(['m.id', 'm.name', 'm.headline'])
    .where('e.normalized', '=', normalized)
    .where('m.discoverability', '=', 'anyone')
    .executeTakeFirst();
}

/** The member owning a normalized address, whatever their discoverability (the operator's CLI only). */
export async function findMemberIdByEmail(db: Database, normalized: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('member_emails')
    .select('member_id')
    .where('normalized', '=', normalized)
    .executeTakeFirst();
  return row?.member_id;
}

export async function updateMemberProfile(
  db: Database,
  memberId: string,
  changes: {
    name?: string | undefined;
    headline?: string | undefined;
    discoverability?: Discoverability | undefined;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('members')
    .set((eb) => ({
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.headline !== undefined && { headline: changes.headline }),
      ...(changes.discoverability !== undefined && {
        discoverability: changes.discoverability,
        discoverability_changed_at: eb
          .case()
          .when('discoverability', '=', changes.discoverability)
          .then(eb.ref('discoverability_changed_at'))
          .else(sql<Date>`now()`)
          .end(),
      }),
      updated_at: sql<Date>`now()`,
    }))
    .where('id', '=', memberId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Creates or updates members in one round of set-based statements (the import path: thousands per call).
 *
 * A record is matched to an existing member by `externalId`, else by any of its addresses. Its addresses
 * then become exactly the member's addresses. A record is refused when its addresses belong to a
 * different member (addresses are unique across members). Callers pass records that share no
 * `externalId` or address with each other, and run this inside a transaction.
 */
export async function upsertMembers(db: Database, records: NormalizedMember[]): Promise<UpsertOutcome[]> {
  const normalized = records.flatMap((record) => record.emails.map((email) => email.normalized));
  const externalIds = records.flatMap((record) => (record.externalId ? [record.externalId] : []));
  const owners = new Map<string, string>();
  for (const row of await db
    .selectFrom('member_emails')
    .select(['normalized', 'member_id'])
    .where('normalized', '=', sql<string>`any(${normalized}::text[])`)
    .execute()) {
    owners.set(row.normalized, row.member_id);
  }
  const candidateIds = [...new Set(owners.values())];
  const known = await db
    .selectFrom('members')
    .select(['id', 'external_id'])
    .where((eb) =>
      eb.or([
        eb('external_id', '=', sql<string>`any(${externalIds}::text[])`),
        eb('id', '=', sql<string>`any(${candidateIds}::uuid[])`),
      ]),
    )
    .execute();
  const byExternalId = new Map(known.flatMap((row) => (row.external_id ? [[row.external_id, row.id]] : [])));
  const externalIdOf = new Map(known.map((row) => [row.id, row.external_id]));

  const outcomes = records.map((record): UpsertOutcome & { record: NormalizedMember } => {
    const emailOwners = new Set(record.emails.flatMap((email) => owners.get(email.normalized) ?? []));
    const byExternal = record.externalId ? byExternalId.get(record.externalId) : undefined;
    const target = byExternal ?? (emailOwners.size === 1 ? [...emailOwners][0] : undefined);
    const taken = record.emails.find((email) => {
      const owner = owners.get(email.normalized);
      return owner !== undefined && owner !== target;
    });
    // Addresses are named by their place in the record, never by their text (reports end up in logs).
    if (taken) return { ok: false, message: `emails.${taken.index}: belongs to another member`, record };
    if (target && !byExternal && record.externalId && externalIdOf.get(target)) {
      return {
        ok: false,
        message: `emails.${record.emails[0]?.index ?? 0}: belongs to another member`,
        record,
      };
    }
    return { ok: true, id: target ?? randomUUID(), created: target === undefined, record };
  });

  const accepted = outcomes.filter((outcome) => outcome.ok === true);
  if (accepted.length > 0) {
    await upsertMemberRows(db, accepted);
    await replaceMemberEmails(db, accepted);
  }
  return outcomes.map(({ record: _record, ...outcome }) => outcome);
}

async function upsertMemberRows(
  db: Database,
  rows: { id: string; created: boolean; record: NormalizedMember }[],
): Promise<void> {
  const columns = (subset: typeof rows) => sql`
    ${subset.map((row) => row.id)}::uuid[],
    ${subset.map((row) => row.record.externalId ?? null)}::text[],
    ${subset.map((row) => row.record.name)}::text[],
    ${subset.map((row) => row.record.headline ?? null)}::text[],
    ${subset.map((row) => row.record.discoverability)}::text[]`;
  const created = rows.filter((row) => row.created);
  const updated = rows.filter((row) => !row.created);
  if (created.length > 0) {
    await sql`
      insert into members (id, external_id, name, headline, discoverability)
      select id, external_id, name, coalesce(headline, ''), discoverability
      from unnest(${columns(created)}) as t(id, external_id, name, headline, discoverability)
    `.execute(db);
  }
  if (updated.length > 0) {
    // An omitted headline keeps the stored one; a changed discoverability restamps its time (R16 needs it).
    await sql`
      update members as m set
        external_id = coalesce(t.external_id, m.external_id),
        name = t.name,
        headline = coalesce(t.headline, m.headline),
        discoverability = t.discoverability,
        discoverability_changed_at = case when m.discoverability = t.discoverability
          then m.discoverability_changed_at else now() end,
        updated_at = now()
      from unnest(${columns(updated)}) as t(id, external_id, name, headline, discoverability)
      where m.id = t.id
    `.execute(db);
  }
}

async function replaceMemberEmails(
  db: Database,
  rows: { id: string; record: NormalizedMember }[],
): Promise<void> {
  const memberIds = rows.map((row) => row.id);
  const emails = rows.flatMap((row) =>
    row.record.emails.map((email, position) => ({
      normalized: email.normalized,
      address: email.address,
      position,
      memberId: row.id,
    })),
  );
  await db
    .deleteFrom('member_emails')
    .where('member_id', '=', sql<string>`any(${memberIds}::uuid[])`)
    .where('normalized', '!=', sql<string>`all(${emails.map((email) => email.normalized)}::text[])`)
    .execute();
  await sql`
    insert into member_emails as e (normalized, member_id, address, position)
    select * from unnest(
      ${emails.map((email) => email.normalized)}::text[],
      ${emails.map((email) => email.memberId)}::uuid[],
      ${emails.map((email) => email.address)}::text[],
      ${emails.map((email) => email.position)}::smallint[])
    on conflict (normalized) do update set address = excluded.address, position = excluded.position
      where e.member_id = excluded.member_id
        and (e.address, e.position) is distinct from (excluded.address, excluded.position)
  `.execute(db);
}

/**
 * The directory's answer for a set of normalized addresses (R10): each address whose member lets anyone
 * find them, with the time that discoverability last changed (a consent-bearing change, R16). Hidden
 * members are filtered out here, in SQL, so that sync never learns more about them than about a stranger
 * (R19: both are "no member can be found") and both cost the same statement.
 */
export async function lookupAddresses(
  db: Database,
  normalized: string[],
): Promise<Map<string, { memberId: string; discoverability: Discoverability; consentedAt: Date }>> {
  if (normalized.length === 0) return new Map();
  const rows = await db
    .selectFrom('member_emails as e')
    .innerJoin('members as m', 'm.id', 'e.member_id')
    .select(['e.normalized', 'm.id', 'm.discoverability', 'm.discoverability_changed_at'])
    .where('e.normalized', '=', sql<string>`any(${normalized}::text[])`)
    .where('m.discoverability', '=', 'anyone')
    .execute();
  return new Map(
    rows.map((row) => [
      row.normalized,
      { memberId: row.id, discoverability: row.discoverability, consentedAt: row.discoverability_changed_at },
    ]),
  );
}
