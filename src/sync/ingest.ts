/**
 * One page of changes, from provider ids to stored rows: which messages are new to us, their headers,
 * the R9–R11 decision for each, the bodies of the matches only, and the rows to write.
 * Everything here reads (the provider, the directory); nothing is written until the caller commits.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { Decision, NewMessage } from '../db/mail.ts';
import { knownIds } from '../db/mail.ts';
import type { MatchMailbox } from '../domain/candidate-match.ts';
import { messageDirection, participantsOf } from '../domain/participants.ts';
import type { SkipReason } from '../domain/skip-reason.ts';
import type { Vault } from '../domain/vault.ts';
import type { ChangePage, MailSource, MessageHeaders } from '../providers/types.ts';
import { decideHeaders } from './decide.ts';
import { readMatches } from './read-matches.ts';
import type { MessageReader, ReadMessage } from './reader.ts';
import { settled } from './settled.ts';

export interface PlannedPage {
  deletes: string[];
  messages: NewMessage[];
  decisions: Decision[];
  /** Ids looked at for the first time on this page, by outcome (for metrics). */
  skippedByRule: Partial<Record<SkipReason, number>>;
}

export interface PageInput {
  db: Database;
  orgId: string;
  connectionId: string;
  vault: Vault;
  mailbox: MatchMailbox;
  mail: MailSource;
  reader: MessageReader;
  accessToken: string;
}

/** Works out what a page of changes means for the store. */
export async function planPage(input: PageInput, page: ChangePage): Promise<PlannedPage> {
  const deletes = page.changes.filter((change) => change.kind === 'delete').map((change) => change.id);
  const upserts = page.changes.filter((change) => change.kind === 'upsert');
  const { stored, decided } = await knownIds(
    input.db,
    input.orgId,
    input.connectionId,
    upserts.map((change) => change.id),
  );
  // Messages already stored, or already decided against, are not fetched again: after a cursor reset the
  // same ids come back, and re-fetching them forever is how backfills elsewhere got stuck.
  const fresh = upserts.filter((change) => !stored.has(change.id) && !decided.has(change.id));
  const missing = fresh.filter((change) => !change.headers).map((change) => change.id);
  const refused: string[] = [];
  const fetched = missing.length > 0 ? await fetchHeaders(input, missing, refused) : new Map();
  const headers = fresh
    .map((change) => change.headers ?? fetched.get(change.id))
    .filter((value): value is MessageHeaders => value !== null && value !== undefined);

  const byId = await decideHeaders(input.db, input.vault, headers, input.mailbox);
  const matches = new Map<string, { header: MessageHeaders; memberIds: string[] }>();
  const decisions: Decision[] = refused.map((id) => unreadableDecision(id, null));
  const skippedByRule: PlannedPage['skippedByRule'] =
    refused.length > 0 ? { unreadable: refused.length } : {};
  for (const header of headers) {
    const decision = byId.get(header.id);
    if (!decision) continue;
    if (decision.sync) {
      matches.set(header.id, { header, memberIds: decision.memberIds });
    } else {
      decisions.push({
        providerMessageId: header.id,
        rfcMessageIdHash: hashMessageId(header.rfcMessageId),
        rule: decision.rule,
      });
      skippedByRule[decision.rule] = (skippedByRule[decision.rule] ?? 0) + 1;
    }
  }

  const { read, unreadable } = await readMatches(
    input,
    [...matches.values()].map((match) => match.header),
  );
  const messages: NewMessage[] = [];
  for (const [id, { header, memberIds }] of matches) {
    const parsed = read.get(id);
    // Not read and not set aside: gone between listing and fetching, and its delete will come.
    if (parsed) messages.push(toNewMessage(header, parsed, memberIds, input.mailbox));
  }
  for (const id of unreadable) {
    const header = matches.get(id)?.header;
    decisions.push(unreadableDecision(id, header?.rfcMessageId));
    skippedByRule.unreadable = (skippedByRule.unreadable ?? 0) + 1;
  }
  return { deletes, messages, decisions, skippedByRule };
}

/** R19: the row of a message set aside because it could not be downloaded, read or stored. */
export function unreadableDecision(
  providerMessageId: string,
  rfcMessageId: string | null | undefined,
): Decision {
  return { providerMessageId, rfcMessageIdHash: hashMessageId(rfcMessageId), rule: 'unreadable' };
}

/**
 * Headers of just-reported messages. A push can arrive before `messages.get` sees the message
 * (ARCHITECTURE.md, "Pitfalls"), so ids that come back missing are asked for once more after a moment;
 * still missing, they are gone, and their deletion will be reported. Ids whose headers the provider
 * refuses for good, asked for alone, join `refused` (set aside, so they never hold the page).
 */
async function fetchHeaders(
  input: PageInput,
  ids: string[],
  refused: string[],
): Promise<Map<string, MessageHeaders | null>> {
  const fetched = await settled(ids, refused, (some) => input.mail.headers(input.accessToken, some));
  const missing = ids.filter((id) => !fetched.get(id) && !refused.includes(id));
  if (missing.length === 0) return fetched;
  await new Promise((resolve) => setTimeout(resolve, MISSING_RETRY_MS));
  const again = await settled(missing, refused, (some) => input.mail.headers(input.accessToken, some));
  for (const [id, headers] of again) fetched.set(id, headers);
  return fetched;
}

const MISSING_RETRY_MS = 500;

/** The stored form of a matched message: provider facts for identity and time, the MIME for content. */
function toNewMessage(
  header: MessageHeaders,
  { message: parsed, oversized }: { message: ReadMessage; oversized: boolean },
  memberIds: string[],
  mailbox: MatchMailbox,
): NewMessage {
  const { truncated } = parsed;
  const direction = messageDirection(participantsOf(header), mailbox);
  return {
    providerMessageId: header.id,
    providerThreadId: header.threadId,
    rfcMessageId: parsed.messageId ?? header.rfcMessageId,
    inReplyTo: parsed.inReplyTo,
    references: parsed.references,
    direction,
    from: parsed.from ?? header.from,
    to: parsed.to.length > 0 ? parsed.to : header.to,
    cc: parsed.cc.length > 0 ? parsed.cc : header.cc,
    // Bcc is only ever kept on mail the owner sent: on received mail it names people the owner was not meant to see.
    bcc: direction === 'sent' ? (parsed.bcc.length > 0 ? parsed.bcc : header.bcc) : [],
    subject: parsed.subject || header.subject,
    sentAt: parsed.date ?? header.sentAt,
    receivedAt: header.receivedAt,
    snippet: parsed.snippet,
    bodyText: parsed.text,
    bodyHtml: parsed.html,
    attachments: parsed.attachments,
    truncated: oversized || truncated.text || truncated.html || truncated.attachments,
    memberIds,
  };
}

/** The RFC Message-ID as R19 keeps it: a SHA-256 of its trimmed, angle-bracketed, lowercased form. */
export function hashMessageId(messageId: string | null | undefined): Buffer | null {
  const trimmed = messageId?.trim().toLowerCase();
  if (!trimmed) return null;
  const bracketed = trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
  return createHash('sha256').update(bracketed).digest();
}
