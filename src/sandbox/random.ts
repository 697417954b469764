/** A seedable random source, so that a test injecting "30 % of calls fail" is reproducible. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  seed(value: number): void;
}

/** mulberry32: small, fast, good enough to pick which calls fail. */
export function createRandom(seed = 0x5eed): Random {
  let state = seed >>> 0;
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    seed(value) {
      state = value >>> 0;
    },
  };
}
