/**
 * Call counters: how many calls each mailbox made to each method, the quota units they cost (Gmail
 * prices methods in units; Graph counts requests), and the response body bytes the sandbox sent for
 * them. Benchmarks read them to measure what sync spends.
 *
 * Bytes are counted once, on the wire: a batch (Gmail's multipart batch, Graph's `$batch`) counts its
 * whole answer under the batch's own method, and the requests inside it count calls and units but no
 * bytes, since their answers travel inside the batch's.
 */
import type { Provider } from './faults.ts';

export interface CounterRow {
  provider: Provider;
  user: string;
  method: string;
  calls: number;
  units: number;
  /** Calls answered with an error (injected, quota, or genuine). */
  errors: number;
  /** Response body bytes sent over HTTP for these calls (batch parts: 0, see above). */
  bytes: number;
}

export interface Counters {
  record(provider: Provider, user: string, method: string, units: number, failed?: boolean): void;
  /**
   * Names the mailbox and method an HTTP request is for, so the bytes of its answer are counted against
   * them (server.ts counts them as the answer is sent). A request never named is not counted.
   */
  attribute(request: object, provider: Provider, user: string, method: string): void;
  /** Counts the answer's body bytes against what `attribute` named for `request`, if anything. */
  sent(request: object, bytes: number): void;
  rows(filter?: { provider?: Provider | undefined; user?: string | undefined }): CounterRow[];
  reset(): void;
}

export function createCounters(): Counters {
  const table = new Map<string, CounterRow>();
  const named = new WeakMap<object, { provider: Provider; user: string; method: string }>();
  const rowOf = (provider: Provider, user: string, method: string): CounterRow => {
    const key = `${provider}\u0000${user.toLowerCase()}\u0000${method}`;
    let row = table.get(key);
    if (!row) {
      row = { provider, user: user.toLowerCase(), method, calls: 0, units: 0, errors: 0, bytes: 0 };
      table.set(key, row);
    }
    return row;
  };
  return {
    record(provider, user, method, units, failed = false) {
      const row = rowOf(provider, user, method);
      row.calls += 1;
      row.units += units;
      if (failed) row.errors += 1;
    },
    attribute(request, provider, user, method) {
      named.set(request, { provider, user, method });
    },
    sent(request, bytes) {
      const target = named.get(request);
      if (!target) return;
      named.delete(request);
      rowOf(target.provider, target.user, target.method).bytes += bytes;
    },
    rows(filter = {}) {
      return [...table.values()]
        .filter((row) => !filter.provider || row.provider === filter.provider)
        .filter((row) => !filter.user || row.user === filter.user.toLowerCase())
        .map((row) => ({ ...row }));
    },
    reset() {
      table.clear();
    },
  };
}
