/**
 * The sync engine: brings one mailbox up to date, page by page, exactly once.
 *
 * State machine of a connection's sync (kept in `mailbox_sync`):
 *   no cursor ──anchor(authorized_at − backfill)──▶ cursor ──changes page──▶ cursor′ ── … ──▶ caught up
 *                                                     │ cursor_expired
 *                                                     └──anchor(last safe time) + verify stored──▶ cursor″
 * Each page's writes (new messages, deletions, skip decisions) and the cursor that follows the page commit
 * in one transaction, under the state row's lock and only if the cursor is still the one the page was read
 * from (compare-and-set). A crash anywhere before the commit leaves the old cursor, and the page is simply
 * read again; a crash after it leaves the new one. Storing is idempotent, so a page read twice stores once.
 */
import { type Connection, findConnection } from '../db/connections.ts';
import { deleteMessages } from '../db/mail.ts';
import {
  advanceCursor,
  findSyncState,
  lockSyncState,
  markSyncStarted,
  markSyncSucceeded,
  saveAnchor,
} from '../db/sync-state.ts';
import { type MatchMailbox, syncWindowStart } from '../domain/candidate-match.ts';
import { ProviderError } from '../providers/errors.ts';
import type { ChangePage, MailCursor, MailSource } from '../providers/types.ts';
import { commitPage, sameCursor } from './commit.ts';
import type { SyncContext } from './context.ts';
import { matchMailboxOf } from './decide.ts';
import { type PlannedPage, planPage } from './ingest.ts';
import { metrics } from './metrics.ts';
import { verifyStoredSince } from './recover.ts';

export interface SyncResult {
  status: 'caught_up' | 'more' | 'not_connected' | 'conflict';
  pages: number;
  stored: number;
  deleted: number;
}

/** Pages handled per run; a mailbox with more work gets another job, so one mailbox cannot hog a worker. */
const PAGES_PER_RUN = 20;
/** Recovery lists from a little before the last safe time: clocks and providers' timestamps differ. */
const RECOVERY_MARGIN_MS = 60 * 60_000;

/** Syncs one connected mailbox as far as one run goes. */
export async function syncMailbox(
  context: SyncContext,
  orgId: string,
  connectionId: string,
): Promise<SyncResult> {
  const { db } = context;
  const connection = await findConnection(db, orgId, connectionId);
  if (connection?.status !== 'connected') return { status: 'not_connected', pages: 0, stored: 0, deleted: 0 };
  const mail = mailSourceOf(context, connection);
  const mailbox = await matchMailboxOf(db, connection);
  const startedAt = new Date();
  let token = await context.accessToken(orgId, connectionId);
  // A 401 with a token we thought valid: the grant may have been revoked early; refresh once, and a dead
  // grant moves the connection to reauthorization_required (R7). Once per run, wherever it happens.
  let retriedAuth = false;
  const refreshOnce = async (error: unknown) => {
    if (!(error instanceof ProviderError && error.kind === 'auth_revoked') || retriedAuth) throw error;
    retriedAuth = true;
    token = await context.accessToken(orgId, connectionId, { force: true });
  };
  let state = await findSyncState(db, orgId, connectionId);
  if (!state?.cursor) {
    const since = syncWindowStart(mailbox.authorizedAt, mailbox.backfillDays);
    const anchor = await mail.anchor(token, since).catch(async (error: unknown) => {
      await refreshOnce(error);
      return mail.anchor(token, since);
    });
    await saveAnchor(db, orgId, connectionId, anchor);
    state = await findSyncState(db, orgId, connectionId);
  }
  await markSyncStarted(db, orgId, connectionId, startedAt);
  let cursor = state?.cursor as MailCursor;
  const result: SyncResult = { status: 'more', pages: 0, stored: 0, deleted: 0 };
  while (result.pages < PAGES_PER_RUN) {
    let page: ChangePage;
    let plan: PlannedPage;
    try {
      page = await mail.changes(token, cursor);
      plan = await planPage(
        {
          db,
          vault: context.vault,
          orgId,
          connectionId,
          mailbox,
          mail,
          reader: context.reader,
          accessToken: token,
        },
        page,
      );
    } catch (error) {
      if (error instanceof ProviderError && error.kind === 'cursor_expired') {
        const recovered = await recover(
          context,
          connection,
          mailbox,
          mail,
          token,
          cursor,
          state?.lastSyncSucceededAt ?? null,
        );
        if (!recovered) return { ...result, status: 'conflict' };
        cursor = recovered.cursor;
        result.deleted += recovered.deleted;
        continue;
      }
      // A 401 on the page or its messages: refresh once and read the page again, or give up.
      await refreshOnce(error);
      continue;
    }
    const committed = await commitPage(context, connection, mailbox, cursor, page, plan);
    if (!committed) return { ...result, status: 'conflict' };
    if (committed.refused > 0)
      plan.skippedByRule.unreadable = (plan.skippedByRule.unreadable ?? 0) + committed.refused;
    const unreadable = plan.skippedByRule.unreadable ?? 0;
    if (unreadable > 0) {
      context.logger.warn(
        { orgId, connectionId, count: unreadable },
        'messages that could not be downloaded, read or stored were set aside (R19 unreadable)',
      );
    }
    metrics.recordPage(connection.provider, committed.stored, plan.skippedByRule);
    result.pages += 1;
    result.stored += committed.stored;
    result.deleted += committed.deleted;
    cursor = page.cursor;
    if (!page.more) {
      await markSyncSucceeded(db, orgId, connectionId, startedAt);
      metrics.syncDuration.observe(
        { provider: connection.provider },
        (Date.now() - startedAt.getTime()) / 1000,
      );
      return { ...result, status: 'caught_up' };
    }
  }
  return result;
}

/**
 * The provider forgot our cursor (Gmail history too old, Graph delta token gone). Take a new one that
 * catches up from the last safe time — never before what R9 allows — and check that messages stored since
 * then still exist, since their deletion may have been among the forgotten changes (R13).
 */
async function recover(
  context: SyncContext,
  connection: Connection,
  mailbox: MatchMailbox,
  mail: MailSource,
  token: string,
  expired: MailCursor,
  lastSafe: Date | null,
): Promise<{ cursor: MailCursor; deleted: number } | undefined> {
  const floor = syncWindowStart(mailbox.authorizedAt, mailbox.backfillDays);
  const safe = lastSafe ? lastSafe.getTime() - RECOVERY_MARGIN_MS : floor.getTime();
  // To the whole second, as providers stamp mail (Graph's receivedDateTime has no milliseconds).
  const since = new Date(Math.floor(Math.max(safe, floor.getTime()) / 1000) * 1000);
  context.logger.warn(
    { orgId: connection.orgId, connectionId: connection.id, since },
    'sync cursor expired; recovering',
  );
  metrics.recoveries.inc({ provider: connection.provider });
  const cursor = await mail.anchor(token, since);
  const gone = await verifyStoredSince(context.db, connection, mail, token, since);
  return context.db.transaction().execute(async (trx) => {
    const locked = await lockSyncState(trx, connection.orgId, connection.id);
    if (!locked || !sameCursor(locked.cursor, expired)) return undefined;
    const deleted = await deleteMessages(trx, connection.orgId, connection.id, gone);
    await advanceCursor(trx, connection.orgId, connection.id, cursor, 0);
    return { cursor, deleted };
  });
}

function mailSourceOf(context: SyncContext, connection: Connection): MailSource {
  const mail = context.providers[connection.provider]?.mail;
  if (!mail)
    throw new ProviderError('permanent', `${connection.provider} mail is not configured on this server`);
  return mail;
}
