/**
 * Writing the member directory from the operator's feed: set-based upserts of whole batches (the import
 * path: thousands of records per call), and what a refused batch means for its lines.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { NormalizedMember } from '../domain/member.ts';
import type { Database } from './database.ts';

/**
 * Why the database refused a member write, in words fit for an import report (no values: the error's
 * detail repeats the row), or undefined when the error is not about the data (a lost connection, a
 * timeout) and retrying part of the batch would not help. SQLSTATE class 22 is a value PostgreSQL
 * cannot store (NUL, too long); class 23 a constraint.
 */
export function memberWriteRefusal(error: unknown): string | undefined {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  if (error instanceof AddressClaimedError || code === '23505')
    return 'an address was claimed by a concurrent write; try again';
  if (typeof code !== 'string') return undefined;
  if (code === '22021' || code === '22P05')
    return 'the database cannot store a value of this record (NUL byte)';
  if (code.startsWith('22') || code.startsWith('23')) {
    return `the database refused this record (${typeof constraint === 'string' ? constraint : code})`;
  }
  return undefined;
}

export type UpsertOutcome = { ok: true; id: string; created: boolean } | { ok: false; message: string };

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
  const normalized = emails.map((email) => email.normalized);
  const owners = emails.map((email) => email.memberId);
  await sql`
    insert into member_emails as e (normalized, member_id, address, position)
    select * from unnest(
      ${normalized}::text[],
      ${owners}::uuid[],
      ${emails.map((email) => email.address)}::text[],
      ${emails.map((email) => email.position)}::smallint[])
    on conflict (normalized) do update set address = excluded.address, position = excluded.position
      where e.member_id = excluded.member_id
        and (e.address, e.position) is distinct from (excluded.address, excluded.position)
  `.execute(db);
  // The conflict clause skips, without an error, an address that a concurrent transaction gave to
  // another member after this batch read the owners; the member would be saved without it. A new
  // statement sees that commit (read committed): refuse the batch, and its retry reports the line.
  const claimed = await sql<{ normalized: string }>`
    select e.normalized from member_emails e
    join unnest(${normalized}::text[], ${owners}::uuid[]) as t(normalized, member_id)
      on t.normalized = e.normalized
    where e.member_id <> t.member_id
    limit 1
  `.execute(db);
  if (claimed.rows.length > 0) throw new AddressClaimedError();
}

/** An address of the batch was given to another member by a concurrent write. */
class AddressClaimedError extends Error {
  override name = 'AddressClaimedError';
}
