/**
 * Reading Avro values of each type from bytes, bounds-checked: every read checks the bytes left and
 * block counts are limited by them, so garbage throws `AvroReadError` instead of allocating without
 * end. Values are what avsc gives for the same bytes (longs as numbers, throwing beyond ±(2^53 − 2);
 * maps as plain objects; bytes and fixed as Buffer copies). The record readers of `record-reader.ts`
 * are built from these.
 */
import { Buffer } from 'node:buffer'
import type { AvscType } from './bounds.ts'

/** Bytes that are not a value of the type (truncated, a bad union index, an absurd count). */
export class AvroReadError extends Error {
  readonly code = 'DECODE_FAILED'
  constructor(message: string) {
    super(message)
    this.name = 'AvroReadError'
  }
}

/** Reads one Avro value at the current position. */
export type Read = () => unknown

// The buffer and position being read: module slots, so the per-type readers are plain closures.
let buf: Buffer = Buffer.alloc(0)
let pos = 0

const SAFE = 9007199254740990 // avsc's bound for longs read as numbers
const MAX_EMPTY_ITEMS = 1_000_000

function fail(what: string): never {
  throw new AvroReadError(`Avro body is truncated or malformed (${what})`)
}

function readLong(): number {
  // One byte (union indexes, lengths, small counts: most reads) needs no float arithmetic
  const first = buf[pos]
  if (first !== undefined && first < 0x80) {
    pos++
    return (first >>> 1) ^ -(first & 1)
  }
  let result = 0
  let factor = 1
  for (let i = 0; i < 10; i++) {
    const byte = buf[pos++]
    if (byte === undefined) fail('a number runs past the end')
    result += (byte & 0x7f) * factor
    if ((byte & 0x80) === 0) {
      // Zig-zag decoding in float arithmetic: exact up to 2^53
      const n = result % 2 === 0 ? result / 2 : -(result + 1) / 2
      if (n > SAFE || n < -SAFE) fail('a long beyond ±2^53 would lose precision')
      return n
    }
    factor *= 128
  }
  return fail('a varint longer than 10 bytes')
}

function readSize(): number {
  const n = readLong()
  if (n < 0 || pos + n > buf.length) fail('a length past the end')
  return n
}

type Utf8 = (b: Buffer, start: number, end: number) => string
// Node's (and Bun's, Deno's) Buffer has a direct UTF-8 slice; toString is the portable fallback
const utf8: Utf8 =
  typeof (Buffer.prototype as { utf8Slice?: unknown }).utf8Slice === 'function'
    ? (b, start, end) => (b as Buffer & { utf8Slice: (s: number, e: number) => string }).utf8Slice(start, end)
    : (b, start, end) => b.toString('utf8', start, end)

const readString: Read = () => {
  const n = readSize()
  const start = pos
  pos += n
  return utf8(buf, start, pos)
}

/** Reads of a field before its repeat cache decides whether it pays. */
const TRIAL_READS = 512

/**
 * A string reader for one field that gives back the previous string when the bytes repeat (a batch's
 * user, device, unit, zone, topic …): a byte comparison instead of a UTF-8 decode and a new string,
 * and the column's dictionary then meets the very same string. A field whose values rarely repeat
 * (ids) stops comparing after a trial.
 */
function repeatingStringReader(): Read {
  let last = ''
  let lastBytes = new Uint8Array(64)
  let lastLength = -1
  let reads = 0
  let hits = 0
  let caching = true
  return () => {
    const n = readSize()
    const start = pos
    pos += n
    if (!caching) return utf8(buf, start, pos)
    if (n === lastLength) {
      let same = true
      for (let i = 0; i < n; i++)
        if (buf[start + i] !== lastBytes[i]) {
          same = false
          break
        }
      if (same) {
        hits++
        return last
      }
    }
    if (++reads === TRIAL_READS) caching = hits * 4 >= reads
    if (n > lastBytes.length) lastBytes = new Uint8Array(Math.max(n, lastBytes.length * 2))
    lastBytes.set(buf.subarray(start, pos))
    lastLength = n
    last = utf8(buf, start, pos)
    return last
  }
}

const readBytes: Read = () => {
  const n = readSize()
  const start = pos
  pos += n
  return Buffer.from(buf.subarray(start, pos))
}

function fixedReader(size: number): Read {
  return () => {
    if (pos + size > buf.length) fail('a fixed past the end')
    const start = pos
    pos += size
    return Buffer.from(buf.subarray(start, pos))
  }
}

const readBoolean: Read = () => {
  const b = buf[pos++]
  if (b === undefined) fail('a boolean past the end')
  return b !== 0
}

const readFloat: Read = () => {
  if (pos + 4 > buf.length) fail('a float past the end')
  pos += 4
  return buf.readFloatLE(pos - 4)
}

const readDouble: Read = () => {
  if (pos + 8 > buf.length) fail('a double past the end')
  pos += 8
  return buf.readDoubleLE(pos - 8)
}

/** The reader of a value of `type`; undefined for types it does not read (nested records, wide unions). */
export function readerOf(type: AvscType): Read | undefined {
  const name = type.typeName
  if (name.startsWith('logical')) return readerOf(type.underlyingType as unknown as AvscType)
  if (name.startsWith('union')) {
    // Only optional values ([null, X]): avsc wraps the values of wider unions in objects
    const others = type.types!.filter((t) => (t as unknown as AvscType).typeName !== 'null')
    if (others.length > 1) return undefined
    const branches = type.types!.map((t) => readerOf(t as unknown as AvscType))
    if (branches.some((b) => b === undefined)) return undefined
    const bs = branches as Read[]
    return () => {
      const i = readLong()
      const branch = bs[i]
      return branch === undefined ? fail(`union index ${i}`) : branch()
    }
  }
  switch (name) {
    case 'null':
      return () => null
    case 'boolean':
      return readBoolean
    case 'int':
    case 'long':
      return readLong
    case 'float':
      return readFloat
    case 'double':
      return readDouble
    case 'string':
      return repeatingStringReader()
    case 'bytes':
      return readBytes
    case 'fixed':
      return fixedReader(type.size!)
    case 'enum': {
      const symbols = type.symbols!
      return () => symbols[readLong()] ?? fail('enum index')
    }
    case 'array': {
      const item = readerOf(type.itemsType as unknown as AvscType)
      return item && blocks(item, false)
    }
    case 'map': {
      const value = readerOf(type.valuesType as unknown as AvscType)
      return value && blocks(value, true)
    }
  }
  return undefined
}

/** Arrays and maps: blocks of `count` items ended by a zero count; a negative count carries a byte size. */
function blocks(item: Read, keyed: boolean): Read {
  return () => {
    const out: unknown[] | Record<string, unknown> = keyed ? {} : []
    let empty = 0
    for (;;) {
      let count = readLong()
      if (count === 0) return out
      if (count < 0) {
        count = -count
        readSize()
      }
      // Every item that takes bytes takes at least one, so a count above the bytes left is garbage.
      if (count > buf.length - pos + MAX_EMPTY_ITEMS - empty) fail('a block count beyond the bytes left')
      for (let i = 0; i < count; i++) {
        const start = pos
        if (keyed) {
          const key = readString() as string
          ;(out as Record<string, unknown>)[key] = item()
        } else (out as unknown[]).push(item())
        if (pos === start && ++empty > MAX_EMPTY_ITEMS) fail('too many empty items')
      }
    }
  }
}

/** Runs `fill` over the bytes of `b` from `p`; returns the position after the record. */
export function readWith<T>(fill: (target: T) => void, b: Buffer, p: number, target: T): number {
  buf = b
  pos = p
  try {
    fill(target)
    return pos
  } finally {
    buf = EMPTY // the message is not kept alive by the module
  }
}

/**
 * Runs `make` over the bytes of `b` from `p` and returns what it made; the position after the record
 * is then `positionAfterMake()` (kept beside, so no result object is allocated per record).
 */
export function makeWith<T>(make: () => T, b: Buffer, p: number): T {
  buf = b
  pos = p
  try {
    const value = make()
    madeUpTo = pos
    return value
  } finally {
    buf = EMPTY
  }
}

let madeUpTo = 0

/** The position after the record the last `makeWith` read. */
export const positionAfterMake = (): number => madeUpTo

const EMPTY = Buffer.alloc(0)
