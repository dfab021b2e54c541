/**
 * Seeded pseudo-random numbers for the market simulator. Never `Math.random`: the simulator must give
 * the same market for the same seed.
 *
 * - {@link Rng} is sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, 128-bit state, passes
 *   PractRand/BigCrush), seeded through splitmix32 so that nearby seeds give unrelated streams.
 * - {@link streamSeed} derives independent sub-streams (per trading day, per purpose) from the run
 *   seed, so generating one day never depends on how much randomness another part consumed.
 * - {@link hash32}/{@link hashUnit} are stateless hashes for per-contract noise (sizes, open interest):
 *   a contract's numbers depend only on its identity and the time, never on which chains were asked for.
 */

/** splitmix32 finalizer: a good 32-bit integer mix. */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** Hash of up to four 32-bit integers to a uint32. Order matters. */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = mix32(a | 0);
  h = mix32((h ^ (b | 0)) >>> 0);
  h = mix32((h ^ (c | 0)) >>> 0);
  return mix32((h ^ (d | 0)) >>> 0);
}

/** Hash of up to four integers to a uniform number in [0, 1). */
export function hashUnit(a: number, b = 0, c = 0, d = 0): number {
  return hash32(a, b, c, d) / 4294967296;
}

/** Turns a seed given as a number or a string into a uint32. */
export function seedToUint32(seed: number | string): number {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number or a string, got ${seed}`);
    // Fold the high part of large integers in so 2**32 and 0 differ.
    return mix32((seed >>> 0) ^ mix32(Math.floor(seed / 4294967296) >>> 0));
  }
  let h = 0x811c9dc5; // FNV-1a over UTF-16 code units, then mixed
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return mix32(h >>> 0);
}

/** Seed of an independent sub-stream `(seed, a, b)`, e.g. (run seed, day number, purpose). */
export function streamSeed(seed: number, a: number, b = 0): number {
  return hash32(seed, a, b, 0x5eed);
}

/** A seeded generator (sfc32) with uniform, normal, Poisson and Bernoulli draws. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The second normal of the last Box–Muller pair, or NaN when none is cached (internal only). */
  private spare = Number.NaN;

  constructor(seed: number) {
    const s = seed >>> 0;
    this.a = mix32(s);
    this.b = mix32(s ^ 0x6a09e667);
    this.c = mix32(s ^ 0xbb67ae85);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32(); // warm up
  }

  /** Next uint32. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in (0, 1): never exactly 0, safe for logarithms. */
  nextOpen(): number {
    return (this.nextUint32() + 0.5) / 4294967296;
  }

  /** Standard normal (Box–Muller; the pair's second value is kept for the next call). */
  normal(): number {
    const s = this.spare;
    if (s === s) {
      this.spare = Number.NaN;
      return s;
    }
    const u = this.nextOpen();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * v;
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }

  /** Poisson-distributed count with mean `lambda` (Knuth's method; meant for small means). */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}
