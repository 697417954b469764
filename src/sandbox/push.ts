/**
 * Outgoing push notifications (Gmail's Pub/Sub push, Graph's change and lifecycle notifications), with the
 * misbehaviour real push shows: a share dropped, a share duplicated, delays with jitter (so arrivals reorder).
 * A delivery answered with anything but 2xx is retried with backoff, as Pub/Sub and Graph both do.
 */
import type { Provider } from './faults.ts';
import type { Random } from './random.ts';

export interface PushControls {
  /** Share of notifications never sent, 0..1. */
  dropShare: number;
  /** Share of notifications sent twice, 0..1. */
  duplicateShare: number;
  /** Fixed delay before sending, ms. */
  delayMs: number;
  /** Extra random delay up to this many ms, so notifications arrive out of order. */
  jitterMs: number;
  /** While paused, notifications are held and sent on resume (in order of creation). */
  paused: boolean;
}

export interface Delivery {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** The mailbox it concerns, for logs and tests. */
  user?: string | undefined;
}

export interface PushStats {
  provider: Provider;
  queued: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  /** Deliveries that failed every attempt. */
  failed: number;
}

export interface PushDispatcher {
  send(provider: Provider, delivery: Delivery): void;
  configure(provider: Provider, controls: Partial<PushControls>): PushControls;
  controls(provider: Provider): PushControls;
  stats(): PushStats[];
  /** Recent deliveries with their outcome, newest last (at most 1,000). */
  log(): {
    provider: Provider;
    user: string | undefined;
    url: string;
    status: number | 'error' | 'dropped';
    at: number;
  }[];
  /** Resolves when nothing is queued or in flight (held notifications excepted). */
  idle(): Promise<void>;
  reset(): void;
}

const DEFAULTS: PushControls = { dropShare: 0, duplicateShare: 0, delayMs: 0, jitterMs: 0, paused: false };
const ATTEMPTS = 5;

export function createPushDispatcher(random: Random, options: { retryBaseMs?: number } = {}): PushDispatcher {
  const retryBaseMs = options.retryBaseMs ?? 200;
  const controls = new Map<Provider, PushControls>();
  const stats = new Map<Provider, PushStats>();
  const held: { provider: Provider; delivery: Delivery }[] = [];
  const log: ReturnType<PushDispatcher['log']> = [];
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  let generation = 0;

  const statsOf = (provider: Provider) => {
    let row = stats.get(provider);
    if (!row) {
      row = { provider, queued: 0, delivered: 0, dropped: 0, duplicated: 0, failed: 0 };
      stats.set(provider, row);
    }
    return row;
  };
  const controlsOf = (provider: Provider) => controls.get(provider) ?? { ...DEFAULTS };
  const record = (provider: Provider, delivery: Delivery, status: number | 'error' | 'dropped') => {
    log.push({ provider, user: delivery.user, url: delivery.url, status, at: Date.now() });
    if (log.length > 1000) log.shift();
  };
  const settle = () => {
    inFlight -= 1;
    if (inFlight === 0) {
      const done = waiters;
      waiters = [];
      for (const resolve of done) resolve();
    }
  };

  const attempt = async (provider: Provider, delivery: Delivery, mine: number) => {
    for (let tries = 1; tries <= ATTEMPTS && mine === generation; tries += 1) {
      try {
        const response = await fetch(delivery.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...delivery.headers },
          body: delivery.body,
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        record(provider, delivery, response.status);
        if (response.ok) {
          statsOf(provider).delivered += 1;
          return;
        }
      } catch {
        record(provider, delivery, 'error');
      }
      if (tries < ATTEMPTS) await sleep(retryBaseMs * 2 ** (tries - 1));
    }
    if (mine === generation) statsOf(provider).failed += 1;
  };

  const dispatch = (provider: Provider, delivery: Delivery) => {
    const current = controlsOf(provider);
    const copies = random.next() < current.duplicateShare ? 2 : 1;
    if (copies === 2) statsOf(provider).duplicated += 1;
    const mine = generation;
    for (let copy = 0; copy < copies; copy += 1) {
      inFlight += 1;
      const wait = current.delayMs + Math.floor(random.next() * current.jitterMs);
      setTimeout(() => {
        attempt(provider, delivery, mine).finally(settle);
      }, wait);
    }
  };

  return {
    send(provider, delivery) {
      const current = controlsOf(provider);
      statsOf(provider).queued += 1;
      if (random.next() < current.dropShare) {
        statsOf(provider).dropped += 1;
        record(provider, delivery, 'dropped');
        return;
      }
      if (current.paused) held.push({ provider, delivery });
      else dispatch(provider, delivery);
    },
    configure(provider, changes) {
      const next = { ...controlsOf(provider), ...changes };
      controls.set(provider, next);
      if (!next.paused) {
        for (const item of held.filter((entry) => entry.provider === provider))
          dispatch(item.provider, item.delivery);
        for (let i = held.length - 1; i >= 0; i -= 1) if (held[i]?.provider === provider) held.splice(i, 1);
      }
      return next;
    },
    controls: controlsOf,
    stats: () => [...stats.values()].map((row) => ({ ...row })),
    log: () => log.map((entry) => ({ ...entry })),
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
    reset() {
      generation += 1;
      controls.clear();
      stats.clear();
      held.length = 0;
      log.length = 0;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
