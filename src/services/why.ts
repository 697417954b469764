/**
 * R19: "why was this message not synced?", asked by its owner about one message named by provider id or
 * RFC Message-ID.
 *
 * What sync recorded answers first: a stored message, or the decision row sync left when it skipped one.
 * Sync cannot record mail it never looks at, and both providers leave some out of their listings: mail
 * from before authorization (Gmail lists `after:` the anchor, Graph's delta starts at `receivedDateTime
 * ge`), Gmail's Spam (`includeSpamTrash=false`), and Graph's Junk Email and Drafts (untracked folders).
 * For such a message the lookup asks the provider for that one message's headers — never its body — and
 * decides it with the same function sync decides a page with (`sync/decide.ts`), so both providers give
 * the same answer for the same situation, whether or not sync happened to see the message.
 *
 * Nothing of that answer is stored. A decision row for it would be one more row than R19 needs ("nothing
 * of the message is kept beyond what that explanation needs"), kept for mail R9 says is never looked at,
 * and a second writer next to the engine's compare-and-set page commit; deciding again on each ask costs
 * one or two provider calls (a `headers` get; a Message-ID search first) and stays true when the
 * directory changes. A provider that asks us to wait makes the answer a 503 with its `Retry-After`.
 */
import { connectionIdsOfUser, findUserConnection } from '../db/connections.ts';
import { findDecision, findStoredMessage } from '../db/mail.ts';
import type { Viewer } from '../db/threads.ts';
import { AppError } from '../domain/errors.ts';
import { describeSkipReason, isSkipReason } from '../domain/skip-reason.ts';
import { ProviderError } from '../providers/errors.ts';
import type { MessageHeaders } from '../providers/types.ts';
import { decideHeaders, matchMailboxOf } from '../sync/decide.ts';
import { hashMessageId } from '../sync/ingest.ts';
import type { AppContext } from './context.ts';
import { accessToken } from './grants.ts';

export type WhyAnswer =
  | { status: 'synced'; threadId: string; messageId: string; explanation: string }
  | { status: 'skipped'; rule: string; explanation: string; decidedAt: Date }
  | { status: 'unknown'; explanation: string };

/** What the owner asks about: a provider message id, an RFC Message-ID, or both. */
export interface WhyKey {
  providerMessageId?: string | undefined;
  messageId?: string | undefined;
}

const NOT_IN_MAILBOX: WhyAnswer = {
  status: 'unknown',
  explanation:
    'Sync has no record of this message, and your connected mailbox has no such message (or has it in Trash): it may have been deleted, or it is in a mailbox you no longer have connected.',
};

const NOT_ASKED: WhyAnswer = {
  status: 'unknown',
  explanation:
    'Sync has no record of this message, and your mailbox could not be asked about it: it is not connected now, or the provider refused to say.',
};

const NOT_YET: WhyAnswer = {
  status: 'unknown',
  explanation: 'This message fits the rules for syncing and has not been synced yet; it will be shortly.',
};

/** Seconds a caller waits after a provider outage that named no time of its own. */
const OUTAGE_RETRY_SECONDS = 5;

/**
 * For one of the user's own messages, whether it synced and, if not, which rule left it out (R19).
 * Only the user's own connections are searched, and only their live mailbox is asked.
 */
export async function whyNotSynced(context: AppContext, viewer: Viewer, key: WhyKey): Promise<WhyAnswer> {
  const connections = await connectionIdsOfUser(context.db, viewer.orgId, viewer.userId);
  const rfcMessageId = key.messageId?.trim();
  const bracketed = rfcMessageId && (rfcMessageId.startsWith('<') ? rfcMessageId : `<${rfcMessageId}>`);
  const asked = { providerMessageId: key.providerMessageId, rfcMessageId: bracketed || undefined };
  // A blank Message-ID names no message; without this a query with no key would match any message.
  if (asked.providerMessageId === undefined && asked.rfcMessageId === undefined) return NOT_IN_MAILBOX;
  const recorded = await recordedAnswer(context, viewer.orgId, connections, asked);
  if (recorded) return recorded;
  try {
    return await askMailbox(context, viewer, connections, asked);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    if (error.kind === 'rate_limited' || error.kind === 'transient') throw unavailable(error);
    // A revoked grant, a malformed id or a message the provider refuses leaves nothing to tell.
    return NOT_ASKED;
  }
}

/** The stored message or sync's decision row for this key, if sync recorded either. */
async function recordedAnswer(
  context: AppContext,
  orgId: string,
  connections: string[],
  key: { providerMessageId?: string | undefined; rfcMessageId?: string | undefined },
): Promise<WhyAnswer | undefined> {
  const stored = await findStoredMessage(context.db, orgId, connections, key);
  if (stored) {
    return {
      status: 'synced',
      threadId: stored.threadId,
      messageId: stored.id,
      explanation: 'This message is synced.',
    };
  }
  const decision = await findDecision(context.db, orgId, connections, {
    providerMessageId: key.providerMessageId,
    rfcMessageIdHash: hashMessageId(key.rfcMessageId) ?? undefined,
  });
  if (decision && isSkipReason(decision.rule)) {
    return {
      status: 'skipped',
      rule: decision.rule,
      explanation: describeSkipReason(decision.rule),
      decidedAt: decision.decidedAt,
    };
  }
  return undefined;
}

/** Decides a message sync never recorded from its headers, asked of the user's connected mailbox. */
async function askMailbox(
  context: AppContext,
  viewer: Viewer,
  connections: string[],
  {
    providerMessageId,
    rfcMessageId,
  }: { providerMessageId?: string | undefined; rfcMessageId?: string | undefined },
): Promise<WhyAnswer> {
  const connection = await findUserConnection(context.db, viewer.orgId, viewer.userId);
  const mail = connection && context.providers[connection.provider]?.mail;
  if (connection?.status !== 'connected' || !mail) return NOT_ASKED;
  const token = await accessToken(context, viewer.orgId, connection.id);
  let id = providerMessageId;
  if (id === undefined && rfcMessageId !== undefined) {
    const found = await mail.findByMessageId(token, rfcMessageId);
    // A message found by Message-ID may be one sync recorded without it (headers the provider refused
    // leave a row with no Message-ID hash): its own row answers.
    for (const other of found) {
      const recorded = await recordedAnswer(context, viewer.orgId, connections, { providerMessageId: other });
      if (recorded) return recorded;
    }
    id = found[0];
  }
  if (id === undefined) return NOT_IN_MAILBOX;
  const headers = (await mail.headers(token, [id])).get(id);
  if (!headers || !sameMessage(headers, rfcMessageId)) return NOT_IN_MAILBOX;
  // Trash is deletion (R13): such a message is not the owner's mail any more, whatever the rules say.
  if (headers.flags.trash) return NOT_IN_MAILBOX;
  // Graph also opens a message by its regular id, while sync records the immutable one the headers carry.
  if (headers.id !== id) {
    const recorded = await recordedAnswer(context, viewer.orgId, connections, {
      providerMessageId: headers.id,
    });
    if (recorded) return recorded;
  }
  const mailbox = await matchMailboxOf(context.db, connection);
  const decision = (await decideHeaders(context.db, context.vault, [headers], mailbox)).get(headers.id);
  if (!decision) return NOT_IN_MAILBOX;
  if (decision.sync) return NOT_YET;
  return {
    status: 'skipped',
    rule: decision.rule,
    explanation: describeSkipReason(decision.rule),
    decidedAt: new Date(),
  };
}

/**
 * True when the headers are of the message asked about: a search can be broader than the id it was given
 * (Gmail compares case-insensitively, with or without brackets), and both keys together must agree.
 */
function sameMessage(headers: MessageHeaders, rfcMessageId: string | undefined): boolean {
  return rfcMessageId === undefined || headers.rfcMessageId?.toLowerCase() === rfcMessageId.toLowerCase();
}

/** A provider's rate limit or outage is the caller's to retry: a 503 with `Retry-After`, never a 500. */
function unavailable(error: ProviderError): AppError {
  const seconds =
    error.kind === 'rate_limited' && error.retryAfterMs !== undefined
      ? Math.max(1, Math.ceil(error.retryAfterMs / 1000))
      : OUTAGE_RETRY_SECONDS;
  return new AppError('unavailable', 'The mail provider is busy; ask again shortly.', undefined, {
    retryAfterSeconds: seconds,
  });
}
