/**
 * R9–R11, R16, R19: the decision for each message from its headers alone, with one directory query for all
 * of them. Sync decides a page with it, and R19's lookup a message sync never looked at, so both give the
 * same answer for the same message.
 */
import type { Connection } from '../db/connections.ts';
import type { Database } from '../db/database.ts';
import { lookupAddresses } from '../db/members.ts';
import { findSettings } from '../db/organizations.ts';
import {
  addressesToLookUp,
  decideSync,
  type MatchMailbox,
  type SyncDecision,
} from '../domain/candidate-match.ts';
import { participantsOf } from '../domain/participants.ts';
import type { MessageHeaders } from '../providers/types.ts';

/** Decides each message by id; reads the directory, never a body. */
export async function decideHeaders(
  db: Database,
  headers: readonly MessageHeaders[],
  mailbox: MatchMailbox,
): Promise<Map<string, SyncDecision>> {
  const participants = new Map(headers.map((header) => [header.id, participantsOf(header)]));
  const addresses = new Set<string>();
  for (const list of participants.values()) {
    for (const address of addressesToLookUp(list, mailbox)) addresses.add(address);
  }
  const directory = await lookupAddresses(db, [...addresses]);
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
