/** A small seeded PRNG (mulberry32), so a failure rate is reproducible with `--seed`. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  readonly seed: number;
}

/** A PRNG from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return {
    seed: seed >>> 0,
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
