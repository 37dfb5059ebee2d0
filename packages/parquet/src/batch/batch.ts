/**
 * Rows of a schema as columns: lists and maps of primitives over the leaf columns of `columns.ts`,
 * and the batch that fills them row by row.
 */
import type { FieldType, PrimitiveValue, Schema } from '../schema/types.ts'
import { isPrimitive } from '../schema/values.ts'
import { leafStats } from '../stats/slots.ts'
import { Column, grown, invalid, LITTLE_ENDIAN } from './column.ts'
import { type LeafColumn, leafColumn } from './columns.ts'

/** A column whose rows are runs of child slots: row i holds slots offsets[i] … offsets[i + 1]. */
abstract class NestedColumn extends Column {
  offsets = new Int32Array(65)

  /** Appends the items of a non-null value to the child columns. */
  protected abstract pushItems(value: object): void
  /** Slots in the child columns so far. */
  protected abstract get childLength(): number
  /** Drops the child slots from `n` on. */
  protected abstract truncateItems(n: number): void

  /** Also drops items a failed row left behind (its items go in before its own slot is counted). */
  override truncate(n: number): void {
    if (n > this.length) return
    super.truncate(n)
    this.truncateItems(this.offsets[n]!)
  }

  override reserve(n: number): void {
    super.reserve(n)
    this.offsets = grown(this.offsets, n + 1)
  }

  push(value: unknown): void {
    const i = this.length
    if (i + 1 >= this.offsets.length) this.offsets = grown(this.offsets, i + 2)
    if (this.slot(value)) {
      if (typeof value !== 'object') invalid(`column ${this.path} must be a list or a map`)
      this.pushItems(value as object)
    }
    this.offsets[i + 1] = this.childLength
    this.length = i + 1
  }
}

/** `list<primitive>`: the elements of every row, one after the other, in `element`. */
export class ListColumn extends NestedColumn {
  readonly kind = 'list'
  readonly element: LeafColumn

  constructor(element: LeafColumn, path: string, required: boolean) {
    super(path, required)
    this.element = element
  }

  protected get childLength(): number {
    return this.element.length
  }

  protected truncateItems(n: number): void {
    this.element.truncate(n)
  }

  protected pushItems(value: object): void {
    if (!Array.isArray(value)) invalid(`column ${this.path} must be an array`)
    for (const v of value) this.element.push(v)
  }
}

/** `map<primitive, primitive>` (a Map or a plain object): the entries of every row in `keys`/`values`. */
export class MapColumn extends NestedColumn {
  readonly kind = 'map'
  readonly keys: LeafColumn
  readonly values: LeafColumn

  constructor(keys: LeafColumn, values: LeafColumn, path: string, required: boolean) {
    super(path, required)
    this.keys = keys
    this.values = values
  }

  protected get childLength(): number {
    return this.keys.length
  }

  protected truncateItems(n: number): void {
    this.keys.truncate(n)
    this.values.truncate(n)
  }

  protected pushItems(value: object): void {
    if (value instanceof Map) {
      for (const [k, v] of value) {
        this.keys.push(k)
        this.values.push(v)
      }
      return
    }
    const o = value as Record<string, unknown>
    for (const k in o) {
      if (!Object.hasOwn(o, k)) continue
      this.keys.push(k)
      this.values.push(o[k])
    }
  }
}

/** A top-level column. */
export type AnyColumn = LeafColumn | ListColumn | MapColumn

function column(type: FieldType, path: string, required: boolean): AnyColumn | undefined {
  if (isPrimitive(type)) return leafColumn(type, path, required)
  if (type.type === 'list' && isPrimitive(type.element)) {
    const element = leafColumn(type.element, `${path}.element`, type.elementRequired)
    return element && new ListColumn(element, path, required)
  }
  if (type.type === 'map' && isPrimitive(type.key) && isPrimitive(type.value)) {
    const keys = leafColumn(type.key, `${path}.key`, true)
    const values = leafColumn(type.value, `${path}.value`, type.valueRequired)
    return keys && values && new MapColumn(keys, values, path, required)
  }
  return undefined // structs and nested collections take the row writer
}

type Push = (row: Readonly<Record<string, unknown>>) => void

/**
 * A function appending a row to the columns: generated, so each column has its own property load and
 * its own `push` call site (both monomorphic, where one loop over the columns would make them
 * megamorphic and several times slower); a plain loop where code cannot be generated.
 */
function rowPusher(columns: readonly AnyColumn[], names: readonly string[]): Push {
  try {
    const locals = names.map((_, i) => `const c${i} = columns[${i}];`).join('\n')
    const body = names.map((name, i) => `c${i}.push(row[${JSON.stringify(name)}]);`).join('\n')
    const make = new Function('columns', `${locals}\nreturn function push(row) {\n${body}\n}`)
    return make(columns) as Push
  } catch {
    return (row) => {
      for (let c = 0; c < names.length; c++) columns[c]!.push(row[names[c]!])
    }
  }
}

/** Rows of one schema, column by column. */
export class ColumnBatch {
  readonly schema: Schema
  readonly columns: readonly AnyColumn[]
  readonly #push: Push

  private constructor(schema: Schema, columns: AnyColumn[]) {
    this.schema = schema
    this.columns = columns
    this.#push = rowPusher(
      columns,
      schema.fields.map((f) => f.name),
    )
  }

  /** Appends a row (an object keyed by column name); a bad value throws and leaves the batch as it was. */
  push(row: Readonly<Record<string, unknown>>): void {
    this.append(() => {
      this.#push(row)
      return true
    })
  }

  /**
   * Appends a row that `fill` writes into the columns itself, one value each, and returns what `fill`
   * returned. When `fill` returns false or throws, the batch is left as it was; one that returns true
   * without giving every column exactly one value is undone and throws.
   */
  append(fill: (columns: readonly AnyColumn[]) => boolean): boolean {
    const n = this.length
    let done = false
    try {
      done = fill(this.columns)
      if (done) {
        let filled = 0
        for (const c of this.columns) if (c.length === n + 1) filled++
        if (filled !== this.columns.length) {
          done = false
          invalid(`a row filled ${filled} of ${this.columns.length} columns`)
        }
      }
    } finally {
      if (!done) for (const c of this.columns) c.truncate(n)
    }
    return done
  }

  /**
   * A batch for the schema (room for `capacity` rows up front), or undefined when a column has a type
   * batches do not hold, or on a big-endian machine (pages are written from the arrays' own bytes).
   */
  static of(schema: Schema, capacity = 0): ColumnBatch | undefined {
    if (!LITTLE_ENDIAN) return undefined
    const columns: AnyColumn[] = []
    for (const f of schema.fields) {
      const c = column(f.type, f.name, f.required)
      if (c === undefined) return undefined
      c.reserve(capacity)
      columns.push(c)
    }
    return new ColumnBatch(schema, columns)
  }

  /**
   * The largest value of a top-level primitive column in rows `from` … the last, nulls aside; undefined
   * when they have none.
   */
  largest(name: string, from = 0): PrimitiveValue | undefined {
    const c = this.columns[this.schema.fields.findIndex((f) => f.name === name)]
    if (c === undefined || c.kind === 'list' || c.kind === 'map' || from >= c.length) return undefined
    return leafStats(c, from, c.length).max
  }

  get length(): number {
    return this.columns[0]?.length ?? 0
  }
}
