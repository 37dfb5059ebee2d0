/**
 * A growable byte buffer for building Parquet pages: little-endian integers, varints, UTF-8 strings
 * (ASCII copied by hand, the rest through `TextEncoder.encodeInto`) and the RLE/bit-packing hybrid
 * that levels and dictionary indexes use. One instance is reused for page after page.
 */

const encoder = new TextEncoder()

/** Bytes appended to a buffer that doubles when it is full. */
export class ByteSink {
  bytes: Uint8Array
  length = 0

  constructor(capacity = 64 * 1024) {
    this.bytes = new Uint8Array(capacity)
  }

  /** Empties the sink, keeping its memory. */
  reset(): this {
    this.length = 0
    return this
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n))
    next.set(this.bytes.subarray(0, this.length))
    this.bytes = next
  }

  /** The bytes written so far (a view: copy it before the next `reset`). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length)
  }

  u8(value: number): void {
    this.reserve(1)
    this.bytes[this.length++] = value
  }

  u32(value: number): void {
    this.reserve(4)
    const b = this.bytes
    const i = this.length
    b[i] = value
    b[i + 1] = value >>> 8
    b[i + 2] = value >>> 16
    b[i + 3] = value >>> 24
    this.length = i + 4
  }

  /** An unsigned LEB128 varint (values below 2^31). */
  varint(value: number): void {
    this.reserve(5)
    let v = value >>> 0
    while (v >= 0x80) {
      this.bytes[this.length++] = (v & 0x7f) | 0x80
      v >>>= 7
    }
    this.bytes[this.length++] = v
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length)
    this.bytes.set(bytes, this.length)
    this.length += bytes.length
  }

  /** A string's UTF-8 bytes; returns how many. */
  utf8(s: string): number {
    const n = s.length
    this.reserve(n * 3)
    const b = this.bytes
    const start = this.length
    let i = 0
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c >= 0x80) break
      b[start + i] = c
    }
    if (i === n) {
      this.length = start + n
      return n
    }
    const { written } = encoder.encodeInto(s.slice(i), b.subarray(start + i))
    this.length = start + i + written
    return i + written
  }

  /** A Parquet BYTE_ARRAY value in PLAIN encoding: 4-byte length, then the UTF-8 bytes. */
  plainString(s: string): void {
    this.reserve(4)
    const at = this.length
    this.length += 4
    const n = this.utf8(s)
    const b = this.bytes
    b[at] = n
    b[at + 1] = n >>> 8
    b[at + 2] = n >>> 16
    b[at + 3] = n >>> 24
  }

  /** A Parquet BYTE_ARRAY value in PLAIN encoding: 4-byte length, then the bytes. */
  plainBytes(bytes: Uint8Array): void {
    this.u32(bytes.length)
    this.append(bytes)
  }

  /**
   * `values[start..end)` in the RLE/bit-packing hybrid of `bitWidth` bits (no length prefix): runs of
   * eight or more equal values as RLE runs, everything else bit-packed in groups of eight.
   */
  hybrid(values: ArrayLike<number>, start: number, end: number, bitWidth: number): void {
    let i = start
    while (i < end) {
      const first = values[i]!
      let run = i + 1
      while (run < end && values[run] === first) run++
      if (run - i >= 8 || run === end) {
        this.#rleRun(first, run - i, bitWidth)
        i = run
        continue
      }
      // Bit-pack groups of eight until a run of eight equal values starts (at most 63 groups a run)
      const from = i
      let groups = 0
      do {
        i = Math.min(i + 8, end)
        groups++
      } while (i < end && groups < 63 && !runOfEight(values, i, end))
      this.#bitPacked(values, from, i, groups, bitWidth)
    }
  }

  #rleRun(value: number, count: number, bitWidth: number): void {
    this.varint(count << 1)
    for (let w = 0; w < bitWidth; w += 8) this.u8((value >>> w) & 0xff)
  }

  #bitPacked(values: ArrayLike<number>, from: number, to: number, groups: number, bitWidth: number): void {
    this.varint((groups << 1) | 1)
    this.reserve(groups * bitWidth)
    const b = this.bytes
    let at = this.length
    let acc = 0
    let bits = 0
    const count = groups * 8
    for (let k = 0; k < count; k++) {
      const v = from + k < to ? values[from + k]! : 0
      // bits < 8 here and bitWidth ≤ 24, so the accumulator stays within 32 bits
      acc |= v << bits
      bits += bitWidth
      while (bits >= 8) {
        b[at++] = acc & 0xff
        acc >>>= 8
        bits -= 8
      }
    }
    this.length = at
  }
}

function runOfEight(values: ArrayLike<number>, i: number, end: number): boolean {
  if (i + 8 > end) return false
  const v = values[i]
  for (let k = 1; k < 8; k++) if (values[i + k] !== v) return false
  return true
}

/** Bits needed for values up to `max` (0 for 0). */
export function bitWidthOf(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max)
}
