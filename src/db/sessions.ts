/**
 * Browser sessions (migration 0012): stored by the SHA-256 of their cookie value, found only while live
 * (not revoked, before their absolute expiry, used within the idle limit), revoked one at a time or all of
 * a user's at once. Sign-in is the one place a user is looked up by email across organizations: before
 * it nobody is signed in to any.
 */
import { sql } from 'kysely';
import type { Principal, Role } from '../domain/principal.ts';
import type { Database } from './database.ts';

export type SessionOwner =
  | { kind: 'user'; orgId: string; userId: string }
  | { kind: 'member'; memberId: string };

export interface LiveSession {
  principal: Extract<Principal, { kind: 'user' | 'member' }>;
  csrfToken: string;
  expiresAt: Date;
  lastSeenAt: Date;
}

export async function insertSession(
  db: Database,
  input: { idHash: Buffer; owner: SessionOwner; csrfToken: string; expiresAt: Date },
): Promise<void> {
  const { owner } = input;
  await db
    .insertInto('sessions')
    .values({
      id_hash: input.idHash,
      principal: owner.kind,
      org_id: owner.kind === 'user' ? owner.orgId : null,
      user_id: owner.kind === 'user' ? owner.userId : null,
      member_id: owner.kind === 'member' ? owner.memberId : null,
      csrf_token: input.csrfToken,
      expires_at: input.expiresAt,
    })
    .execute();
}

/** The live session stored as `idHash`: not revoked, not expired, and used within `idleMs`. */
export async function findLiveSession(
  db: Database,
  idHash: Buffer,
  idleMs: number,
): Promise<LiveSession | undefined> {
  const row = await db
    .selectFrom('sessions as s')
    .leftJoin('users as u', (join) => join.onRef('u.org_id', '=', 's.org_id').onRef('u.id', '=', 's.user_id'))
    .select(['s.principal', 's.org_id', 's.user_id', 's.member_id', 's.csrf_token', 's.expires_at'])
    .select(['s.last_seen_at', 'u.role'])
    .where('s.id_hash', '=', idHash)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .where('s.last_seen_at', '>', sql<Date>`now() - make_interval(secs => ${idleMs / 1000})`)
    .executeTakeFirst();
  if (!row) return undefined;
  const principal = toPrincipal(row);
  return (
    principal && {
      principal,
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at,
      lastSeenAt: row.last_seen_at,
    }
  );
}

/** Marks the session used now (the idle limit counts from here). */
export async function touchSession(db: Database, idHash: Buffer): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: sql`now()` }).where('id_hash', '=', idHash).execute();
}

export async function revokeSession(db: Database, idHash: Buffer): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: sql`now()` })
    .where('id_hash', '=', idHash)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Ends every live session of one user; answers how many. */
export async function revokeUserSessions(db: Database, orgId: string, userId: string): Promise<number> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: sql`now()` })
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The users, in any organization, whose email is `email` (lower case): sign-in's only cross-tenant read. */
export async function usersWithEmail(
  db: Database,
  email: string,
): Promise<{ orgId: string; userId: string }[]> {
  const rows = await db
    .selectFrom('users')
    .select(['org_id', 'id'])
    .where('email', '=', email.toLowerCase())
    .limit(2)
    .execute();
  return rows.map((row) => ({ orgId: row.org_id, userId: row.id }));
}

function toPrincipal(row: {
  principal: 'user' | 'member';
  org_id: string | null;
  user_id: string | null;
  member_id: string | null;
  role: Role | null;
}): LiveSession['principal'] | undefined {
  if (row.principal === 'user' && row.org_id && row.user_id && row.role) {
    return { kind: 'user', tokenId: 'session', orgId: row.org_id, userId: row.user_id, role: row.role };
  }
  if (row.principal === 'member' && row.member_id)
    return { kind: 'member', tokenId: 'session', memberId: row.member_id };
  return undefined;
}
