/** What every column of a batch has (a length, validity per slot), and helpers the column kinds share. */
import { ParquetError } from '../errors.ts'

/** True on little-endian machines, where typed arrays already hold Parquet's byte order. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Throws the error of a value a column cannot take. */
export function invalid(message: string): never {
  throw new ParquetError('INVALID_ARGUMENT', message)
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
    // Only the dropped slots: a null is counted when its slot is, so this stays exact (and undoing a
    // row costs that row, not the whole batch)
    for (let i = n; i < this.length; i++) this.nulls -= 1 - this.valid[i]!
    this.length = n
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
