/**
 * One page of changes, from provider ids to stored rows: which messages are new to us, their headers,
 * the R9–R11 decision for each, the bodies of the matches only, and the rows to write.
 * Everything here reads (the provider, the directory); nothing is written until the caller commits.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { Decision, NewMessage } from '../db/mail.ts';
import { knownIds } from '../db/mail.ts';
import { lookupAddresses } from '../db/members.ts';
import { addressesToLookUp, decideSync, type MatchMailbox } from '../domain/candidate-match.ts';
import { parseMessage } from '../domain/mime.ts';
import { messageDirection, participantsOf } from '../domain/participants.ts';
import type { SkipReason } from '../domain/skip-reason.ts';
import { snippet } from '../domain/snippet.ts';
import type { ChangePage, MailSource, MessageHeaders } from '../providers/types.ts';

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
  mailbox: MatchMailbox;
  mail: MailSource;
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
  const fetched = missing.length > 0 ? await fetchHeaders(input, missing) : new Map();
  const headers = fresh
    .map((change) => change.headers ?? fetched.get(change.id))
    .filter((value): value is MessageHeaders => value !== null && value !== undefined);

  const participants = new Map(headers.map((header) => [header.id, participantsOf(header)]));
  const addresses = new Set<string>();
  for (const list of participants.values()) {
    for (const address of addressesToLookUp(list, input.mailbox)) addresses.add(address);
  }
  const directory = await lookupAddresses(input.db, [...addresses]);

  const matches = new Map<string, { header: MessageHeaders; memberIds: string[] }>();
  const decisions: Decision[] = [];
  const skippedByRule: PlannedPage['skippedByRule'] = {};
  for (const header of headers) {
    const decision = decideSync(
      {
        participants: participants.get(header.id) ?? [],
        time: header.receivedAt,
        flags: { isDraft: header.flags.draft, isSpam: header.flags.spam, isChat: header.flags.chat },
      },
      input.mailbox,
      directory,
    );
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

  const bodies = matches.size > 0 ? await input.mail.raw(input.accessToken, [...matches.keys()]) : new Map();
  const messages: NewMessage[] = [];
  for (const [id, { header, memberIds }] of matches) {
    const raw = bodies.get(id);
    if (!raw) continue; // gone between listing and fetching: its delete will come
    messages.push(await toNewMessage(header, raw, memberIds, input.mailbox));
  }
  return { deletes, messages, decisions, skippedByRule };
}

/**
 * Headers of just-reported messages. A push can arrive before `messages.get` sees the message
 * (ARCHITECTURE.md, "Pitfalls"), so ids that come back missing are asked for once more after a moment;
 * still missing, they are gone, and their deletion will be reported.
 */
async function fetchHeaders(input: PageInput, ids: string[]): Promise<Map<string, MessageHeaders | null>> {
  const fetched = await input.mail.headers(input.accessToken, ids);
  const missing = ids.filter((id) => !fetched.get(id));
  if (missing.length === 0) return fetched;
  await new Promise((resolve) => setTimeout(resolve, MISSING_RETRY_MS));
  for (const [id, headers] of await input.mail.headers(input.accessToken, missing)) fetched.set(id, headers);
  return fetched;
}

const MISSING_RETRY_MS = 500;

/** The stored form of a matched message: provider facts for identity and time, the MIME for content. */
async function toNewMessage(
  header: MessageHeaders,
  raw: Buffer,
  memberIds: string[],
  mailbox: MatchMailbox,
): Promise<NewMessage> {
  const parsed = await parseMessage(raw);
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
    snippet: snippet(parsed.text),
    bodyText: parsed.text,
    bodyHtml: parsed.html,
    attachments: parsed.attachments,
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
