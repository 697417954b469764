/**
 * Key rotation for the token vault: with a new key first in TOKEN_ENCRYPTION_KEY and the old ones after it,
 * `talentsync keys rotate` re-seals every stored secret under the new key and carries R16's suppressions
 * (keyed hashes of erased members' addresses) over to it; the old keys can then be removed.
 *
 * A suppression cannot be re-hashed from its hash. It is carried from the member's addresses instead: an
 * erased member keeps their record and addresses, so each of them is hashed under the old keys and the new
 * one, and an old hash found is replaced by the new (with the erasure's time). A suppressed address that no
 * member holds any more matches no member either, so losing its old hash loses nothing R10 could match.
 */

import type { Database } from '../db/database.ts';
import { resealBatch, SEALED_COLUMNS, type SealedColumn } from '../db/sealed.ts';
import { carrySuppression, erasedMembersAddresses, lockAddressHashes } from '../db/suppressions.ts';
import type { Vault } from '../domain/vault.ts';
import { SUPPRESSION } from '../sync/decide.ts';
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

/** Carries suppressions hashed under older keys to the current key's hashes; answers how many moved. */
export async function carrySuppressions(db: Database, vault: Vault): Promise<number> {
  let carried = 0;
  let after: string | undefined;
  for (;;) {
    const members = await erasedMembersAddresses(db, { after, limit: 500 });
    if (members.length === 0) return carried;
    for (const { addresses } of members) {
      for (const address of addresses) {
        const [current, ...older] = vault.digests(SUPPRESSION, address);
        if (!current) continue;
        // Under the locks sync's commit takes shared (db/suppressions.ts), so no page slips in between.
        const moved = await db.transaction().execute(async (trx) => {
          await lockAddressHashes(trx, [current, ...older], 'exclusive');
          return carrySuppression(trx, current, older);
        });
        if (moved) carried += 1;
      }
    }
    after = members.at(-1)?.memberId;
  }
}

function contextOf(target: SealedColumn): (id: string) => string {
  const context = CONTEXT[`${target.table}.${target.column}`];
  if (!context) throw new Error(`no vault context is known for ${target.table}.${target.column}`);
  return context;
}
