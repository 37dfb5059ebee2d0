/**
 * Page headers and the footer (FileMetaData) in Thrift's compact protocol, field ids as parquet.thrift
 * numbers them. Optional fields the writer has nothing for are left out, as the protocol allows.
 */
import type { LogicalType, SchemaElement } from 'hyparquet'
import type { ByteSink } from '../encode/bytes.ts'
import type { ChunkStatistics } from '../encode/statistics.ts'
import { CompactWriter } from './compact.ts'
import {
  CODEC,
  CONVERTED_TYPE,
  ENCODING,
  LOGICAL_TYPE,
  PAGE_TYPE,
  PARQUET_TYPE,
  REPETITION,
  TIME_UNIT,
} from './enums.ts'
import type { ChunkMetaData, FileMetaData, PageHeader, RowGroup } from './types.ts'

/** Appends a page header to `out`. */
export function writePageHeader(out: ByteSink, h: PageHeader): void {
  new CompactWriter(out).struct((w) =>
    w
      .i32(1, PAGE_TYPE[h.type])
      .i32(2, h.uncompressedSize)
      .i32(3, h.compressedSize)
      .child(
        7,
        h.dictionary && ((d) => d.i32(1, h.dictionary!.values).i32(2, ENCODING[h.dictionary!.encoding])),
      )
      .child(8, h.dataV2 && ((d) => dataPageV2(d, h.dataV2!))),
  )
}

function dataPageV2(w: CompactWriter, v: NonNullable<PageHeader['dataV2']>): void {
  w.i32(1, v.values)
    .i32(2, v.nulls)
    .i32(3, v.rows)
    .i32(4, ENCODING[v.encoding])
    .i32(5, v.definitionBytes)
    .i32(6, v.repetitionBytes)
    // is_compressed defaults to true, so only its false is written
    .bool(7, v.compressed ? undefined : false)
}

/** Appends the footer's FileMetaData to `out` (not its length, nor the closing magic). */
export function writeFileMetaData(out: ByteSink, m: FileMetaData): void {
  const leaves = m.schema.filter((e) => e.type !== undefined)
  new CompactWriter(out).struct((w) =>
    w
      .i32(1, 2)
      .structs(2, m.schema, schemaElement)
      .i64(3, m.rows)
      .structs(4, m.rowGroups, rowGroup)
      .structs(5, m.keyValueMetadata.length > 0 ? m.keyValueMetadata : undefined, (kv, { key, value }) =>
        kv.string(1, key).string(2, value),
      )
      .string(6, m.createdBy)
      // column_orders: TypeDefinedOrder for every leaf, so readers trust min/max of every type
      .structs(7, leaves, (order) => order.child(1, () => {})),
  )
}

function schemaElement(w: CompactWriter, e: SchemaElement): void {
  w.i32(1, e.type && PARQUET_TYPE[e.type])
    .i32(2, e.type_length)
    .i32(3, e.repetition_type && REPETITION[e.repetition_type])
    .string(4, e.name)
    .i32(5, e.num_children)
    .i32(6, e.converted_type && CONVERTED_TYPE[e.converted_type])
    .i32(7, e.scale)
    .i32(8, e.precision)
    .i32(9, e.field_id)
    .child(10, e.logical_type && ((l) => logicalType(l, e.logical_type!)))
}

function logicalType(w: CompactWriter, t: LogicalType): void {
  switch (t.type) {
    case 'DECIMAL':
      w.child(LOGICAL_TYPE.DECIMAL, (d) => d.i32(1, t.scale).i32(2, t.precision))
      return
    case 'TIME':
    case 'TIMESTAMP':
      w.child(LOGICAL_TYPE[t.type], (d) =>
        d.bool(1, t.isAdjustedToUTC).child(2, (u) => u.child(TIME_UNIT[t.unit], () => {})),
      )
      return
    case 'STRING':
    case 'MAP':
    case 'LIST':
    case 'ENUM':
    case 'DATE':
    case 'JSON':
    case 'BSON':
    case 'UUID':
      w.child(LOGICAL_TYPE[t.type], () => {})
      return
    default:
      throw new TypeError(`logical type ${t.type} is not one this library writes`)
  }
}

function rowGroup(w: CompactWriter, g: RowGroup): void {
  // A chunk's file_offset is where it starts: at its dictionary page when it has one
  w.structs(1, g.chunks, (c, chunk) =>
    c.i64(2, chunk.dictionaryPageOffset ?? chunk.dataPageOffset).child(3, (m) => chunkMetaData(m, chunk)),
  )
    .i64(2, g.uncompressedSize)
    .i64(3, g.rows)
    .i64(6, g.compressedSize)
}

function chunkMetaData(w: CompactWriter, c: ChunkMetaData): void {
  w.i32(1, PARQUET_TYPE[c.type])
    .i32s(
      2,
      c.encodings.map((e) => ENCODING[e]),
    )
    .strings(3, c.path)
    .i32(4, CODEC[c.codec])
    .i64(5, c.values)
    .i64(6, c.uncompressedSize)
    .i64(7, c.compressedSize)
    .i64(9, c.dataPageOffset)
    .i64(11, c.dictionaryPageOffset)
    .child(12, (s) => statistics(s, c.statistics))
    .structs(13, c.encodingCounts, (e, n) =>
      e.i32(1, PAGE_TYPE[n.pageType]).i32(2, ENCODING[n.encoding]).i32(3, n.count),
    )
}

function statistics(w: CompactWriter, s: ChunkStatistics): void {
  w.i64(3, s.nullCount).binary(5, s.max).binary(6, s.min).bool(7, s.maxExact).bool(8, s.minExact)
}
