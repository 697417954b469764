/**
 * The task a reader thread runs (reader.ts): a raw message parsed, its HTML sanitized and its snippet
 * taken, all CPU-bound work on text a stranger wrote, so none of it runs on the event loop that serves the
 * API, the job runner and the cron.
 */
import { type ParsedMessage, parseMessage } from '../domain/mime.ts';
import { snippet } from '../domain/snippet.ts';

/** A message as read by a reader thread: the parsed shape, plus its snippet. */
export interface ReadMessage extends ParsedMessage {
  snippet: string;
}

/** Reads one raw message (piscina's default task). */
export default async function read(raw: Uint8Array): Promise<ReadMessage> {
  const parsed = await parseMessage(raw);
  return { ...parsed, snippet: snippet(parsed.text) };
}
