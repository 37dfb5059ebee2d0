/**
 * Deterministic randomness: a small PRNG (sfc32) and a stateless hash, so a run is reproducible
 * from its seed. No `Math.random` anywhere in the simulator.
 */

/** 32-bit integer mix (the finalizer of MurmurHash3): spreads nearby inputs over the whole range. */
export function mix32(x: number): number {
  let h = x | 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/**
 * A uniform number in [0, 1) that depends only on its inputs. Used for facts that several
 * streams must agree on without sharing state (is the user walking in this 10-minute slot?).
 */
export function hash01(seed: number, a: number, b = 0): number {
  return mix32(mix32(mix32(seed) ^ a) + Math.imul(b, 0x9e3779b1)) / 4294967296
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** sfc32: fast, small state, passes PractRand; plenty for test data (not for secrets). */
export class Rng {
  #a: number
  #b: number
  #c: number
  #d: number

  constructor(seed: number, stream = 0) {
    this.#a = mix32(seed ^ 0x9e3779b9)
    this.#b = mix32(seed + 0x6a09e667)
    this.#c = mix32(stream ^ 0xbb67ae85)
    this.#d = 1
    // Warm-up: the first outputs of sfc32 from a simple seed are correlated.
    for (let i = 0; i < 12; i++) this.uint32()
  }

  /** A uniform unsigned 32-bit integer. */
  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0
    this.#d = (this.#d + 1) | 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) | 0
    this.#c = (this.#c << 21) | (this.#c >>> 11)
    this.#c = (this.#c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next()
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p
  }

  /** Standard normal (Box-Muller; one of the pair is dropped for simplicity). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next()
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next())
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }

  /** A random (version 4 layout) UUID built from this generator, so ids repeat with the seed. */
  uuid(): string {
    const a = this.uint32()
    const b = this.uint32()
    const c = this.uint32()
    const d = this.uint32()
    return (
      HEX[a >>> 24]! +
      HEX[(a >>> 16) & 255] +
      HEX[(a >>> 8) & 255] +
      HEX[a & 255] +
      '-' +
      HEX[b >>> 24] +
      HEX[(b >>> 16) & 255] +
      '-4' +
      HEX[(b >>> 8) & 15]!.slice(1) +
      HEX[b & 255] +
      '-' +
      HEX[0x80 | ((c >>> 24) & 0x3f)] +
      HEX[(c >>> 16) & 255] +
      '-' +
      HEX[c & 255] +
      HEX[(c >>> 8) & 255] +
      HEX[d >>> 24] +
      HEX[(d >>> 16) & 255] +
      HEX[(d >>> 8) & 255] +
      HEX[d & 255]
    )
  }
}
