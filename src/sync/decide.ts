/**
 * R9–R11, R16, R19: the decision for each message from its headers alone, with one directory query for all
 * of them. Sync decides a page with it, and R19's lookup a message sync never looked at, so both give the
 * same answer for the same message.
 */
import type { Connection } from '../db/connections.ts';
import type { Database } from '../db/database.ts';
import type { NewMessage } from '../db/mail.ts';
import { lookupAddresses } from '../db/members.ts';
import { findSettings } from '../db/organizations.ts';
import { findSuppressions, lockAddressHashes } from '../db/suppressions.ts';
import {
  addressesToLookUp,
  type DirectoryLookup,
  type DirectoryMember,
  decideSync,
  isBlockedByErasure,
  type MatchMailbox,
  type SyncDecision,
} from '../domain/candidate-match.ts';
import { participantsOf } from '../domain/participants.ts';
import type { Vault } from '../domain/vault.ts';
import type { MessageHeaders } from '../providers/types.ts';

/** The vault digest purpose of R16's suppression list. */
export const SUPPRESSION = 'suppression';

/** Decides each message by id; reads the directory and the suppression list, never a body. */
export async function decideHeaders(
  db: Database,
  vault: Vault,
  headers: readonly MessageHeaders[],
  mailbox: MatchMailbox,
): Promise<Map<string, SyncDecision>> {
  const participants = new Map(headers.map((header) => [header.id, participantsOf(header)]));
  const addresses = new Set<string>();
  for (const list of participants.values()) {
    for (const address of addressesToLookUp(list, mailbox)) addresses.add(address);
  }
  const directory = await directoryOf(db, vault, [...addresses]);
  const decisions = new Map<string, SyncDecision>();
  for (const header of headers) {
    const { draft, spam, chat } = header.flags;
    decisions.set(
      header.id,
      decideSync(
        {
          participants: participants.get(header.id) ?? [],
          time: header.receivedAt,
          flags: { isDraft: draft, isSpam: spam, isChat: chat },
        },
        mailbox,
        directory,
      ),
    );
  }
  return decisions;
}

/**
 * R16 inside a page's commit: the messages about to be stored whose addresses an erasure suppressed since
 * the page was decided. Takes the addresses' shared locks first (`db/suppressions.ts`), so an erasure
 * either saw this page's rows or this check sees its suppression. Call it inside the commit transaction.
 */
export async function suppressedSinceDecided(
  db: Database,
  vault: Vault,
  messages: readonly NewMessage[],
  mailbox: MatchMailbox,
): Promise<Set<string>> {
  const addressesOf = new Map(
    messages.map((message) => [
      message.providerMessageId,
      addressesToLookUp(
        participantsOf({ from: message.from, to: message.to, cc: message.cc, bcc: message.bcc }),
        mailbox,
      ),
    ]),
  );
  const addresses = [...new Set([...addressesOf.values()].flat())];
  if (addresses.length === 0) return new Set();
  await lockAddressHashes(
    db,
    addresses.flatMap((address) => vault.digests(SUPPRESSION, address)),
    'shared',
  );
  const directory = await directoryOf(db, vault, addresses);
  const blocked = new Set<string>();
  for (const message of messages) {
    const members = (addressesOf.get(message.providerMessageId) ?? []).map((address) =>
      directory.get(address),
    );
    if (members.some((member) => member && isBlockedByErasure(member, message.receivedAt))) {
      blocked.add(message.providerMessageId);
    }
  }
  return blocked;
}

/**
 * The directory's answer for these normalized addresses, with R16's erasure time on every suppressed
 * one. A suppressed address whose member is hidden or gone still answers, as a hidden member erased then:
 * it keeps the message out (R16) and reads as `no_member` like any hidden member (R19).
 */
async function directoryOf(db: Database, vault: Vault, addresses: string[]): Promise<DirectoryLookup> {
  const directory = new Map<string, DirectoryMember>(await lookupAddresses(db, addresses));
  const hashes = new Map(addresses.map((address) => [address, vault.digests(SUPPRESSION, address)]));
  const suppressed = await findSuppressions(db, [...hashes.values()].flat());
  if (suppressed.size === 0) return directory;
  for (const [address, digests] of hashes) {
    const times = digests.flatMap((digest) => suppressed.get(digest.toString('hex')) ?? []);
    if (times.length === 0) continue;
    const erasedAt = new Date(Math.max(...times.map((time) => time.getTime())));
    const member = directory.get(address);
    directory.set(
      address,
      member
        ? { ...member, erasedAt }
        : { memberId: `suppressed:${address}`, discoverability: 'nobody', erasedAt, consentedAt: null },
    );
  }
  return directory;
}

/** The connected mailbox as the match rules see it: its address, its organization's settings and R9's floor. */
export async function matchMailboxOf(db: Database, connection: Connection): Promise<MatchMailbox> {
  const settings = await findSettings(db, connection.orgId);
  return {
    address: connection.address,
    extraInternalDomains: settings?.internalDomains ?? [],
    authorizedAt: connection.authorizedAt,
    backfillDays: settings?.backfillDays ?? 0,
  };
}
