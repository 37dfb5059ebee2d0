/**
 * A Parquet file from a `ColumnBatch`: row groups of column chunks encoded from typed arrays
 * (`encode/chunk.ts`), the footer in Thrift's compact protocol (`thrift/`), and the facts a table
 * format records about the file (statistics, column sizes, split offsets) from the same pass: nothing
 * is parsed back.
 */
import type { SchemaElement } from 'hyparquet'
import type { ColumnBatch } from '../batch/batch.ts'
import { ByteSink } from '../encode/bytes.ts'
import { type EncodedChunk, encodeChunk, type Leaf, type PageOptions } from '../encode/chunk.ts'
import { zstdCompressor } from '../encode/codecs.ts'
import { parquetSchemaOf } from '../schema/elements.ts'
import type { PrimitiveType } from '../schema/types.ts'
import { isPrimitive } from '../schema/values.ts'
import { mergeStats, NO_STATS } from '../stats/slots.ts'
import type { ColumnStats, SlotStats } from '../stats/types.ts'
import { writeFileMetaData } from '../thrift/metadata.ts'
import type { ChunkMetaData, RowGroup } from '../thrift/types.ts'
import { CREATED_BY } from './created-by.ts'
import type { ParquetWriteOptions, WrittenParquet } from './types.ts'

const MAGIC = new TextEncoder().encode('PAR1')

interface PlacedLeaf extends Leaf {
  readonly fieldId: number
  /** The type when the leaf is a top-level column (the ones with statistics in the result). */
  readonly statsType: PrimitiveType | undefined
}

/** The leaves of a batch in Parquet schema order, with their elements and level bounds. */
function placeLeaves(batch: ColumnBatch, elements: readonly SchemaElement[]): PlacedLeaf[] {
  const leaves: PlacedLeaf[] = []
  let e = 1
  batch.schema.fields.forEach((field, c) => {
    const column = batch.columns[c]!
    const top = field.required ? 0 : 1
    if (column.kind === 'list') {
      const element = elements[e + 2]!
      const maxDef = top + 1 + (column.element.required ? 0 : 1)
      leaves.push({
        column: column.element,
        element,
        path: [field.name, 'list', 'element'],
        parent: column,
        maxDef,
        maxRep: 1,
        fieldId: element.field_id!,
        statsType: undefined,
      })
      e += 3
    } else if (column.kind === 'map') {
      for (const [leaf, at] of [
        [column.keys, 2],
        [column.values, 3],
      ] as const) {
        const element = elements[e + at]!
        leaves.push({
          column: leaf,
          element,
          path: [field.name, 'key_value', element.name],
          parent: column,
          maxDef: top + 1 + (leaf.required ? 0 : 1),
          maxRep: 1,
          fieldId: element.field_id!,
          statsType: undefined,
        })
      }
      e += 4
    } else {
      leaves.push({
        column,
        element: elements[e]!,
        path: [field.name],
        parent: undefined,
        maxDef: top,
        maxRep: 0,
        fieldId: field.id,
        statsType: isPrimitive(field.type) ? field.type : undefined,
      })
      e += 1
    }
  })
  return leaves
}

function pageOptions(options: ParquetWriteOptions): PageOptions {
  const codec = options.compression ?? 'ZSTD'
  const compress =
    codec === 'ZSTD' ? (options.zstd ?? zstdCompressor(options.zstdLevel)) : (b: Uint8Array) => b
  return { codec, compress, pageSize: options.pageSize ?? 1024 * 1024 }
}

/** A chunk's metadata with its offsets moved from the chunk's start to the file's. */
function placed(meta: ChunkMetaData, offset: number): ChunkMetaData {
  const { dictionaryPageOffset, ...rest } = meta
  return {
    ...rest,
    dataPageOffset: meta.dataPageOffset + offset,
    ...(dictionaryPageOffset === undefined ? {} : { dictionaryPageOffset: dictionaryPageOffset + offset }),
  }
}

/** Encodes a batch as a Parquet file, with the statistics and sizes a table format records about it. */
export function writeColumnBatch(batch: ColumnBatch, options: ParquetWriteOptions = {}): WrittenParquet {
  const elements = parquetSchemaOf(batch.schema)
  const leaves = placeLeaves(batch, elements)
  const o = pageOptions(options)
  const rows = batch.length
  const groupRows = Math.max(1, options.rowGroupRows ?? 100_000)
  const parts: Uint8Array[] = [MAGIC]
  let offset = MAGIC.length
  const rowGroups: RowGroup[] = []
  const columnSizes = new Map<number, number>()
  const splitOffsets: number[] = []
  const fileStats = leaves.map(() => NO_STATS)
  for (let g0 = 0; g0 < rows; g0 += groupRows) {
    const g1 = Math.min(rows, g0 + groupRows)
    const start = offset
    const chunks: ChunkMetaData[] = []
    let uncompressed = 0
    leaves.forEach((leaf, i) => {
      const chunk: EncodedChunk = encodeChunk(leaf, g0, g1, o)
      chunks.push(placed(chunk.meta, offset))
      parts.push(...chunk.parts)
      offset += chunk.byteLength
      uncompressed += chunk.meta.uncompressedSize
      columnSizes.set(leaf.fieldId, (columnSizes.get(leaf.fieldId) ?? 0) + chunk.byteLength)
      fileStats[i] = mergeStats(fileStats[i]!, chunk.stats)
    })
    splitOffsets.push(start)
    rowGroups.push({ chunks, rows: g1 - g0, uncompressedSize: uncompressed, compressedSize: offset - start })
  }
  const footer = new ByteSink(16 * 1024)
  writeFileMetaData(footer, {
    schema: elements,
    rows,
    rowGroups,
    keyValueMetadata: options.keyValueMetadata ?? [],
    createdBy: options.createdBy ?? CREATED_BY,
  })
  footer.u32(footer.length)
  parts.push(footer.view(), MAGIC)
  return {
    bytes: concat(parts),
    recordCount: rows,
    columnStats: columnStats(leaves, fileStats, rows),
    columnSizes,
    splitOffsets,
  }
}

function columnStats(leaves: readonly PlacedLeaf[], stats: readonly SlotStats[], rows: number) {
  const out = new Map<number, ColumnStats>()
  leaves.forEach((leaf, i) => {
    if (leaf.statsType !== undefined)
      out.set(leaf.fieldId, { type: leaf.statsType, values: rows, ...stats[i]! })
  })
  return out
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
