/**
 * The content of a page's matched messages: downloaded a few at a time, each read on a reader thread as
 * soon as it arrives and its raw bytes dropped, so a page never holds more than a handful of raw bodies.
 * A message larger than the reader's cap (SYNC_MAX_MESSAGE_BYTES) is never downloaded whole: its text
 * parts and attachment descriptions are read from the provider's summary instead, and it is marked
 * truncated.
 *
 * One message never holds up the others (R19 `unreadable`): a download the provider refuses for good
 * (a permanent error, seen again when the message is asked for alone) or a read that fails or passes its
 * time limit sets that message aside, and the rest of the page goes on. Errors that say nothing about one
 * message (rate limits, outages, a revoked grant) still fail the page, which is read again later.
 */
import { MAX_BODY_BYTES } from '../domain/mime.ts';
import type { MailSource, MessageHeaders } from '../providers/types.ts';
import { type MessageReader, type ReadMessage, UnreadableMessageError } from './reader.ts';
import { settled } from './settled.ts';
import { summaryAttachments, summaryMime } from './summary-mime.ts';

/**
 * Raw bodies downloaded at once: as many as one provider batch takes (Graph's `$batch` holds 20), while
 * their sizes add up to at most four messages at the cap — with the default 10 MiB cap, ~40 MiB of raw mail
 * in flight. Small mail then costs one batch per 20 messages; big mail comes a few at a time.
 */
const DOWNLOAD_BATCH = 20;
const DOWNLOAD_BUDGET_MESSAGES = 4;

export interface ReadInput {
  mail: MailSource;
  reader: MessageReader;
  accessToken: string;
}

export interface ReadOutcome {
  /** Messages read, with whether they were over the size cap (and so kept in part). */
  read: Map<string, { message: ReadMessage; oversized: boolean }>;
  /** Ids set aside: they could not be downloaded or read. */
  unreadable: string[];
}

/** Downloads and reads the matched messages; those gone meanwhile are in neither list. */
export async function readMatches(input: ReadInput, headers: MessageHeaders[]): Promise<ReadOutcome> {
  const outcome: ReadOutcome = { read: new Map(), unreadable: [] };
  const unknown = headers.filter((header) => header.size === undefined).map((header) => header.id);
  const sizes =
    unknown.length > 0
      ? await settled(unknown, outcome.unreadable, (ids) => input.mail.sizes(input.accessToken, ids))
      : new Map<string, number>();
  const whole: { id: string; size: number }[] = [];
  const oversized: string[] = [];
  const cap = input.reader.maxMessageBytes;
  for (const header of headers) {
    if (outcome.unreadable.includes(header.id)) continue;
    const size = header.size ?? sizes.get(header.id);
    if (size !== undefined && size > cap) oversized.push(header.id);
    // A size the provider did not tell is taken as the cap: the budget holds whatever it turns out to be.
    else whole.push({ id: header.id, size: size ?? cap });
  }
  for (const chunk of downloadChunks(whole, cap * DOWNLOAD_BUDGET_MESSAGES)) {
    const raws = await settled(chunk, outcome.unreadable, (ids) => input.mail.raw(input.accessToken, ids));
    const reads = [...raws].map(async ([id, raw]) => {
      // Dropped from the map as it goes to its reader, so the bytes live no longer than their read.
      raws.delete(id);
      if (raw) await readOne(input, outcome, id, raw, false);
    });
    await Promise.all(reads);
  }
  for (const id of oversized) {
    const summaries = await settled([id], outcome.unreadable, async ([one]) => {
      const summary = await input.mail.summary(input.accessToken, one as string, MAX_BODY_BYTES);
      return new Map([[one as string, summary]]);
    });
    const summary = summaries.get(id);
    if (!summary) continue;
    await readOne(input, outcome, id, summaryMime(summary), true);
    const read = outcome.read.get(id);
    if (read) read.message.attachments = summaryAttachments(summary);
  }
  return outcome;
}

/** Ids in download order, cut into chunks of at most DOWNLOAD_BATCH whose sizes fit `budget`. */
function downloadChunks(messages: { id: string; size: number }[], budget: number): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let bytes = 0;
  for (const { id, size } of messages) {
    if (chunk.length > 0 && (chunk.length === DOWNLOAD_BATCH || bytes + size > budget)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(id);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

async function readOne(input: ReadInput, outcome: ReadOutcome, id: string, raw: Buffer, oversized: boolean) {
  try {
    outcome.read.set(id, { message: await input.reader.read(raw), oversized });
  } catch (error) {
    if (!(error instanceof UnreadableMessageError)) throw error;
    outcome.unreadable.push(id);
  }
}
