/**
 * Reading mail off the event loop: a small pool of worker threads (piscina) that parse, sanitize and
 * snippet raw messages (read-worker.ts). One hostile message (150k nested tags, a quadratic pattern) then
 * costs a reader thread, not the process: the API, the job runner and the cron keep answering, and a read
 * that passes its time limit is aborted (piscina ends the thread) and its message set aside as unreadable.
 *
 * The raw bytes are moved to the thread, not copied, so the caller holds no buffer once a read has begun.
 * No more reads are handed to the pool than it has threads: a read's time limit then counts its own work,
 * not the time it waited behind others in piscina's queue.
 */
import pLimit from 'p-limit';
import { Piscina } from 'piscina';
import type { ReadMessage } from './read-worker.ts';

export type { ReadMessage } from './read-worker.ts';

/** A message that could not be read: too slow, or its reader failed. The engine sets it aside. */
export class UnreadableMessageError extends Error {
  override name = 'UnreadableMessageError';
}

export interface MessageReader {
  /** The largest raw message the engine downloads whole for this reader (SYNC_MAX_MESSAGE_BYTES). */
  readonly maxMessageBytes: number;
  /** Reads a raw message on a reader thread; rejects with UnreadableMessageError when it cannot. */
  read(raw: Uint8Array): Promise<ReadMessage>;
  /** Ends the threads; reads still running fail, and no new ones start. */
  close(): Promise<void>;
}

export interface ReaderOptions {
  threads: number;
  timeoutMs: number;
  maxMessageBytes: number;
}

/** A reader thread's heap: a 10 MiB message takes well under 100 MB to parse (issue 8, item 6). */
const MAX_THREAD_HEAP_MB = 512;

/** Starts a reader pool; threads start on the first read and stop when idle. */
export function createMessageReader(options: ReaderOptions): MessageReader {
  const pool = new Piscina<Uint8Array, ReadMessage>({
    filename: new URL('./read-worker.ts', import.meta.url).href,
    minThreads: 0,
    maxThreads: Math.max(1, options.threads),
    // Idle threads end after a while: a process that syncs rarely does not keep them, and tests exit.
    idleTimeout: 30_000,
    // A hostile message that makes the parser allocate without end kills its thread, not the process.
    resourceLimits: { maxOldGenerationSizeMb: MAX_THREAD_HEAP_MB },
  });
  const slots = pLimit(Math.max(1, options.threads));
  let closed = false;
  return {
    maxMessageBytes: options.maxMessageBytes,
    async read(raw) {
      if (closed) throw new Error('the message reader is closed');
      const bytes = owned(raw);
      try {
        return await slots(() =>
          pool.run(bytes, {
            signal: AbortSignal.timeout(options.timeoutMs),
            transferList: [bytes.buffer as ArrayBuffer],
          }),
        );
      } catch (error) {
        // A closing pool is not the message's fault: the page fails and is read again later.
        if (closed) throw error;
        throw new UnreadableMessageError(`reading the message failed: ${describe(error)}`, { cause: error });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.destroy();
    },
  };
}

/**
 * The bytes in an ArrayBuffer of their own, so it can be transferred: a Buffer may be a view into Node's
 * shared pool (or a larger allocation), and transferring that would detach memory others use.
 */
function owned(raw: Uint8Array): Uint8Array {
  if (
    raw.byteOffset === 0 &&
    raw.byteLength === raw.buffer.byteLength &&
    !(raw.buffer instanceof SharedArrayBuffer)
  )
    return raw;
  return new Uint8Array(raw);
}

function describe(error: unknown): string {
  if (error instanceof Error && error.name === 'AbortError') return 'it took longer than its time limit';
  return error instanceof Error ? error.message : String(error);
}
