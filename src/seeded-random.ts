/**
 * A small seeded pseudo-random generator (mulberry32, exact in 32-bit integer arithmetic): the same
 * seed gives the same numbers everywhere, so the demo seed's year, a benchmark's events and a
 * property test's failing stream can be made again from their seed. Not for anything secret.
 *
 * @example
 * const random = seededRandom(42);
 * const day = Math.floor(random() * 365); // in [0, 1) times 365
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
