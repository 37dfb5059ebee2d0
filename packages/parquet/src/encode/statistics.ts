/**
 * A column chunk's statistics as the footer stores them: the bounds as the physical type's bytes
 * (little-endian numbers, UTF-8 strings), -0 as the minimum and +0 as the maximum of floating-point
 * columns (readers compare physically, where -0 and +0 are one value), and byte-array bounds longer than
 * 16 bytes shortened (a prefix for the minimum, a rounded-up prefix for the maximum) and marked inexact.
 */
import type { SchemaElement } from 'hyparquet'
import type { SlotStats } from '../stats/types.ts'

/** A chunk's statistics in the footer's form. */
export interface ChunkStatistics {
  readonly nullCount: number
  readonly min?: Uint8Array
  readonly max?: Uint8Array
  /** False when `min` was shortened; absent when it is the exact minimum. */
  readonly minExact?: false
  readonly maxExact?: false
}

/** Byte-array bounds are kept to this many bytes (long strings would bloat every footer). */
const BOUND_BYTES = 16

const encoder = new TextEncoder()

/** The footer statistics of a chunk of leaf `element` with statistics `s`. */
export function chunkStatistics(s: SlotStats, element: SchemaElement): ChunkStatistics {
  const out: { -readonly [K in keyof ChunkStatistics]: ChunkStatistics[K] } = { nullCount: s.nulls }
  if (s.min === undefined || s.max === undefined) return out
  const min = physical(s.min, element, -0)
  const max = physical(s.max, element, 0)
  if (element.type !== 'BYTE_ARRAY') return { ...out, min, max }
  const utf8 = element.converted_type === 'UTF8'
  if (min.length > BOUND_BYTES) {
    out.min = min.subarray(0, utf8 ? codePointStart(min, BOUND_BYTES) : BOUND_BYTES)
    out.minExact = false
  } else out.min = min
  const rounded = max.length > BOUND_BYTES ? (utf8 ? roundUpUtf8(max) : roundUpBytes(max)) : undefined
  if (rounded === undefined) out.max = max
  else {
    out.max = rounded
    out.maxExact = false
  }
  return out
}

/** A bound's bytes in the leaf's physical type; a zero becomes `zero` (-0 for minimums, +0 for maximums). */
function physical(v: unknown, element: SchemaElement, zero: number): Uint8Array {
  switch (element.type) {
    case 'BOOLEAN':
      return Uint8Array.of(v === true ? 1 : 0)
    case 'INT32':
      return littleEndian(4, (d) => d.setInt32(0, v as number, true))
    case 'INT64':
      return littleEndian(8, (d) => d.setBigInt64(0, BigInt(v as bigint), true))
    case 'FLOAT':
      return littleEndian(4, (d) => d.setFloat32(0, v === 0 ? zero : (v as number), true))
    case 'DOUBLE':
      return littleEndian(8, (d) => d.setFloat64(0, v === 0 ? zero : (v as number), true))
    default:
      return typeof v === 'string' ? encoder.encode(v) : (v as Uint8Array)
  }
}

function littleEndian(width: number, write: (view: DataView) => void): Uint8Array {
  const out = new Uint8Array(width)
  write(new DataView(out.buffer))
  return out
}

const isContinuation = (byte: number | undefined) => byte !== undefined && (byte & 0xc0) === 0x80

/** The start of the code point that byte `at` is in (`at` itself when it starts one). */
function codePointStart(bytes: Uint8Array, at: number): number {
  let i = at
  while (i > 0 && isContinuation(bytes[i])) i--
  return i
}

/**
 * The shortest upper bound within the byte limit: the whole code points that fit, with the last one
 * that has a successor (fitting the limit too) replaced by its successor; undefined when none has.
 */
function roundUpUtf8(bytes: Uint8Array): Uint8Array | undefined {
  let end = codePointStart(bytes, BOUND_BYTES)
  while (end > 0) {
    const start = codePointStart(bytes, end - 1)
    const point = decodeCodePoint(bytes, start, end)
    end = start
    if (point === 0x10ffff) continue
    // Surrogates are not code points UTF-8 can hold: the successor of U+D7FF is U+E000
    const next = encoder.encode(String.fromCodePoint(point === 0xd7ff ? 0xe000 : point + 1))
    if (start + next.length > BOUND_BYTES) continue
    const out = new Uint8Array(start + next.length)
    out.set(bytes.subarray(0, start))
    out.set(next, start)
    return out
  }
  return undefined
}

function decodeCodePoint(bytes: Uint8Array, start: number, end: number): number {
  const lead = bytes[start]!
  const n = end - start
  let point = n === 1 ? lead : lead & (0xff >> (n + 1))
  for (let i = start + 1; i < end; i++) point = (point << 6) | (bytes[i]! & 0x3f)
  return point
}

/** The first 16 bytes with the last one below 0xFF incremented (and what follows dropped), or undefined. */
function roundUpBytes(bytes: Uint8Array): Uint8Array | undefined {
  // A copy to increment: the value is the caller's, and a Buffer's slice() would be a view of it
  const prefix = Uint8Array.from(bytes.subarray(0, BOUND_BYTES))
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      prefix[i]! += 1
      return prefix.subarray(0, i + 1)
    }
  }
  return undefined
}
