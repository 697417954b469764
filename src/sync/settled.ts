/**
 * Telling one bad message apart from its page: a provider call about many messages that fails for good
 * is made again for each message alone. Only permanent errors are split this way; a rate limit or an
 * outage says nothing about any one message, and fails the page as before.
 */
import { ProviderError } from '../providers/errors.ts';

/**
 * `fetch(ids)`, or, when the provider refuses it for good (a permanent error), `fetch` of each id alone,
 * so that the one message it refuses is told apart from the rest; ids refused alone join `refused`.
 */
export async function settled<T>(
  ids: string[],
  refused: string[],
  fetch: (ids: string[]) => Promise<Map<string, T>>,
): Promise<Map<string, T>> {
  let failure: unknown;
  try {
    return await fetch(ids);
  } catch (error) {
    if (!(error instanceof ProviderError && error.kind === 'permanent')) throw error;
    if (ids.length === 1) {
      refused.push(...ids);
      return new Map();
    }
    failure = error;
  }
  const results = new Map<string, T>();
  const alone: string[] = [];
  for (const id of ids) for (const [key, value] of await settled([id], alone, fetch)) results.set(key, value);
  // Refused one by one, every one: the refusal is about the mailbox or the app, not about a message.
  if (alone.length === ids.length) throw failure;
  refused.push(...alone);
  return results;
}
