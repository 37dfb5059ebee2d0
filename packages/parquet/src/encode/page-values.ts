/**
 * Values of a page: PLAIN (the bytes of the typed arrays themselves, skipping nulls), or a string
 * dictionary with an index per non-null slot when the strings repeat.
 */

import type { LeafColumn } from '../batch/columns.ts'
import type { StringColumn } from '../batch/string-column.ts'
import type { ByteSink } from './bytes.ts'

/** Dictionaries stop at this many distinct values (indexes of at most 20 bits) or bytes. */
const MAX_DICTIONARY_VALUES = 1 << 16
const MAX_DICTIONARY_BYTES = 1 << 20

/**
 * The dictionary of slots s0 … s1 of a string column (its non-null strings, in order of first
 * appearance, and an index per non-null slot), or undefined when it would not pay.
 */
export function stringDictionary(column: StringColumn, s0: number, s1: number) {
  const { codes, valid } = column
  const strings = column.dictionary.strings
  const n = s1 - s0
  if (n === 0) return undefined
  // A spread sample rejects columns of mostly distinct values (ids) before building anything.
  const sample = new Set<number>()
  const step = Math.max(1, Math.floor(n / 256))
  let sampled = 0
  for (let i = s0; i < s1; i += step, sampled++) if (valid[i] === 1) sample.add(codes[i]!)
  if (sampled >= 32 && sample.size > sampled / 2) return undefined
  // The column's codes are the batch's; each chunk numbers its own strings from 0 (an object when
  // the batch's dictionary dwarfs the chunk, so many small chunks do not each clear a big array).
  const local: Int32Array | Record<number, number> =
    strings.length <= 8 * n + 1024 ? new Int32Array(strings.length).fill(-1) : {}
  const dict: string[] = []
  // A string appended under two codes (a column of mostly distinct strings) still gets one index
  const byString = new Map<string, number>()
  const indexes = new Int32Array(n - countNulls(valid, s0, s1))
  let bytes = 0
  let k = 0
  for (let i = s0; i < s1; i++) {
    if (valid[i] === 0) continue
    const code = codes[i]!
    let id = local[code] ?? -1
    if (id < 0) {
      const v = strings[code]!
      id = byString.get(v) ?? -1
      if (id < 0) {
        id = dict.length
        byString.set(v, id)
        dict.push(v)
        bytes += v.length
        if (dict.length > MAX_DICTIONARY_VALUES || bytes > MAX_DICTIONARY_BYTES || dict.length > n / 2 + 16)
          return undefined
      }
      local[code] = id
    }
    indexes[k++] = id
  }
  return { dict, indexes }
}

/** Null slots among s0 … s1. */
export function countNulls(valid: Uint8Array, s0: number, s1: number): number {
  let nulls = 0
  for (let i = s0; i < s1; i++) nulls += 1 - valid[i]!
  return nulls
}

/** Appends the non-null values of slots a … b of a typed array, PLAIN. */
function plainTyped(
  out: ByteSink,
  values: ArrayBufferView & { length: number },
  valid: Uint8Array,
  a: number,
  b: number,
) {
  const width = (values as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.length * width)
  let i = a
  while (i < b) {
    while (i < b && valid[i] === 0) i++
    let j = i
    while (j < b && valid[j] === 1) j++
    if (j > i) out.append(bytes.subarray(i * width, j * width))
    i = j
  }
}

/** Appends the non-null values of slots a … b, PLAIN. */
export function plainValues(out: ByteSink, column: LeafColumn, a: number, b: number): void {
  const { valid } = column
  switch (column.kind) {
    case 'float':
    case 'int':
    case 'long':
      plainTyped(out, column.values, valid, a, b)
      return
    case 'bool': {
      let acc = 0
      let bits = 0
      for (let i = a; i < b; i++) {
        if (valid[i] === 0) continue
        acc |= column.values[i]! << bits
        if (++bits === 8) {
          out.u8(acc)
          acc = bits = 0
        }
      }
      if (bits > 0) out.u8(acc)
      return
    }
    case 'string':
      for (let i = a; i < b; i++) if (valid[i] === 1) out.plainString(column.at(i))
      return
    case 'bytes':
      for (let i = a; i < b; i++) {
        if (valid[i] === 0) continue
        if (column.width === undefined) out.plainBytes(column.values[i]!)
        else out.append(column.values[i]!)
      }
  }
}

/** Rough PLAIN size of slots s0 … s1, to cut pages. */
export function estimateBytes(column: LeafColumn, s0: number, s1: number): number {
  switch (column.kind) {
    case 'float':
    case 'int':
    case 'long':
      return (s1 - s0) * column.values.BYTES_PER_ELEMENT
    case 'bool':
      return (s1 - s0) / 8
    case 'string': {
      let n = 4 * (s1 - s0)
      for (let i = s0; i < s1; i++) if (column.valid[i] === 1) n += column.at(i).length
      return n
    }
    case 'bytes': {
      let n = 4 * (s1 - s0)
      for (let i = s0; i < s1; i++) n += column.values[i]!.length
      return n
    }
  }
}
