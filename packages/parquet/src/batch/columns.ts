/**
 * Columns of primitive values in typed arrays, filled row by row: what the columnar Parquet encoder
 * reads. Values are checked and converted once, on the way in (a long from a number or a bigint, a
 * UUID string to its 16 bytes), and nulls are a validity byte per slot. Longs live in a
 * `BigInt64Array` read through an `Int32Array` view, so neither filling nor encoding makes a bigint;
 * strings are codes into a dictionary (`string-column.ts`).
 */
import type { PrimitiveType } from '../schema/types.ts'
import { uuidToBytes } from '../schema/values.ts'
import { Column, grown, invalid } from './column.ts'
import { StringColumn } from './string-column.ts'

const TWO_32 = 4294967296
const TWO_63 = 2 ** 63
const MIN_LONG = -(2n ** 63n)
const MAX_LONG = 2n ** 63n - 1n

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
