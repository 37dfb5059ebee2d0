/**
 * The partition of a keyed record, as @platformatic/kafka's default partitioner computes it
 * (murmur2 of the key bytes, taken unsigned, modulo the partition count), without its cost: the
 * client's murmur2 runs in BigInt arithmetic and allocated ~650 bytes per record, a twentieth of the
 * validator's garbage. Same function, so every record keeps the partition it always had: a user's
 * records stay in the partition whose state (dedup marks, windows) holds them.
 */

const SEED = 0x9747b28c
const M = 0x5bd1e995

/** Kafka's murmur2 (the Java client's `Utils.murmur2`), as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length
  let h = SEED ^ length
  const whole = length & ~3
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  switch (length & 3) {
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: the tail bytes fall through, as in Kafka's
    case 3:
      h ^= data[whole + 2]! << 16
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: as above
    case 2:
      h ^= data[whole + 1]! << 8
    case 1:
      h ^= data[whole]!
      h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/**
 * The producers' `partitioner` option: @platformatic/kafka's `defaultPartitioner` (the client applies
 * the modulo), 0 for a record without a key, as there.
 */
export function keyPartitioner(_message: unknown, key: unknown): number {
  return Buffer.isBuffer(key) ? murmur2(key) >>> 0 : 0
}
