/**
 * A `ColumnBatch` as plain data a worker thread can be sent (structured clone: typed arrays are copied
 * as memory, strings as strings, a string column as its codes and its dictionary's strings), and back
 * into a batch on the other side. The schema travels apart.
 */
import type { Schema } from '../schema/types.ts'
import { type AnyColumn, ColumnBatch } from './batch.ts'
import { StringDictionary } from './string-column.ts'

/** One column as plain data: its slots and, by kind, its values or its item columns. */
export interface ColumnData {
  readonly length: number
  readonly nulls: number
  readonly valid: Uint8Array
  readonly values?: ArrayLike<unknown>
  /** A string column's codes (its `values` are then the dictionary's strings). */
  readonly codes?: Int32Array<ArrayBuffer>
  readonly offsets?: Int32Array<ArrayBuffer>
  readonly items?: readonly ColumnData[]
}

/** The columns of a batch as plain data, trimmed to their length (the batch itself is left as it is). */
export function exportBatch(batch: ColumnBatch): ColumnData[] {
  return batch.columns.map(exportColumn)
}

function exportColumn(c: AnyColumn): ColumnData {
  const slots = { length: c.length, nulls: c.nulls, valid: c.valid.slice(0, c.length) }
  switch (c.kind) {
    case 'list':
      return { ...slots, offsets: c.offsets.slice(0, c.length + 1), items: [exportColumn(c.element)] }
    case 'map':
      return {
        ...slots,
        offsets: c.offsets.slice(0, c.length + 1),
        items: [exportColumn(c.keys), exportColumn(c.values)],
      }
    case 'string': {
      const { codes, strings } = c.compacted()
      return { ...slots, codes, values: strings }
    }
    case 'bytes':
      return { ...slots, values: c.values }
    default:
      return { ...slots, values: c.values.slice(0, c.length) }
  }
}

/** The batch of `schema` whose columns are `data` (as made by `exportBatch` from a batch of that schema). */
export function importBatch(schema: Schema, data: readonly ColumnData[]): ColumnBatch {
  const batch = ColumnBatch.of(schema)
  if (batch === undefined || batch.columns.length !== data.length)
    throw new TypeError('the column data does not fit the schema')
  for (const [i, c] of batch.columns.entries()) importColumn(c, data[i]!)
  return batch
}

function importColumn(c: AnyColumn, d: ColumnData): void {
  const target = c as { length: number; nulls: number; valid: Uint8Array }
  target.length = d.length
  target.nulls = d.nulls
  target.valid = d.valid
  switch (c.kind) {
    case 'list':
      c.offsets = d.offsets!
      importColumn(c.element, d.items![0]!)
      return
    case 'map':
      c.offsets = d.offsets!
      importColumn(c.keys, d.items![0]!)
      importColumn(c.values, d.items![1]!)
      return
    case 'string':
      c.codes = d.codes!
      c.adopt(new StringDictionary(d.values as string[]))
      return
    case 'long':
      c.values = d.values as BigInt64Array<ArrayBuffer>
      c.halves = new Int32Array(c.values.buffer, c.values.byteOffset, c.values.length * 2)
      return
    default:
      ;(c as { values: unknown }).values = d.values
  }
}
