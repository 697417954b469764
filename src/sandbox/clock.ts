/**
 * Sandbox time. Everything in the sandbox that expires (tokens, history retention, subscriptions, watches)
 * reads this clock, so tests can move time forward instead of waiting.
 */
export interface Clock {
  /** Milliseconds since the epoch, sandbox time. */
  now(): number;
  /** Moves sandbox time forward. */
  advance(ms: number): void;
  /** Back to real time. */
  reset(): void;
}

export function createClock(): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('time only moves forward');
      offset += ms;
    },
    reset: () => {
      offset = 0;
    },
  };
}
