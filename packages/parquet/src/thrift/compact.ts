/**
 * Thrift's compact protocol, the encoding of Parquet's page headers and footer: just what writing
 * those takes (structs, lists, i32, i64, booleans, binary). Fields are written in increasing id order,
 * each as the delta from the previous id and its type in one byte where the delta fits in four bits.
 */
import type { ByteSink } from '../encode/bytes.ts'

/** Compact protocol type ids. */
const T = {
  TRUE: 1,
  FALSE: 2,
  I32: 5,
  I64: 6,
  BINARY: 8,
  LIST: 9,
  STRUCT: 12,
} as const

const STOP = 0
const encoder = new TextEncoder()

/** Writes one top-level struct (and the structs and lists inside it) to a byte sink. */
export class CompactWriter {
  readonly out: ByteSink
  /** The last field id written in the struct being written, and in the structs around it. */
  #last = 0
  readonly #outer: number[] = []

  constructor(out: ByteSink) {
    this.out = out
  }

  /** A whole struct at the top level: its fields, then its end. */
  struct(fields: (w: this) => void): this {
    this.#enter()
    fields(this)
    return this.#exit()
  }

  /** An i32 field (left out when `value` is undefined, as every field writer here does). */
  i32(id: number, value: number | undefined): this {
    if (value === undefined) return this
    this.#field(id, T.I32)
    this.out.varint(zigzag32(value))
    return this
  }

  /** An i64 field from a number (sizes and offsets stay well within 2^53). */
  i64(id: number, value: number | undefined): this {
    if (value === undefined) return this
    this.#field(id, T.I64)
    varint64(this.out, value < 0 ? -2 * value - 1 : 2 * value)
    return this
  }

  /** A boolean field: its value is its type, so it takes no byte of its own. */
  bool(id: number, value: boolean | undefined): this {
    if (value !== undefined) this.#field(id, value ? T.TRUE : T.FALSE)
    return this
  }

  /** A binary field: its length, then its bytes. */
  binary(id: number, value: Uint8Array | undefined): this {
    if (value === undefined) return this
    this.#field(id, T.BINARY)
    this.#bytes(value)
    return this
  }

  /** A string field, as binary of its UTF-8 bytes. */
  string(id: number, value: string | undefined): this {
    return value === undefined ? this : this.binary(id, encoder.encode(value))
  }

  /** A struct field; `fields` writes its fields. */
  child(id: number, fields: ((w: this) => void) | undefined): this {
    if (fields === undefined) return this
    this.#field(id, T.STRUCT)
    return this.struct(fields)
  }

  /** A list of structs, `fields` writing the fields of each. */
  structs<V>(id: number, items: readonly V[] | undefined, fields: (w: this, item: V) => void): this {
    if (items === undefined) return this
    this.#listHeader(id, T.STRUCT, items.length)
    for (const item of items) this.struct((w) => fields(w, item))
    return this
  }

  /** A list of i32s. */
  i32s(id: number, items: readonly number[]): this {
    this.#listHeader(id, T.I32, items.length)
    for (const v of items) this.out.varint(zigzag32(v))
    return this
  }

  /** A list of strings. */
  strings(id: number, items: readonly string[]): this {
    this.#listHeader(id, T.BINARY, items.length)
    for (const s of items) this.#bytes(encoder.encode(s))
    return this
  }

  #field(id: number, type: number): void {
    const delta = id - this.#last
    if (delta > 0 && delta <= 15) this.out.u8((delta << 4) | type)
    else {
      this.out.u8(type)
      this.out.varint(zigzag32(id))
    }
    this.#last = id
  }

  #listHeader(id: number, type: number, size: number): void {
    this.#field(id, T.LIST)
    if (size < 15) this.out.u8((size << 4) | type)
    else {
      this.out.u8(0xf0 | type)
      this.out.varint(size)
    }
  }

  #bytes(value: Uint8Array): void {
    this.out.varint(value.length)
    this.out.append(value)
  }

  #enter(): void {
    this.#outer.push(this.#last)
    this.#last = 0
  }

  #exit(): this {
    this.out.u8(STOP)
    this.#last = this.#outer.pop() ?? 0
    return this
  }
}

/** Zigzag form of a 32-bit integer: small magnitudes, either sign, make short varints. */
function zigzag32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0
}

/** An unsigned varint of a number up to 2^53, by arithmetic (bit operators stop at 32 bits). */
function varint64(out: ByteSink, value: number): void {
  let v = value
  while (v >= 0x80) {
    out.u8((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.u8(v)
}
