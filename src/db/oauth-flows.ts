/**
 * OAuth flows in progress. Three single-use secrets guard a flow, stored only as SHA-256 hashes: the start
 * link the user opens, the `state` sent to the provider, and the cookie that binds the browser which started
 * it. Claiming a step marks it used in the same statement, so a replay finds nothing. The link is claimed
 * only by its own user, and the state only together with its browser's cookie, so neither a forwarded
 * link nor a callback from another browser can use up someone else's flow.
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';
import type { ProviderName } from './schema.ts';

export interface OAuthFlow {
  orgId: string;
  id: string;
  userId: string;
  purpose: 'connect' | 'admin_consent';
  provider: ProviderName;
  /** Sealed PKCE verifier (connect flows). */
  codeVerifier: string | null;
  nonce: string | null;
  browserHash: Buffer | null;
}

export async function insertFlow(
  db: Database,
  orgId: string,
  input: {
    userId: string;
    purpose: OAuthFlow['purpose'];
    provider: ProviderName;
    linkHash: Buffer;
    expiresAt: Date;
  },
): Promise<string> {
  const { id } = await db
    .insertInto('oauth_flows')
    .values({
      org_id: orgId,
      user_id: input.userId,
      purpose: input.purpose,
      provider: input.provider,
      link_hash: input.linkHash,
      expires_at: input.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** An unused, unexpired start link, with the user it was made for and their organization (what the page shows). */
export interface OpenLink {
  flow: Pick<OAuthFlow, 'orgId' | 'id' | 'userId' | 'purpose' | 'provider'>;
  user: { name: string; email: string };
  organization: { name: string };
}

export async function findOpenLink(db: Database, linkHash: Buffer): Promise<OpenLink | undefined> {
  const row = await db
    .selectFrom('oauth_flows as f')
    .innerJoin('users as u', (join) =>
      join.onRef('u.org_id', '=', 'f.org_id').onRef('u.id', '=', 'f.user_id'),
    )
    .innerJoin('organizations as o', 'o.id', 'f.org_id')
    .select(['f.org_id', 'f.id', 'f.user_id', 'f.purpose', 'f.provider', 'u.name', 'u.email'])
    .select('o.name as organization_name')
    .where('f.link_hash', '=', linkHash)
    .where('f.started_at', 'is', null)
    .where('f.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    flow: {
      orgId: row.org_id,
      id: row.id,
      userId: row.user_id,
      purpose: row.purpose,
      provider: row.provider,
    },
    user: { name: row.name, email: row.email },
    organization: { name: row.organization_name },
  };
}

/**
 * Claims an unused, unexpired start link made for `owner`, and records the state, browser binding and
 * PKCE secrets on it; a link of anyone else stays as it was.
 */
export async function claimLink(
  db: Database,
  linkHash: Buffer,
  owner: { orgId: string; userId: string },
  secrets: (flow: { orgId: string; id: string }) => {
    stateHash: Buffer;
    browserHash: Buffer;
    codeVerifier: string | null;
    nonce: string | null;
  },
): Promise<OAuthFlow | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('oauth_flows')
      .select(['org_id', 'id'])
      .where('link_hash', '=', linkHash)
      .where('org_id', '=', owner.orgId)
      .where('user_id', '=', owner.userId)
      .where('started_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return undefined;
    const chosen = secrets({ orgId: row.org_id, id: row.id });
    const updated = await trx
      .updateTable('oauth_flows')
      .set({
        started_at: sql<Date>`now()`,
        state_hash: chosen.stateHash,
        browser_hash: chosen.browserHash,
        code_verifier: chosen.codeVerifier,
        nonce: chosen.nonce,
      })
      .where('org_id', '=', row.org_id)
      .where('id', '=', row.id)
      .returning(['org_id', 'id', 'user_id', 'purpose', 'provider', 'code_verifier', 'nonce', 'browser_hash'])
      .executeTakeFirstOrThrow();
    return toFlow(updated);
  });
}

/**
 * Claims the flow a callback's `state` names, if unused, unexpired and bound to the browser whose cookie
 * hashes to `browserHash`; a second claim finds nothing, and a claim without the right cookie changes
 * nothing. The stored PKCE verifier is handed to the caller and erased in the same step.
 */
export async function claimState(
  db: Database,
  stateHash: Buffer,
  browserHash: Buffer,
): Promise<OAuthFlow | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('oauth_flows')
      .select(['org_id', 'id', 'user_id', 'purpose', 'provider', 'code_verifier', 'nonce', 'browser_hash'])
      .where('state_hash', '=', stateHash)
      .where('browser_hash', '=', browserHash)
      .where('finished_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return undefined;
    await trx
      .updateTable('oauth_flows')
      .set({ finished_at: sql<Date>`now()`, code_verifier: null })
      .where('org_id', '=', row.org_id)
      .where('id', '=', row.id)
      .execute();
    return toFlow(row);
  });
}

/** True when a flow still waits for the callback with this `state` (to tell "another browser" from "expired"). */
export async function isStateOpen(db: Database, stateHash: Buffer): Promise<boolean> {
  const row = await db
    .selectFrom('oauth_flows')
    .select('id')
    .where('state_hash', '=', stateHash)
    .where('finished_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row !== undefined;
}

/** Keeps a finished flow's sealed grant until its user confirms (R8), for `lifetimeMs` from now. */
export async function holdGrant(
  db: Database,
  orgId: string,
  flowId: string,
  sealed: string,
  lifetimeMs: number,
): Promise<void> {
  await db
    .updateTable('oauth_flows')
    .set({ held_grant: sealed, expires_at: new Date(Date.now() + lifetimeMs) })
    .where('org_id', '=', orgId)
    .where('id', '=', flowId)
    .execute();
}

/** Takes the grant held for the browser whose cookie hashes to `browserHash`, once; later claims find nothing. */
export async function claimHeldGrant(
  db: Database,
  browserHash: Buffer,
): Promise<{ flow: OAuthFlow; sealed: string } | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('oauth_flows')
      .select(['org_id', 'id', 'user_id', 'purpose', 'provider', 'code_verifier', 'nonce', 'browser_hash'])
      .select('held_grant')
      .where('browser_hash', '=', browserHash)
      .where('held_grant', 'is not', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .forUpdate()
      .executeTakeFirst();
    if (!row?.held_grant) return undefined;
    await releaseGrants(trx, row.org_id, [row.id]);
    return { flow: toFlow(row), sealed: row.held_grant };
  });
}

/** Takes every held grant whose confirmation never came, so that it can be revoked. */
export async function takeAbandonedGrants(
  db: Database,
): Promise<{ orgId: string; id: string; provider: ProviderName; sealed: string }[]> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('oauth_flows')
      .select(['org_id', 'id', 'provider', 'held_grant'])
      .where('held_grant', 'is not', null)
      .where('expires_at', '<=', sql<Date>`now()`)
      .forUpdate()
      .skipLocked()
      .execute();
    const taken = rows.flatMap((row) =>
      row.held_grant
        ? [{ orgId: row.org_id, id: row.id, provider: row.provider, sealed: row.held_grant }]
        : [],
    );
    for (const grant of taken) await releaseGrants(trx, grant.orgId, [grant.id]);
    return taken;
  });
}

async function releaseGrants(db: Database, orgId: string, ids: string[]): Promise<void> {
  await db
    .updateTable('oauth_flows')
    .set({ held_grant: null })
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();
}

/** Deletes flows that expired more than a day ago (kept a while to tell "expired" from "unknown"). */
export async function deleteExpiredFlows(db: Database): Promise<number> {
  const result = await db
    .deleteFrom('oauth_flows')
    .where('expires_at', '<', sql<Date>`now() - interval '1 day'`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

function toFlow(row: {
  org_id: string;
  id: string;
  user_id: string;
  purpose: OAuthFlow['purpose'];
  provider: ProviderName;
  code_verifier: string | null;
  nonce: string | null;
  browser_hash: Buffer | null;
}): OAuthFlow {
  return {
    orgId: row.org_id,
    id: row.id,
    userId: row.user_id,
    purpose: row.purpose,
    provider: row.provider,
    codeVerifier: row.code_verifier,
    nonce: row.nonce,
    browserHash: row.browser_hash,
  };
}
