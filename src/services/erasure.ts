/**
 * R16 erasure, without touching anyone's mailbox: an owner erases a thread of theirs; a member (or the
 * operator for them) erases every synced message involving their addresses, in every organization.
 *
 * A member's erasure runs in steps, each safe to repeat, so a second run (or two at once) ends in the
 * same state: first their addresses are suppressed (keyed hashes, under the addresses' advisory locks
 * that a sync page's commit also takes, `db/suppressions.ts`), so no page commits their mail from then
 * on; then each organization's mail of theirs is deleted in one transaction and audited there; last the
 * erasure is recorded, with counts and organization ids only. The member's mail syncs again only when
 * the member makes a new consent-bearing change: discoverability set to `anyone` after the erasure
 * (`domain/candidate-match.ts` `isBlockedByErasure`), and then only mail from after that change.
 */
import { randomUUID } from 'node:crypto';
import { insertAuditEvent } from '../db/audit.ts';
import type { Database } from '../db/database.ts';
import { eraseMemberMail, eraseThread, insertErasure, organizationsWithMailOf } from '../db/erasure.ts';
import { findMember, normalizedAddressesOf } from '../db/members.ts';
import { lockAddressHashes, suppressHashes } from '../db/suppressions.ts';
import { lockVisibleThread } from '../db/threads.ts';
import type { Viewer } from '../db/visibility.ts';
import { AppError, notFound } from '../domain/errors.ts';
import { SUPPRESSION } from '../sync/decide.ts';
import type { AppContext } from './context.ts';

/** What was erased, told to whoever asked. */
export const ERASED_PARTS =
  'content, headers, participants, snippets, attachment metadata, candidate links and sync explanations';

export interface MemberErasure {
  erasureId: string;
  at: Date;
  messages: number;
  threads: number;
  organizations: number;
  erased: string;
  suppressed: number;
  backupsAgeOutWithinDays: number;
}

/** Erases every synced message involving the member's addresses, everywhere, and suppresses the addresses. */
export async function eraseMember(
  context: AppContext,
  requestedBy: 'member' | 'operator',
  memberId: string,
): Promise<MemberErasure> {
  const { db, vault } = context;
  const { normalized, addresses } = await memberScope(db, memberId);
  await db.transaction().execute(async (trx) => {
    await lockAddressHashes(
      trx,
      normalized.flatMap((address) => vault.digests(SUPPRESSION, address)),
      'exclusive',
    );
    // Stored under the current key only; sync looks an address up under every configured key.
    await suppressHashes(
      trx,
      normalized.map((address) => vault.digests(SUPPRESSION, address)[0] as Buffer),
    );
  });
  const erasureId = randomUUID();
  const orgIds = await organizationsWithMailOf(db, memberId, addresses);
  let messages = 0;
  let threads = 0;
  for (const orgId of orgIds) {
    const erased = await db.transaction().execute(async (trx) => {
      const done = await eraseMemberMail(trx, orgId, memberId, addresses);
      // Counts and the erasure's id only: which candidate asked is not the organization's to read.
      await insertAuditEvent(trx, orgId, {
        actorUserId: null,
        action: 'member_mail_erased',
        details: { erasureId, messages: done.messages, threads: done.threads },
      });
      return done;
    });
    messages += erased.messages;
    threads += erased.threads;
  }
  const recorded = await insertErasure(db, {
    id: erasureId,
    requestedBy,
    memberId,
    orgIds,
    messages,
    threads,
  });
  return {
    erasureId,
    at: recorded.at,
    messages,
    threads,
    organizations: orgIds.length,
    erased: ERASED_PARTS,
    suppressed: normalized.length,
    backupsAgeOutWithinDays: context.backupRetentionDays,
  };
}

/**
 * Whom a member's erasure covers, and their export too (`services/export.ts`): the member, their
 * normalized addresses (suppressed by hash), and every spelling of them to find in stored headers.
 */
export async function memberScope(db: Database, memberId: string) {
  const member = await findMember(db, memberId);
  if (!member) throw notFound('member');
  const normalized = await normalizedAddressesOf(db, memberId);
  return { member, normalized, addresses: [...new Set([...member.emails, ...normalized])] };
}

/**
 * Erases one of the viewer's threads: 404 when they cannot see it (like a missing one), 403 when they see
 * it but do not own it. Audited with the thread id and the count.
 */
export async function eraseOwnThread(
  context: AppContext,
  viewer: Viewer,
  threadId: string,
): Promise<{ threadId: string; messages: number; erased: string; backupsAgeOutWithinDays: number }> {
  const messages = await context.db.transaction().execute(async (trx) => {
    const thread = await lockVisibleThread(trx, viewer, threadId);
    if (!thread) throw notFound('thread');
    if (thread.ownerUserId !== viewer.userId) {
      throw new AppError('forbidden', 'only the owner of a thread erases it');
    }
    const erased = await eraseThread(trx, viewer.orgId, threadId);
    await insertAuditEvent(trx, viewer.orgId, {
      actorUserId: viewer.userId,
      action: 'thread_erased',
      details: { threadId, messages: erased.messages },
    });
    return erased.messages;
  });
  return { threadId, messages, erased: ERASED_PARTS, backupsAgeOutWithinDays: context.backupRetentionDays };
}
