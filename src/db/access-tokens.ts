/** Access tokens: hashed bearer credentials of users, members and the operator. */

import type { ExpressionBuilder } from 'kysely';
import type { IssuedToken } from '../domain/access-token.ts';
import type { Principal, Role } from '../domain/principal.ts';
import type { Database } from './database.ts';
import type { DB } from './schema.ts';

export type TokenOwner =
  | { kind: 'user'; orgId: string; userId: string }
  | { kind: 'member'; memberId: string }
  | { kind: 'operator' };

export interface TokenInfo {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function insertAccessToken(
  db: Database,
  owner: TokenOwner,
  issued: IssuedToken,
  name = '',
): Promise<void> {
  await db
    .insertInto('access_tokens')
    .values({
      id: issued.id,
      secret_hash: issued.secretHash,
      principal: owner.kind,
      org_id: owner.kind === 'user' ? owner.orgId : null,
      user_id: owner.kind === 'user' ? owner.userId : null,
      member_id: owner.kind === 'member' ? owner.memberId : null,
      name,
    })
    .execute();
}

/** The live token with this id and what it identifies; `role` comes from the user row, never the token. */
export async function findLiveToken(
  db: Database,
  id: string,
): Promise<{ secretHash: Buffer; principal: Principal } | undefined> {
  const row = await db
    .selectFrom('access_tokens as t')
    .leftJoin('users as u', (join) => join.onRef('u.org_id', '=', 't.org_id').onRef('u.id', '=', 't.user_id'))
    .select(['t.id', 't.secret_hash', 't.principal', 't.org_id', 't.user_id', 't.member_id', 'u.role'])
    .where('t.id', '=', id)
    .where('t.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const principal = toPrincipal(row);
  return principal && { secretHash: row.secret_hash, principal };
}

function toPrincipal(row: {
  id: string;
  principal: Principal['kind'];
  org_id: string | null;
  user_id: string | null;
  member_id: string | null;
  role: Role | null;
}): Principal | undefined {
  if (row.principal === 'user' && row.org_id && row.user_id && row.role) {
    return { kind: 'user', tokenId: row.id, orgId: row.org_id, userId: row.user_id, role: row.role };
  }
  if (row.principal === 'member' && row.member_id) {
    return { kind: 'member', tokenId: row.id, memberId: row.member_id };
  }
  if (row.principal === 'operator') return { kind: 'operator', tokenId: row.id };
  return undefined;
}

/** Records use at most once a minute per token, so authentication does not write on every request. */
export async function touchAccessToken(db: Database, id: string): Promise<void> {
  await db
    .updateTable('access_tokens')
    .set({ last_used_at: new Date() })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', new Date(Date.now() - 60_000))]),
    )
    .execute();
}

export async function listAccessTokens(db: Database, owner: TokenOwner): Promise<TokenInfo[]> {
  const rows = await db
    .selectFrom('access_tokens')
    .selectAll()
    .where(ownedBy(owner))
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  }));
}

/** Revokes one of the owner's tokens; false when the owner has no such live token. */
export async function revokeAccessToken(db: Database, owner: TokenOwner, id: string): Promise<boolean> {
  const result = await db
    .updateTable('access_tokens')
    .set({ revoked_at: new Date() })
    .where(ownedBy(owner))
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Revokes every live token of the owner that carries this name (the demo's per-start tokens). */
export async function revokeAccessTokensNamed(db: Database, owner: TokenOwner, name: string): Promise<void> {
  await db
    .updateTable('access_tokens')
    .set({ revoked_at: new Date() })
    .where(ownedBy(owner))
    .where('name', '=', name)
    .where('revoked_at', 'is', null)
    .execute();
}

function ownedBy(owner: TokenOwner) {
  return (eb: ExpressionBuilder<DB, 'access_tokens'>) => {
    if (owner.kind === 'user') return eb.and({ org_id: owner.orgId, user_id: owner.userId });
    if (owner.kind === 'member') return eb('member_id', '=', owner.memberId);
    return eb('principal', '=', 'operator');
  };
}
