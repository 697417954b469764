/**
 * A sliding-window budget: "at most `limit` units in any `windowMs`". Providers use it for per-mailbox
 * quotas (Gmail: 15,000 units a minute; Graph: 10,000 requests in 10 minutes).
 */
import type { Clock } from './clock.ts';

export interface RateWindow {
  /** Spends `units` if the budget allows; otherwise returns the ms until it would. */
  take(key: string, units: number): { ok: true } | { ok: false; retryAfterMs: number };
  reset(): void;
}

export function createRateWindow(clock: Clock, limit: number, windowMs: number): RateWindow {
  // Per key: spending events in time order, and their running total.
  const spent = new Map<string, { events: { at: number; units: number }[]; total: number }>();
  return {
    take(key, units) {
      const now = clock.now();
      let entry = spent.get(key);
      if (!entry) {
        entry = { events: [], total: 0 };
        spent.set(key, entry);
      }
      let expired = 0;
      while (expired < entry.events.length && (entry.events[expired]?.at ?? 0) <= now - windowMs) {
        entry.total -= entry.events[expired]?.units ?? 0;
        expired += 1;
      }
      if (expired > 0) entry.events.splice(0, expired);
      if (entry.total + units > limit) {
        const oldest = entry.events[0]?.at ?? now;
        return { ok: false, retryAfterMs: Math.max(1, oldest + windowMs - now) };
      }
      entry.events.push({ at: now, units });
      entry.total += units;
      return { ok: true };
    },
    reset() {
      spent.clear();
    },
  };
}
