/**
 * Key rotation for the token vault: with a new key first in TOKEN_ENCRYPTION_KEY and the old ones after it,
 * `talentsync keys rotate` re-seals every stored secret under the new key; the old keys can then be removed.
 */

import type { Database } from '../db/database.ts';
import { resealBatch, SEALED_COLUMNS, type SealedColumn } from '../db/sealed.ts';
import type { Vault } from '../domain/vault.ts';
import { sealedAt } from './grants.ts';

const CONTEXT: Record<string, (id: string) => string> = {
  'mailbox_connections.refresh_token': sealedAt.refreshToken,
  'mailbox_connections.access_token': sealedAt.accessToken,
  'oauth_flows.code_verifier': sealedAt.codeVerifier,
  'pending_revocations.token': sealedAt.revocation,
};

/** Re-seals everything not yet under the current key; answers how many values changed. */
export async function rotateKeys(
  db: Database,
  vault: Vault,
  onProgress: (done: number) => void = () => {},
): Promise<number> {
  let total = 0;
  for (const target of SEALED_COLUMNS) {
    const context = contextOf(target);
    for (;;) {
      const changed = await resealBatch(db, target, vault.currentKeyId, ({ id, value }) =>
        vault.seal(vault.open(value, context(id)), context(id)),
      );
      total += changed;
      onProgress(total);
      if (changed === 0) break;
    }
  }
  return total;
}

function contextOf(target: SealedColumn): (id: string) => string {
  const context = CONTEXT[`${target.table}.${target.column}`];
  if (!context) throw new Error(`no vault context is known for ${target.table}.${target.column}`);
  return context;
}
