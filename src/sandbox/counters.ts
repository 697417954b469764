/**
 * Call counters: how many calls each mailbox made to each method, and the quota units they cost (Gmail
 * prices methods in units; Graph counts requests). Benchmarks read them to measure what sync spends.
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
}

export interface Counters {
  record(provider: Provider, user: string, method: string, units: number, failed?: boolean): void;
  rows(filter?: { provider?: Provider | undefined; user?: string | undefined }): CounterRow[];
  reset(): void;
}

export function createCounters(): Counters {
  const table = new Map<string, CounterRow>();
  return {
    record(provider, user, method, units, failed = false) {
      const key = `${provider}\u0000${user.toLowerCase()}\u0000${method}`;
      let row = table.get(key);
      if (!row) {
        row = { provider, user: user.toLowerCase(), method, calls: 0, units: 0, errors: 0 };
        table.set(key, row);
      }
      row.calls += 1;
      row.units += units;
      if (failed) row.errors += 1;
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
