/**
 * One column chunk (a leaf column over a row group) as Parquet pages, straight from typed arrays:
 * repetition/definition levels in the RLE/bit-packing hybrid, values PLAIN (bytes of the typed array
 * itself where there are no nulls) or, for strings that repeat, a dictionary page and RLE_DICTIONARY
 * indexes. Data pages are v2 (levels uncompressed, values compressed), split at row boundaries.
 */
import type { ColumnMetaData, CompressionCodec, Encoding, SchemaElement } from 'hyparquet'
import { ByteWriter } from 'hyparquet-writer'
import { writePageHeader } from 'hyparquet-writer/src/datapage.js'
import type { ListColumn, MapColumn } from './batch.ts'
import { ByteSink, bitWidthOf } from './bytes.ts'
import type { LeafColumn } from './columns.ts'
import { leafStats, type SlotStats } from './stats.ts'
import { countNulls, estimateBytes, plainValues, stringDictionary } from './values.ts'

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
