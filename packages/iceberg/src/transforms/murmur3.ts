/** Murmur3 x86 32-bit hash, seed 0, as the Iceberg spec (Appendix B) requires for bucketing. */

const C1 = 0xcc9e2d51
const C2 = 0x1b873593

function mixK(k: number): number {
  let x = Math.imul(k, C1)
  x = (x << 15) | (x >>> 17)
  return Math.imul(x, C2)
}

/** Hashes bytes; returns the signed 32-bit result, as Java's Guava does. */
export function murmur3Hash32(bytes: Uint8Array, seed = 0): number {
  const len = bytes.length
  const blocks = len & ~3
  let h = seed | 0
  for (let i = 0; i < blocks; i += 4) {
    const k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
    h ^= mixK(k)
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  let tail = 0
  const rest = len & 3
  if (rest === 3) tail ^= bytes[blocks + 2]! << 16
  if (rest >= 2) tail ^= bytes[blocks + 1]! << 8
  if (rest >= 1) {
    tail ^= bytes[blocks]!
    h ^= mixK(tail)
  }
  h ^= len
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h | 0
}

/** Hashes a long as 8 little-endian bytes (ints are hashed the same way, per the spec). */
export function murmur3HashLong(value: bigint): number {
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setBigInt64(0, BigInt.asIntN(64, value), true)
  return murmur3Hash32(bytes)
}
