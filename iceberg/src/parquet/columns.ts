/**
 * Columns of Iceberg values in typed arrays, filled row by row: what the columnar Parquet encoder
 * reads. Values are checked and converted once, on the way in (a long from a number or a bigint, a
 * UUID string to its 16 bytes), and nulls are a validity byte per slot. Longs live in a
 * `BigInt64Array` read through an `Int32Array` view, so neither filling nor encoding makes a bigint.
 */
import { IcebergError } from '../errors.ts'
import type { PrimitiveType } from '../spec/types.ts'
import { uuidToBytes } from '../spec/values.ts'

const TWO_32 = 4294967296
const TWO_63 = 2 ** 63
const MIN_LONG = -(2n ** 63n)
const MAX_LONG = 2n ** 63n - 1n

/** Throws the error of a value a column cannot take. */
export function invalid(message: string): never {
  throw new IcebergError('INVALID_ARGUMENT', message)
}

/** `a`, or a copy of it with room for `need` elements. */
export function grown<T extends Uint8Array | Int32Array | Float32Array | Float64Array | BigInt64Array>(
  a: T,
  need: number,
): T {
  if (need <= a.length) return a
  const next = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2))
  next.set(a as never)
  return next
}

/** What every column has: a length and, per slot, whether it holds a value. */
export abstract class Column {
  readonly path: string
  readonly required: boolean
  length = 0
  nulls = 0
  /** 1 where the slot holds a value, 0 for null (only meaningful below `length`). */
  valid: Uint8Array = new Uint8Array(64)

  constructor(path: string, required: boolean) {
    this.path = path
    this.required = required
  }

  /** Appends a value (null or undefined for none). */
  abstract push(value: unknown): void

  /** Makes room for `n` slots in all, so filling a batch of known size never copies. */
  reserve(n: number): void {
    this.valid = grown(this.valid, n)
  }

  /** Drops the slots from `n` on (what a failed row pushed before it failed). */
  truncate(n: number): void {
    if (n >= this.length) return
    this.length = n
    let nulls = 0
    for (let i = 0; i < n; i++) nulls += 1 - this.valid[i]!
    this.nulls = nulls
  }

  /** Records the validity of the next slot; false when `value` is null. */
  protected slot(value: unknown): boolean {
    const i = this.length
    if (i >= this.valid.length) this.valid = grown(this.valid, i + 1)
    if (value === null || value === undefined) {
      if (this.required) invalid(`required column ${this.path} is null`)
      this.valid[i] = 0
      this.nulls++
      return false
    }
    this.valid[i] = 1
    return true
  }
}

/** `double` (Float64Array) or `float` (Float32Array). */
export class FloatColumn extends Column {
  readonly kind = 'float'
  readonly type: 'float' | 'double'
  values: Float64Array | Float32Array

  constructor(type: 'float' | 'double', path: string, required: boolean) {
    super(path, required)
    this.type = type
    this.values = type === 'double' ? new Float64Array(64) : new Float32Array(64)
  }

  override reserve(n: number): void {
    super.reserve(n)
    this.values = grown(this.values, n)
  }

  push(value: unknown): void {
    const i = this.length
    if (i >= this.values.length) this.values = grown(this.values, i + 1)
    if (this.slot(value)) {
      if (typeof value !== 'number') invalid(`column ${this.path} must be a number, got ${String(value)}`)
      this.values[i] = value
    } else this.values[i] = 0
    this.length = i + 1
  }
}

/** `int` and `date` (days): Int32Array. */
export class IntColumn extends Column {
  readonly kind = 'int'
  readonly type: 'int' | 'date'
  values = new Int32Array(64)

  constructor(type: 'int' | 'date', path: string, required: boolean) {
    super(path, required)
    this.type = type
  }

  override reserve(n: number): void {
    super.reserve(n)
    this.values = grown(this.values, n)
  }

  push(value: unknown): void {
    const i = this.length
    if (i >= this.values.length) this.values = grown(this.values, i + 1)
    if (this.slot(value)) {
      const v = typeof value === 'bigint' ? Number(value) : value
      if (typeof v !== 'number' || (v | 0) !== v)
        invalid(`column ${this.path} must be a 32-bit integer, got ${String(value)}`)
      this.values[i] = v
    } else this.values[i] = 0
    this.length = i + 1
  }
}

/** `long`, `time` and the timestamps: 64-bit integers, from numbers or bigints. */
export class LongColumn extends Column {
  readonly kind = 'long'
  readonly type: PrimitiveType
  values = new BigInt64Array(64)
  /** The same memory as 32-bit halves: [2i] low, [2i + 1] high (little-endian). */
  halves = new Int32Array(this.values.buffer)

  constructor(type: PrimitiveType, path: string, required: boolean) {
    super(path, required)
    this.type = type
  }

  override reserve(n: number): void {
    super.reserve(n)
    this.values = grown(this.values, n)
    this.halves = new Int32Array(this.values.buffer)
  }

  push(value: unknown): void {
    const i = this.length
    if (i >= this.values.length) {
      this.values = grown(this.values, i + 1)
      this.halves = new Int32Array(this.values.buffer)
    }
    if (!this.slot(value)) {
      this.values[i] = 0n
    } else if (typeof value === 'number') {
      if (!Number.isInteger(value) || value >= TWO_63 || value < -TWO_63)
        invalid(`${this.path} must be an integer, got ${String(value)}`)
      const hi = Math.floor(value / TWO_32)
      this.halves[2 * i] = value - hi * TWO_32
      this.halves[2 * i + 1] = hi
    } else if (typeof value === 'bigint') {
      if (value < MIN_LONG || value > MAX_LONG) invalid(`${this.path} is out of the long range: ${value}`)
      this.values[i] = value
    } else invalid(`${this.path} must be an integer, got ${String(value)}`)
    this.length = i + 1
  }
}

/** `boolean`: one byte per slot. */
export class BoolColumn extends Column {
  readonly kind = 'bool'
  values = new Uint8Array(64)

  override reserve(n: number): void {
    super.reserve(n)
    this.values = grown(this.values, n)
  }

  push(value: unknown): void {
    const i = this.length
    if (i >= this.values.length) this.values = grown(this.values, i + 1)
    if (this.slot(value)) {
      if (typeof value !== 'boolean') invalid(`column ${this.path} must be a boolean, got ${String(value)}`)
      this.values[i] = value ? 1 : 0
    } else this.values[i] = 0
    this.length = i + 1
  }
}

/**
 * The strings of a string column, each with its code (its index), append-only: a code once given
 * never changes, so the batches taken from a batch share its dictionary. A string is held once unless
 * it was appended without looking (`append`).
 */
export class StringDictionary {
  readonly strings: string[]
  #ids: Map<string, number> | undefined

  constructor(strings: string[] = []) {
    this.strings = strings
  }

  /** A new code for `s`, without looking for it: for columns of mostly distinct strings (ids). */
  append(s: string): number {
    return this.strings.push(s) - 1
  }

  /** The code of `s`, added when new. */
  code(s: string): number {
    this.#ids ??= new Map(this.strings.map((v, i) => [v, i]))
    const ids = this.#ids
    let id = ids.get(s)
    if (id === undefined) {
      id = this.strings.length
      ids.set(s, id)
      this.strings.push(s)
    }
    return id
  }
}

/** Strings a column looks up before deciding whether its strings are mostly distinct. */
const DISTINCT_TRIAL = 1024

/**
 * `string`: per slot the code of its string in a dictionary, UTF-8 encoded only when pages are written.
 * Codes make filling, picking rows per partition, building each chunk's dictionary and sending a batch
 * to a worker copy integers instead of string pointers (which the GC would also walk).
 */
export class StringColumn extends Column {
  readonly kind = 'string'
  /** Per slot the code of its string (0 for null); meaningful below `length` where `valid`. */
  codes = new Int32Array(64)
  dictionary = new StringDictionary()
  /** The string pushed last and its code: neighbours often repeat (a batch's user, unit, zone). */
  #last: string | undefined
  #lastCode = 0
  /** Lookups (of a string unlike the one before) and how many were new, until the trial decides. */
  #looked = 0
  #added = 0
  /** Mostly distinct strings (ids): appended without a lookup that would rarely find them. */
  #distinct = false

  override reserve(n: number): void {
    super.reserve(n)
    this.codes = grown(this.codes, n)
  }

  push(value: unknown): void {
    const i = this.length
    if (i >= this.codes.length) this.codes = grown(this.codes, i + 1)
    if (this.slot(value)) {
      if (typeof value !== 'string') invalid(`column ${this.path} must be a string`)
      if (value !== this.#last) {
        this.#lastCode = this.#distinct ? this.dictionary.append(value) : this.#code(value)
        this.#last = value
      }
      this.codes[i] = this.#lastCode
    } else this.codes[i] = 0
    this.length = i + 1
  }

  #code(value: string): number {
    const before = this.dictionary.strings.length
    const code = this.dictionary.code(value)
    if (this.dictionary.strings.length > before) this.#added++
    if (++this.#looked === DISTINCT_TRIAL) this.#distinct = this.#added * 2 > DISTINCT_TRIAL
    return code
  }

  /** The string of a non-null slot. */
  at(i: number): string {
    return this.dictionary.strings[this.codes[i]!]!
  }

  /**
   * Codes and strings of the slots below `length` alone, numbered in order of first appearance: the
   * same for the same values whatever else the dictionary holds (a failed row's strings, the rows of
   * the batch this one was taken from), as long as no string was appended twice.
   */
  compacted(): { codes: Int32Array<ArrayBuffer>; strings: string[] } {
    const { valid, length } = this
    const all = this.dictionary.strings
    const ids = new Int32Array(all.length).fill(-1)
    const codes = new Int32Array(length)
    const strings: string[] = []
    for (let i = 0; i < length; i++) {
      if (valid[i] === 0) continue
      const code = this.codes[i]!
      let id = ids[code]!
      if (id < 0) {
        id = ids[code] = strings.length
        strings.push(all[code]!)
      }
      codes[i] = id
    }
    return { codes, strings }
  }

  /** Takes `dictionary` as its own (a copy of a batch's column, or one received from another thread). */
  adopt(dictionary: StringDictionary): void {
    this.dictionary = dictionary
    this.#last = undefined
  }
}

/** `binary`, `fixed[L]` and `uuid` (a string is parsed to its 16 bytes): byte arrays. */
export class BytesColumn extends Column {
  readonly kind = 'bytes'
  readonly type: PrimitiveType
  /** The fixed length, undefined for `binary`. */
  readonly width: number | undefined
  readonly values: Uint8Array[] = []

  override truncate(n: number): void {
    super.truncate(n)
    this.values.length = Math.min(this.values.length, n)
  }

  constructor(type: PrimitiveType, path: string, required: boolean) {
    super(path, required)
    this.type = type
    this.width = type === 'uuid' ? 16 : type === 'binary' ? undefined : Number(/\d+/.exec(type)![0])
  }

  push(value: unknown): void {
    if (this.slot(value)) {
      const bytes = this.type === 'uuid' && typeof value === 'string' ? uuidToBytes(value) : value
      if (!(bytes instanceof Uint8Array)) invalid(`column ${this.path} must be bytes`)
      if (this.width !== undefined && bytes.length !== this.width)
        invalid(`column ${this.path} must be ${this.width} bytes, got ${bytes.length}`)
      this.values.push(bytes)
    } else this.values.push(EMPTY)
    this.length++
  }
}

const EMPTY = new Uint8Array(0)

/** A primitive column. */
export type LeafColumn = FloatColumn | IntColumn | LongColumn | BoolColumn | StringColumn | BytesColumn

/** An empty column of a primitive type; undefined for decimals (the row writer takes them). */
export function leafColumn(type: PrimitiveType, path: string, required: boolean): LeafColumn | undefined {
  switch (type) {
    case 'double':
    case 'float':
      return new FloatColumn(type, path, required)
    case 'int':
    case 'date':
      return new IntColumn(type, path, required)
    case 'boolean':
      return new BoolColumn(path, required)
    case 'string':
      return new StringColumn(path, required)
    case 'binary':
    case 'uuid':
      return new BytesColumn(type, path, required)
  }
  if (type === 'long' || type === 'time' || type.startsWith('timestamp'))
    return new LongColumn(type, path, required)
  if (type.startsWith('fixed')) return new BytesColumn(type, path, required)
  return undefined // decimals take the row writer
}
