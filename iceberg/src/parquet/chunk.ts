/**
 * One column chunk (a leaf column over a row group) as Parquet pages, straight from typed arrays:
 * repetition/definition levels in the RLE/bit-packing hybrid, values PLAIN (bytes of the typed array
 * itself where there are no nulls) or, for strings that repeat, a dictionary page and RLE_DICTIONARY
 * indexes. Data pages are v2 (levels uncompressed, values compressed), split at row boundaries.
 */
import type { ColumnMetaData, CompressionCodec, Encoding, SchemaElement } from 'hyparquet'
import { ByteWriter } from 'hyparquet-writer'
import { writePageHeader } from 'hyparquet-writer/src/datapage.js'
import { ByteSink, bitWidthOf } from './bytes.ts'
import type { LeafColumn, ListColumn, MapColumn, StringColumn } from './columns.ts'
import { leafStats, type SlotStats } from './stats.ts'

/** A leaf column and where it sits in the Parquet schema. */
export interface Leaf {
  readonly column: LeafColumn
  readonly element: SchemaElement
  readonly path: readonly string[]
  /** The list or map the leaf is inside; undefined for a top-level column. */
  readonly parent: ListColumn | MapColumn | undefined
  readonly maxDef: number
  readonly maxRep: number
}

/** How pages are compressed and cut. */
export interface PageOptions {
  readonly codec: CompressionCodec
  readonly compress: (bytes: Uint8Array) => Uint8Array
  readonly pageSize: number
}

/** An encoded chunk: its bytes (in parts), its metadata (offsets relative to its start), its stats. */
export interface EncodedChunk {
  readonly parts: Uint8Array[]
  readonly byteLength: number
  readonly meta: ColumnMetaData
  readonly stats: SlotStats
}

/** Dictionaries stop at this many distinct values (indexes of at most 20 bits) or bytes. */
const MAX_DICTIONARY_VALUES = 1 << 16
const MAX_DICTIONARY_BYTES = 1 << 20

const levelSink = new ByteSink()
const valueSink = new ByteSink()

/** Levels of rows r0 … r1 of a leaf inside a list or map, and where each row's levels start. */
function nestedLevels(leaf: Leaf, parent: ListColumn | MapColumn, r0: number, r1: number) {
  const { offsets, valid } = parent
  const slotDef = leaf.column.required ? leaf.maxDef : leaf.maxDef - 1
  const emptyDef = slotDef - 1
  let count = 0
  for (let r = r0; r < r1; r++) count += Math.max(1, offsets[r + 1]! - offsets[r]!)
  const def = new Uint8Array(count)
  const rep = new Uint8Array(count)
  const starts = new Int32Array(r1 - r0 + 1)
  const leafValid = leaf.column.valid
  let k = 0
  for (let r = r0; r < r1; r++) {
    starts[r - r0] = k
    const from = offsets[r]!
    const to = offsets[r + 1]!
    if (valid[r] === 0) def[k++] = 0
    else if (from === to) def[k++] = emptyDef
    else {
      for (let s = from; s < to; s++) {
        rep[k] = s === from ? 0 : 1
        def[k++] = slotDef + leafValid[s]! * (leaf.maxDef - slotDef)
      }
    }
  }
  starts[r1 - r0] = k
  return { def, rep, starts }
}

/** A string dictionary over slots s0 … s1 (non-null ones, in order), or undefined when it would not pay. */
function stringDictionary(column: StringColumn, s0: number, s1: number) {
  const { values, valid } = column
  const n = s1 - s0
  if (n === 0) return undefined
  // A spread sample rejects columns of mostly distinct values (ids) before building anything.
  const sample = new Set<string>()
  const step = Math.max(1, Math.floor(n / 256))
  let sampled = 0
  for (let i = s0; i < s1; i += step, sampled++) sample.add(values[i]!)
  if (sampled >= 32 && sample.size > sampled / 2) return undefined
  const ids = new Map<string, number>()
  const dict: string[] = []
  const indexes = new Int32Array(n - countNulls(valid, s0, s1))
  let bytes = 0
  let k = 0
  // Neighbours often repeat (a batch's platform, unit, zone): comparing with the last value is
  // cheaper than hashing a freshly decoded string.
  let last = ''
  let lastId = -1
  for (let i = s0; i < s1; i++) {
    if (valid[i] === 0) continue
    const v = values[i]!
    if (lastId >= 0 && v === last) {
      indexes[k++] = lastId
      continue
    }
    let id = ids.get(v)
    if (id === undefined) {
      id = dict.length
      ids.set(v, id)
      dict.push(v)
      bytes += v.length
      if (dict.length > MAX_DICTIONARY_VALUES || bytes > MAX_DICTIONARY_BYTES || dict.length > n / 2 + 16)
        return undefined
    }
    indexes[k++] = id
    last = v
    lastId = id
  }
  return { dict, indexes }
}

function countNulls(valid: Uint8Array, s0: number, s1: number): number {
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
function plainValues(out: ByteSink, column: LeafColumn, a: number, b: number): void {
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
      for (let i = a; i < b; i++) if (valid[i] === 1) out.plainString(column.values[i]!)
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
function estimateBytes(column: LeafColumn, s0: number, s1: number): number {
  switch (column.kind) {
    case 'float':
    case 'int':
    case 'long':
      return (s1 - s0) * column.values.BYTES_PER_ELEMENT
    case 'bool':
      return (s1 - s0) / 8
    case 'string':
    case 'bytes': {
      let n = 4 * (s1 - s0)
      for (let i = s0; i < s1; i++) n += column.values[i]!.length
      return n
    }
  }
}

/** Writes a page (header, levels, compressed values) to `parts`; returns its uncompressed size. */
function page(
  parts: Uint8Array[],
  o: PageOptions,
  header: (compressedValues: number) => Parameters<typeof writePageHeader>[1],
  levels: Uint8Array,
  values: Uint8Array,
): { compressed: number; uncompressed: number } {
  const body = o.codec === 'UNCOMPRESSED' ? values.slice() : o.compress(values)
  const writer = new ByteWriter(64)
  writePageHeader(writer, header(body.length))
  const head = writer.getBytes()
  parts.push(head)
  if (levels.length > 0) parts.push(levels.slice())
  parts.push(body)
  return {
    compressed: head.length + levels.length + body.length,
    uncompressed: head.length + levels.length + values.length,
  }
}

/** Encodes rows r0 … r1 of a leaf column as one column chunk. */
export function encodeChunk(leaf: Leaf, r0: number, r1: number, o: PageOptions): EncodedChunk {
  const { column, maxDef, maxRep, element } = leaf
  const nested = leaf.parent === undefined ? undefined : nestedLevels(leaf, leaf.parent, r0, r1)
  const slotAt = (r: number) => (leaf.parent === undefined ? r : leaf.parent.offsets[r]!)
  const levelAt = (r: number) => (nested === undefined ? r - r0 : nested.starts[r - r0]!)
  const s0 = slotAt(r0)
  const s1 = slotAt(r1)
  const dictionary = column.kind === 'string' ? stringDictionary(column, s0, s1) : undefined
  const stats = leafStats(column, s0, s1, dictionary?.dict)
  const parts: Uint8Array[] = []
  let compressed = 0
  let uncompressed = 0
  const encodings: Encoding[] = []
  let dataOffset = 0
  if (dictionary !== undefined) {
    valueSink.reset()
    for (const v of dictionary.dict) valueSink.plainString(v)
    const size = page(
      parts,
      o,
      (c) => ({
        type: 'DICTIONARY_PAGE',
        uncompressed_page_size: valueSink.length,
        compressed_page_size: c,
        dictionary_page_header: { num_values: dictionary.dict.length, encoding: 'PLAIN' },
      }),
      new Uint8Array(0),
      valueSink.view(),
    )
    compressed += size.compressed
    uncompressed += size.uncompressed
    dataOffset = compressed
    encodings.push('PLAIN')
  }
  const encoding: Encoding = dictionary === undefined ? 'PLAIN' : 'RLE_DICTIONARY'
  encodings.push(encoding)
  const estimate = dictionary === undefined ? estimateBytes(column, s0, s1) : dictionary.indexes.length * 2
  const pages = Math.max(1, Math.ceil(estimate / o.pageSize))
  const rowsPerPage = Math.ceil((r1 - r0) / pages)
  const defWidth = bitWidthOf(maxDef)
  const repWidth = bitWidthOf(maxRep)
  const flatDef = nested === undefined && maxDef > 0 ? column.valid : undefined
  let indexCursor = 0
  let pageCount = 0
  for (let p0 = r0; p0 < r1; p0 += rowsPerPage) {
    const p1 = Math.min(r1, p0 + rowsPerPage)
    const [l0, l1, a, b] = [levelAt(p0), levelAt(p1), slotAt(p0), slotAt(p1)]
    levelSink.reset()
    if (nested !== undefined) levelSink.hybrid(nested.rep, l0, l1, repWidth)
    const repBytes = levelSink.length
    if (nested !== undefined) levelSink.hybrid(nested.def, l0, l1, defWidth)
    else if (flatDef !== undefined) levelSink.hybrid(flatDef, p0, p1, defWidth)
    const defBytes = levelSink.length - repBytes
    const nonNull = b - a - countNulls(column.valid, a, b)
    valueSink.reset()
    if (dictionary === undefined) plainValues(valueSink, column, a, b)
    else {
      const width = bitWidthOf(dictionary.dict.length - 1)
      valueSink.u8(width)
      valueSink.hybrid(dictionary.indexes, indexCursor, indexCursor + nonNull, width)
      indexCursor += nonNull
    }
    const size = page(
      parts,
      o,
      (c) => ({
        type: 'DATA_PAGE_V2',
        uncompressed_page_size: levelSink.length + valueSink.length,
        compressed_page_size: levelSink.length + c,
        data_page_header_v2: {
          num_values: l1 - l0,
          num_nulls: l1 - l0 - nonNull,
          num_rows: p1 - p0,
          encoding,
          definition_levels_byte_length: defBytes,
          repetition_levels_byte_length: repBytes,
          is_compressed: o.codec !== 'UNCOMPRESSED',
        },
      }),
      levelSink.view(),
      valueSink.view(),
    )
    compressed += size.compressed
    uncompressed += size.uncompressed
    pageCount++
  }
  const levelCount = levelAt(r1)
  return {
    parts,
    byteLength: compressed,
    stats,
    meta: {
      type: element.type!,
      encodings,
      path_in_schema: [...leaf.path],
      codec: o.codec,
      num_values: BigInt(levelCount),
      total_uncompressed_size: BigInt(uncompressed),
      total_compressed_size: BigInt(compressed),
      data_page_offset: BigInt(dataOffset),
      ...(dictionary === undefined ? {} : { dictionary_page_offset: 0n }),
      encoding_stats: [
        ...(dictionary === undefined
          ? []
          : [{ page_type: 'DICTIONARY_PAGE' as const, encoding: 'PLAIN' as const, count: 1 }]),
        { page_type: 'DATA_PAGE_V2', encoding, count: pageCount },
      ],
    },
  }
}
