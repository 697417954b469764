/** The member directory: the platform's people and their addresses (normalized for R10). */
import { sql } from 'kysely';
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

/**
 * Changes a member's profile. `discoverability_changed_at` is the member's latest consent (R16: mail after
 * an erasure syncs again only once they consent anew): the member's own setting (`affirmed`) stamps it even
 * when the value stays the same; an import or the operator stamps it only when the value changes.
 */
export async function updateMemberProfile(
  db: Database,
  memberId: string,
  changes: {
    name?: string | undefined;
    headline?: string | undefined;
    discoverability?: Discoverability | undefined;
  },
  options: { affirmed?: boolean } = {},
): Promise<boolean> {
  const result = await db
    .updateTable('members')
    .set((eb) => ({
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.headline !== undefined && { headline: changes.headline }),
      ...(changes.discoverability !== undefined && {
        discoverability: changes.discoverability,
        discoverability_changed_at: options.affirmed
          ? sql<Date>`now()`
          : eb
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

/** A member's addresses in their normalized form (R10), as sync compares them; empty for an unknown member. */
export async function normalizedAddressesOf(db: Database, memberId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('member_emails')
    .select('normalized')
    .where('member_id', '=', memberId)
    .orderBy('position')
    .execute();
  return rows.map((row) => row.normalized);
}
