/** Writing and reading manifests (Avro, format v2) with the key-value metadata the spec requires. */

import { bytesToUuid, fromBigEndian, type PrimitiveValue, toBigInt, uuidToBytes } from '@healthstream/parquet'
import { readAvroFile, writeAvroFile } from '../avro/container.ts'
import { IcebergError } from '../errors.ts'
import { stringifyJson } from '../json/lossless.ts'
import { type BoundPartitionField, partitionFieldsToJson } from '../spec/partition.ts'
import { schemaToJson } from '../spec/schema.ts'
import type { PrimitiveType, Schema } from '../spec/types.ts'
import { minBigEndian } from '../spec/values.ts'
import { avroName, manifestEntrySchema } from './avro-schemas.ts'
import type { DataFile, EntryStatus, FileContent, ManifestEntry } from './types.ts'

type AvroRecord = Record<string, unknown>

const LONGS = new Set(['long', 'time', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns'])

function decimalBytes(type: PrimitiveType, unscaled: bigint): Buffer {
  const precision = Number(/^decimal\((\d+),/.exec(type)?.[1])
  const size = Math.ceil((Math.log2(10 ** precision) + 1) / 8)
  const min = minBigEndian(unscaled)
  const out = Buffer.alloc(size, unscaled < 0n ? 0xff : 0)
  out.set(min, size - min.length)
  return out
}

/** A partition value in its Avro form. */
export function toAvroValue(type: PrimitiveType, v: PrimitiveValue | null): unknown {
  if (v === null) return null
  if (LONGS.has(type)) return toBigInt(v)
  if (type === 'uuid') return Buffer.from(typeof v === 'string' ? uuidToBytes(v) : (v as Uint8Array))
  if (type.startsWith('decimal')) return decimalBytes(type, toBigInt(v))
  if (v instanceof Uint8Array) return Buffer.from(v)
  return v
}

/** A partition value from its Avro form. */
export function fromAvroValue(type: PrimitiveType | undefined, v: unknown): PrimitiveValue | null {
  if (v === null || v === undefined) return null
  if (type === 'uuid') return bytesToUuid(v as Uint8Array)
  if (type?.startsWith('decimal')) return fromBigEndian(v as Uint8Array)
  if (v instanceof Uint8Array) return new Uint8Array(v)
  return v as PrimitiveValue
}

function mapToAvro<V>(m: ReadonlyMap<number, V> | undefined, conv: (v: V) => unknown): unknown {
  if (!m) return null
  return [...m.entries()].sort(([a], [b]) => a - b).map(([key, value]) => ({ key, value: conv(value) }))
}

function dataFileToAvro(f: DataFile, bound: readonly BoundPartitionField[]): AvroRecord {
  const partition: AvroRecord = {}
  bound.forEach((b, i) => {
    partition[avroName(b.field.name)] = toAvroValue(b.resultType, f.partition[i] ?? null)
  })
  return {
    content: f.content,
    file_path: f.filePath,
    file_format: f.fileFormat,
    partition,
    record_count: BigInt(f.recordCount),
    file_size_in_bytes: BigInt(f.fileSizeInBytes),
    column_sizes: mapToAvro(f.columnSizes, BigInt),
    value_counts: mapToAvro(f.valueCounts, BigInt),
    null_value_counts: mapToAvro(f.nullValueCounts, BigInt),
    nan_value_counts: mapToAvro(f.nanValueCounts, BigInt),
    lower_bounds: mapToAvro(f.lowerBounds, (b) => Buffer.from(b)),
    upper_bounds: mapToAvro(f.upperBounds, (b) => Buffer.from(b)),
    key_metadata: null,
    split_offsets: f.splitOffsets ? f.splitOffsets.map(BigInt) : null,
    equality_ids: null,
    sort_order_id: f.sortOrderId ?? null,
    referenced_data_file: f.referencedDataFile ?? null,
  }
}

/** What a manifest is written for. */
export interface ManifestContext {
  readonly schema: Schema
  readonly specId: number
  readonly bound: readonly BoundPartitionField[]
  readonly content?: 'data' | 'deletes'
}

/** Serializes manifest entries into an Avro manifest file. */
export function writeManifest(ctx: ManifestContext, entries: readonly ManifestEntry[]): Uint8Array {
  const records = entries.map((e) => ({
    status: e.status,
    snapshot_id: e.snapshotId,
    sequence_number: e.sequenceNumber === null ? null : BigInt(e.sequenceNumber),
    file_sequence_number: e.fileSequenceNumber === null ? null : BigInt(e.fileSequenceNumber),
    data_file: dataFileToAvro(e.dataFile, ctx.bound),
  }))
  return writeAvroFile(manifestEntrySchema(ctx.bound), records, {
    schema: stringifyJson(schemaToJson(ctx.schema)),
    'schema-id': String(ctx.schema.schemaId),
    'partition-spec': stringifyJson(partitionFieldsToJson(ctx.bound.map((b) => b.field))),
    'partition-spec-id': String(ctx.specId),
    'format-version': '2',
    content: ctx.content ?? 'data',
  })
}

function mapFromAvro<V>(v: unknown, conv: (x: unknown) => V): Map<number, V> | undefined {
  if (!Array.isArray(v)) return undefined
  return new Map(v.map((kv: AvroRecord) => [kv.key as number, conv(kv.value)]))
}

const num = (v: unknown): number => Number(v as bigint)
const bytes = (v: unknown): Uint8Array => new Uint8Array(v as Uint8Array)

function dataFileFromAvro(
  r: AvroRecord,
  specId: number,
  types: readonly (PrimitiveType | undefined)[],
  names: readonly string[],
): DataFile {
  const p = r.partition as AvroRecord
  const splits = r.split_offsets as bigint[] | null
  const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>
  return {
    content: ((r.content as number | undefined) ?? 0) as FileContent,
    filePath: r.file_path as string,
    fileFormat: String(r.file_format).toUpperCase() as DataFile['fileFormat'],
    specId,
    partition: names.map((n, i) => fromAvroValue(types[i], p[n])),
    recordCount: num(r.record_count),
    fileSizeInBytes: num(r.file_size_in_bytes),
    ...optional('columnSizes', mapFromAvro(r.column_sizes, num)),
    ...optional('valueCounts', mapFromAvro(r.value_counts, num)),
    ...optional('nullValueCounts', mapFromAvro(r.null_value_counts, num)),
    ...optional('nanValueCounts', mapFromAvro(r.nan_value_counts, num)),
    ...optional('lowerBounds', mapFromAvro(r.lower_bounds, bytes)),
    ...optional('upperBounds', mapFromAvro(r.upper_bounds, bytes)),
    ...optional('splitOffsets', splits ? splits.map(Number) : undefined),
    ...optional('sortOrderId', (r.sort_order_id as number | null) ?? undefined),
    ...optional('referencedDataFile', (r.referenced_data_file as string | null) ?? undefined),
  }
}

/** A manifest as read back: its metadata and entries. */
export interface ManifestContents {
  readonly metadata: Readonly<Record<string, string>>
  readonly specId: number
  readonly entries: ManifestEntry[]
}

/**
 * Reads a manifest. Partition values are decoded with the bound spec when given (uuid and decimal
 * need their types); the spec id comes from the file's `partition-spec-id` metadata.
 */
export function readManifest(data: Uint8Array, bound?: readonly BoundPartitionField[]): ManifestContents {
  const file = readAvroFile(data)
  const specId = Number(file.metadata['partition-spec-id'] ?? 0)
  const dataFileSchema = (file.schema.fields as AvroRecord[]).find((f) => f.name === 'data_file')?.type as
    | AvroRecord
    | undefined
  const partitionSchema = (dataFileSchema?.fields as AvroRecord[] | undefined)?.find(
    (f) => f.name === 'partition',
  )?.type as AvroRecord | undefined
  if (!partitionSchema) throw new IcebergError('INVALID_METADATA', 'manifest has no data_file.partition')
  const names = (partitionSchema.fields as AvroRecord[]).map((f) => f.name as string)
  const types = names.map((_, i) => bound?.[i]?.resultType)
  const entries = file.records.map((rec) => {
    const r = rec as AvroRecord
    const seq = r.sequence_number as bigint | null | undefined
    const fileSeq = r.file_sequence_number as bigint | null | undefined
    return {
      status: r.status as EntryStatus,
      snapshotId: (r.snapshot_id as bigint | null | undefined) ?? null,
      sequenceNumber: seq == null ? null : Number(seq),
      fileSequenceNumber: fileSeq == null ? null : Number(fileSeq),
      dataFile: dataFileFromAvro(r.data_file as AvroRecord, specId, types, names),
    }
  })
  return { metadata: file.metadata, specId, entries }
}
