/**
 * A Parquet file from a `ColumnBatch`: row groups of column chunks encoded from typed arrays
 * (`chunk.ts`), the footer written by hyparquet-writer's thrift code, and the manifest's facts about
 * the file (metrics, column sizes, split offsets) from the same pass: nothing is parsed back.
 */
import type { ColumnChunk, ColumnMetaData, RowGroup, SchemaElement, Statistics } from 'hyparquet'
import { ByteWriter } from 'hyparquet-writer'
import { writeMetadata } from 'hyparquet-writer/src/metadata.js'
import { snappyCompress } from 'hyparquet-writer/src/snappy.js'
import { stringifyJson } from '../json/lossless.ts'
import { isPrimitive, schemaToJson } from '../spec/schema.ts'
import type { PrimitiveType } from '../spec/types.ts'
import type { ColumnBatch } from './batch.ts'
import { type EncodedChunk, encodeChunk, type Leaf, type PageOptions } from './chunk.ts'
import { zstdCompressor } from './codecs.ts'
import { CREATED_BY } from './created-by.ts'
import { emptyMetrics, type FileMetrics } from './metrics.ts'
import { parquetSchemaOf } from './schema.ts'
import { bounds, mergeStats, NO_STATS, type SlotStats } from './stats.ts'
import type { ParquetWriteOptions, WrittenParquet } from './writer.ts'

const MAGIC = new TextEncoder().encode('PAR1')

interface PlacedLeaf extends Leaf {
  readonly fieldId: number
  /** The Iceberg type when the leaf is a top-level column (the ones with metrics). */
  readonly metricsType: PrimitiveType | undefined
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
        metricsType: undefined,
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
          metricsType: undefined,
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
        metricsType: isPrimitive(field.type) ? field.type : undefined,
      })
      e += 1
    }
  })
  return leaves
}

/** Parquet's chunk statistics: bounds as the physical values, -0 as the minimum and +0 as the maximum. */
function parquetStatistics(s: SlotStats): Statistics & { nan_count?: bigint } {
  const zero = (v: unknown, z: number) => (v === 0 ? z : v)
  return {
    null_count: BigInt(s.nulls),
    ...(s.min === undefined ? {} : { min_value: zero(s.min, -0) as Statistics['min_value'] }),
    ...(s.max === undefined ? {} : { max_value: zero(s.max, 0) as Statistics['max_value'] }),
  }
}

function pageOptions(options: ParquetWriteOptions): PageOptions {
  const codec = options.compression ?? 'ZSTD'
  const compress =
    codec === 'ZSTD'
      ? (options.zstd ?? zstdCompressor(options.zstdLevel))
      : codec === 'SNAPPY'
        ? snappyCompress
        : (b: Uint8Array) => b
  return { codec, compress, pageSize: options.pageSize ?? 1024 * 1024 }
}

/** Encodes a batch as a Parquet file with the facts a manifest records about it. */
export function writeColumnBatch(batch: ColumnBatch, options: ParquetWriteOptions = {}): WrittenParquet {
  const { schema } = batch
  const elements = parquetSchemaOf(schema)
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
    const columns: ColumnChunk[] = []
    let uncompressed = 0n
    leaves.forEach((leaf, i) => {
      const chunk: EncodedChunk = encodeChunk(leaf, g0, g1, o)
      const meta: ColumnMetaData = {
        ...chunk.meta,
        data_page_offset: chunk.meta.data_page_offset + BigInt(offset),
        ...(chunk.meta.dictionary_page_offset === undefined
          ? {}
          : { dictionary_page_offset: BigInt(offset) }),
        statistics: parquetStatistics(chunk.stats),
      }
      columns.push({ file_offset: BigInt(offset), meta_data: meta })
      parts.push(...chunk.parts)
      offset += chunk.byteLength
      uncompressed += chunk.meta.total_uncompressed_size
      columnSizes.set(leaf.fieldId, (columnSizes.get(leaf.fieldId) ?? 0) + chunk.byteLength)
      fileStats[i] = mergeStats(fileStats[i]!, chunk.stats)
    })
    splitOffsets.push(start)
    rowGroups.push({
      columns,
      total_byte_size: uncompressed,
      num_rows: BigInt(g1 - g0),
      total_compressed_size: BigInt(offset - start),
    })
  }
  const footer = new ByteWriter(16 * 1024)
  writeMetadata(footer, {
    version: 2,
    created_by: CREATED_BY,
    schema: elements,
    num_rows: BigInt(rows),
    row_groups: rowGroups,
    key_value_metadata: [{ key: 'iceberg.schema', value: stringifyJson(schemaToJson(schema)) }],
  } as Parameters<typeof writeMetadata>[1])
  parts.push(footer.getBytes(), MAGIC)
  return {
    bytes: concat(parts),
    recordCount: rows,
    metrics: fileMetrics(leaves, fileStats, rows, options.boundLength),
    columnSizes,
    splitOffsets,
  }
}

function fileMetrics(
  leaves: readonly PlacedLeaf[],
  stats: readonly SlotStats[],
  rows: number,
  boundLength: number | undefined,
): FileMetrics {
  const m = emptyMetrics()
  leaves.forEach((leaf, i) => {
    const type = leaf.metricsType
    if (type === undefined) return
    const s = stats[i]!
    m.valueCounts.set(leaf.fieldId, rows)
    m.nullValueCounts.set(leaf.fieldId, s.nulls)
    if (type === 'float' || type === 'double') m.nanValueCounts.set(leaf.fieldId, s.nans)
    const { lower, upper } = bounds(type, s, boundLength)
    if (lower !== undefined) m.lowerBounds.set(leaf.fieldId, lower)
    if (upper !== undefined) m.upperBounds.set(leaf.fieldId, upper)
  })
  return m
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
