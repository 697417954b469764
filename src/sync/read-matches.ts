/**
 * The content of a page's matched messages: downloaded a few at a time, each read on a reader thread as
 * soon as it arrives and its raw bytes dropped, so a page never holds more than a handful of raw bodies.
 *
 * One message never holds up the others (R19 `unreadable`): a download the provider refuses for good
 * (a permanent error, seen again when the message is asked for alone) or a read that fails or passes its
 * time limit sets that message aside, and the rest of the page goes on. Errors that say nothing about one
 * message (rate limits, outages, a revoked grant) still fail the page, which is read again later.
 */
import type { MailSource, MessageHeaders } from '../providers/types.ts';
import { type MessageReader, type ReadMessage, UnreadableMessageError } from './reader.ts';
import { settled } from './settled.ts';

/** Raw bodies downloaded at once: with the default 10 MiB cap, at most ~40 MiB of raw mail in flight. */
const DOWNLOAD_CHUNK = 4;

export interface ReadInput {
  mail: MailSource;
  reader: MessageReader;
  accessToken: string;
}

export interface ReadOutcome {
  read: Map<string, ReadMessage>;
  /** Ids set aside: they could not be downloaded or read. */
  unreadable: string[];
}

/** Downloads and reads the matched messages; those gone meanwhile are in neither list. */
export async function readMatches(input: ReadInput, headers: MessageHeaders[]): Promise<ReadOutcome> {
  const outcome: ReadOutcome = { read: new Map(), unreadable: [] };
  for (let start = 0; start < headers.length; start += DOWNLOAD_CHUNK) {
    const chunk = headers.slice(start, start + DOWNLOAD_CHUNK).map((header) => header.id);
    const bodies = await download(input, chunk, outcome.unreadable);
    const reads = [...bodies].map(async ([id, raw]) => {
      bodies.delete(id);
      try {
        outcome.read.set(id, await input.reader.read(raw));
      } catch (error) {
        if (!(error instanceof UnreadableMessageError)) throw error;
        outcome.unreadable.push(id);
      }
    });
    await Promise.all(reads);
  }
  return outcome;
}

/** Raw bodies of `ids` (those that still exist); ids the provider refuses for good join `unreadable`. */
async function download(input: ReadInput, ids: string[], unreadable: string[]): Promise<Map<string, Buffer>> {
  const raws = await settled(ids, unreadable, (some) => input.mail.raw(input.accessToken, some));
  const bodies = new Map<string, Buffer>();
  for (const [id, raw] of raws) if (raw) bodies.set(id, raw);
  return bodies;
}
