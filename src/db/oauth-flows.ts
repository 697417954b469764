/**
 * OAuth flows in progress. Three single-use secrets guard a flow, stored only as SHA-256 hashes: the start
 * link the user opens, the `state` sent to the provider, and the cookie that binds the browser which started
 * it. Claiming a step marks it used in the same statement, so a replay finds nothing.
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

/** Claims an unused, unexpired start link and records the state, browser binding and PKCE secrets on it. */
export async function claimLink(
  db: Database,
  linkHash: Buffer,
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
 * Claims the flow a callback's `state` names, if unused and unexpired; a second claim finds nothing. The
 * stored PKCE verifier is handed to the caller and erased in the same step: it is never needed again.
 */
export async function claimState(db: Database, stateHash: Buffer): Promise<OAuthFlow | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('oauth_flows')
      .select(['org_id', 'id', 'user_id', 'purpose', 'provider', 'code_verifier', 'nonce', 'browser_hash'])
      .where('state_hash', '=', stateHash)
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
