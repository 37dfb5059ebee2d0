/**
 * One column chunk (a leaf column over a row group) as Parquet pages, straight from typed arrays:
 * repetition/definition levels in the RLE/bit-packing hybrid, values PLAIN (bytes of the typed array
 * itself where there are no nulls) or, for strings that repeat, a dictionary page and RLE_DICTIONARY
 * indexes. Data pages are v2 (levels uncompressed, values compressed), split at row boundaries.
 */
import type { SchemaElement } from 'hyparquet'
import type { ListColumn, MapColumn } from '../batch/batch.ts'
import type { LeafColumn } from '../batch/columns.ts'
import { leafStats } from '../stats/slots.ts'
import type { SlotStats } from '../stats/types.ts'
import { writePageHeader } from '../thrift/metadata.ts'
import type { ChunkMetaData, Codec, EncodingCount, PageHeader, ValueEncoding } from '../thrift/types.ts'
import { ByteSink, bitWidthOf } from './bytes.ts'
import { countNulls, estimateBytes, plainValues, stringDictionary } from './page-values.ts'
import { chunkStatistics } from './statistics.ts'

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
  readonly codec: Codec
  readonly compress: (bytes: Uint8Array) => Uint8Array
  readonly pageSize: number
}

/** An encoded chunk: its bytes (in parts), its metadata (offsets relative to its start), its stats. */
export interface EncodedChunk {
  readonly parts: Uint8Array[]
  readonly byteLength: number
  readonly meta: ChunkMetaData
  readonly stats: SlotStats
}

// Reused from page to page and chunk to chunk: pages are copied out of them
const levelSink = new ByteSink()
const valueSink = new ByteSink()
const headerSink = new ByteSink(256)

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

/** The pages of a chunk as they are written, and their sizes so far. */
class Pages {
  readonly o: PageOptions
  readonly parts: Uint8Array[] = []
  compressed = 0
  uncompressed = 0
  dataPages = 0

  constructor(o: PageOptions) {
    this.o = o
  }

  /** Adds a page: its header (given the size of the compressed values), its levels, its values compressed. */
  add(header: (compressedValues: number) => PageHeader, levels: Uint8Array, values: Uint8Array): void {
    const body = this.o.codec === 'UNCOMPRESSED' ? values.slice() : this.o.compress(values)
    writePageHeader(headerSink.reset(), header(body.length))
    const head = headerSink.view().slice()
    this.parts.push(head)
    if (levels.length > 0) this.parts.push(levels.slice())
    this.parts.push(body)
    this.compressed += head.length + levels.length + body.length
    this.uncompressed += head.length + levels.length + values.length
  }
}

type Dictionary = NonNullable<ReturnType<typeof stringDictionary>>

/** Where the rows of a chunk are: their slots in the leaf column, their levels in `nested`. */
interface Layout {
  readonly nested: ReturnType<typeof nestedLevels> | undefined
  readonly slotAt: (row: number) => number
  readonly levelAt: (row: number) => number
}

function layoutOf(leaf: Leaf, r0: number, r1: number): Layout {
  const { parent } = leaf
  if (parent === undefined) return { nested: undefined, slotAt: (r) => r, levelAt: (r) => r - r0 }
  const nested = nestedLevels(leaf, parent, r0, r1)
  return { nested, slotAt: (r) => parent.offsets[r]!, levelAt: (r) => nested.starts[r - r0]! }
}

function dictionaryPage(pages: Pages, dictionary: Dictionary): void {
  valueSink.reset()
  for (const v of dictionary.dict) valueSink.plainString(v)
  pages.add(
    (c) => ({
      type: 'DICTIONARY_PAGE',
      uncompressedSize: valueSink.length,
      compressedSize: c,
      dictionary: { values: dictionary.dict.length, encoding: 'PLAIN' },
    }),
    new Uint8Array(0),
    valueSink.view(),
  )
}

/** The data pages of rows r0 … r1, cut at row boundaries so each holds about `pageSize` bytes of values. */
function dataPages(
  pages: Pages,
  leaf: Leaf,
  at: Layout,
  r0: number,
  r1: number,
  dictionary?: Dictionary,
): void {
  const { column, maxDef, maxRep } = leaf
  const { nested, slotAt, levelAt } = at
  const encoding: ValueEncoding = dictionary === undefined ? 'PLAIN' : 'RLE_DICTIONARY'
  const estimate =
    dictionary === undefined ? estimateBytes(column, slotAt(r0), slotAt(r1)) : dictionary.indexes.length * 2
  const rowsPerPage = Math.ceil((r1 - r0) / Math.max(1, Math.ceil(estimate / pages.o.pageSize)))
  const defWidth = bitWidthOf(maxDef)
  const repWidth = bitWidthOf(maxRep)
  const flatDef = nested === undefined && maxDef > 0 ? column.valid : undefined
  let indexCursor = 0
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
    pages.add(
      (c) => ({
        type: 'DATA_PAGE_V2',
        uncompressedSize: levelSink.length + valueSink.length,
        compressedSize: levelSink.length + c,
        dataV2: {
          values: l1 - l0,
          nulls: l1 - l0 - nonNull,
          rows: p1 - p0,
          encoding,
          definitionBytes: defBytes,
          repetitionBytes: repBytes,
          compressed: pages.o.codec !== 'UNCOMPRESSED',
        },
      }),
      levelSink.view(),
      valueSink.view(),
    )
    pages.dataPages++
  }
}

/** Encodes rows r0 … r1 of a leaf column as one column chunk. */
export function encodeChunk(leaf: Leaf, r0: number, r1: number, o: PageOptions): EncodedChunk {
  const { column, element } = leaf
  const at = layoutOf(leaf, r0, r1)
  const [s0, s1] = [at.slotAt(r0), at.slotAt(r1)]
  const dictionary = column.kind === 'string' ? stringDictionary(column, s0, s1) : undefined
  const stats = leafStats(column, s0, s1, dictionary?.dict)
  const pages = new Pages(o)
  if (dictionary !== undefined) dictionaryPage(pages, dictionary)
  const dataPageOffset = pages.compressed
  dataPages(pages, leaf, at, r0, r1, dictionary)
  const encoding: ValueEncoding = dictionary === undefined ? 'PLAIN' : 'RLE_DICTIONARY'
  const counts: EncodingCount[] = [{ pageType: 'DATA_PAGE_V2', encoding, count: pages.dataPages }]
  return {
    parts: pages.parts,
    byteLength: pages.compressed,
    stats,
    meta: {
      type: element.type!,
      encodings: dictionary === undefined ? [encoding] : ['PLAIN', encoding],
      path: leaf.path,
      codec: o.codec,
      values: at.levelAt(r1),
      uncompressedSize: pages.uncompressed,
      compressedSize: pages.compressed,
      dataPageOffset,
      ...(dictionary === undefined ? {} : { dictionaryPageOffset: 0 }),
      statistics: chunkStatistics(stats, element),
      encodingCounts:
        dictionary === undefined
          ? counts
          : [{ pageType: 'DICTIONARY_PAGE', encoding: 'PLAIN', count: 1 }, ...counts],
    },
  }
}
