/**
 * A page's commit: its deletions, new messages, R19 decisions and the next cursor in one transaction,
 * under the sync state row's lock and only if the cursor is still the one the page was read from
 * (compare-and-set), so a page is committed once however many runs read it.
 */
import { type Connection, findConnection } from '../db/connections.ts';
import { notifyLiveChange, touchesSharedThread } from '../db/live-events.ts';
import { deleteMessages, recordDecisions, storeMessages } from '../db/mail.ts';
import { advanceCursor, lockSyncState } from '../db/sync-state.ts';
import type { MatchMailbox } from '../domain/candidate-match.ts';
import type { ChangePage, MailCursor } from '../providers/types.ts';
import type { CommitContext } from './context.ts';
import { suppressedSinceDecided } from './decide.ts';
import { hashMessageId, type PlannedPage, unreadableDecision } from './ingest.ts';

/** Commits a planned page read from cursor `from`; undefined when another run moved the cursor or the connection ended. */
export async function commitPage(
  context: CommitContext,
  connection: Connection,
  mailbox: MatchMailbox,
  from: MailCursor,
  page: ChangePage,
  plan: PlannedPage,
): Promise<{ stored: number; deleted: number; refused: number } | undefined> {
  const { orgId, id: connectionId } = connection;
  return context.db.transaction().execute(async (trx) => {
    const locked = await lockSyncState(trx, orgId, connectionId);
    if (!locked || !sameCursor(locked.cursor, from)) return undefined;
    // A connection ended while the page was being read (R4, R12) writes nothing more.
    if ((await findConnection(trx, orgId, connectionId))?.status !== 'connected') return undefined;
    // Asked before the deletions, which take their threads' levels with them.
    const shared = await touchesSharedThread(trx, orgId, connectionId, {
      deletedMessageIds: plan.deletes,
      providerThreadIds: plan.messages.map((message) => message.providerThreadId),
    });
    const deleted = await deleteMessages(trx, orgId, connectionId, plan.deletes);
    // R16: an erasure that suppressed an address while the page was read wins over the page.
    const erased = await suppressedSinceDecided(trx, context.vault, plan.messages, mailbox);
    const { stored, refused } = await storeMessages(
      trx,
      orgId,
      { id: connectionId, ownerUserId: connection.userId },
      plan.messages.filter((message) => !erased.has(message.providerMessageId)),
      context.searchLanguage,
    );
    const suppressed = plan.messages
      .filter((message) => erased.has(message.providerMessageId))
      .map((message) => ({
        providerMessageId: message.providerMessageId,
        rfcMessageIdHash: hashMessageId(message.rfcMessageId),
        rule: 'no_member',
      }));
    // A message the database refuses is set aside (R19 `unreadable`), so the page and its cursor commit.
    const setAside = plan.messages
      .filter((message) => refused.includes(message.providerMessageId))
      .map((message) => unreadableDecision(message.providerMessageId, message.rfcMessageId));
    await recordDecisions(trx, orgId, connectionId, [...plan.decisions, ...suppressed, ...setAside]);
    await advanceCursor(trx, orgId, connectionId, page.cursor, stored);
    // Web app viewers hear of it at commit and refetch through the routes that enforce R15.
    if (stored > 0 || deleted > 0) {
      const memberIds = plan.messages
        .filter((message) => !erased.has(message.providerMessageId))
        .flatMap((message) => message.memberIds);
      await notifyLiveChange(trx, { orgId, ownerUserId: connection.userId, shared, memberIds });
    }
    return { stored, deleted, refused: setAside.length };
  });
}

/** True when two cursors say the same, whatever their keys' order. */
export function sameCursor(a: MailCursor | null, b: MailCursor | null): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** JSON with sorted keys: jsonb does not keep key order, so cursors are compared by content. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, canonical(inner)]),
    );
  }
  return value;
}
