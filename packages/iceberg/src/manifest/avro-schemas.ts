/** The v2 Avro schemas of manifests and manifest lists, with the spec's field ids. */
import type { JsonObject, JsonValue } from '../json/lossless.ts'
import type { BoundPartitionField } from '../spec/partition.ts'
import type { PrimitiveType } from '../spec/types.ts'

const optional = (name: string, id: number, type: JsonValue, doc?: string): JsonObject => ({
  name,
  type: ['null', type],
  default: null,
  'field-id': id,
  ...(doc ? { doc } : {}),
})

const required = (name: string, id: number, type: JsonValue, doc?: string): JsonObject => ({
  name,
  type,
  'field-id': id,
  ...(doc ? { doc } : {}),
})

/** An Iceberg map<int, V> as the spec's Avro array of key/value records (logical type `map`). */
function intMap(keyId: number, valueId: number, value: JsonValue): JsonObject {
  return {
    type: 'array',
    logicalType: 'map',
    items: {
      type: 'record',
      name: `k${keyId}_v${valueId}`,
      fields: [
        { name: 'key', type: 'int', 'field-id': keyId },
        { name: 'value', type: value, 'field-id': valueId },
      ],
    },
  }
}

/** Avro names allow `[A-Za-z_][A-Za-z0-9_]*`; others are escaped as `_x<HEX>` like the reference. */
export function avroName(name: string): string {
  let out = ''
  for (const [i, ch] of Array.from(name).entries()) {
    const ok = /[A-Za-z_]/.test(ch) || (i > 0 && /[0-9]/.test(ch))
    out += ok
      ? ch
      : `${i === 0 && /[0-9]/.test(ch) ? '_' : ''}_x${ch.codePointAt(0)!.toString(16).toUpperCase()}`
  }
  return out
}

/** The Avro type of a partition value (Appendix A mapping). */
export function avroPrimitive(type: PrimitiveType, fieldId: number): JsonValue {
  if (type === 'date') return { type: 'int', logicalType: 'date' }
  if (type === 'time') return { type: 'long', logicalType: 'time-micros' }
  if (type.startsWith('timestamp')) {
    const nanos = type.endsWith('_ns')
    return {
      type: 'long',
      logicalType: nanos ? 'timestamp-nanos' : 'timestamp-micros',
      'adjust-to-utc': type.includes('tz'),
    }
  }
  if (type === 'uuid') return { type: 'fixed', name: `uuid_fixed_${fieldId}`, size: 16, logicalType: 'uuid' }
  if (type === 'binary') return 'bytes'
  const fixed = /^fixed\[(\d+)\]$/.exec(type)
  if (fixed) return { type: 'fixed', name: `fixed_${fieldId}`, size: Number(fixed[1]) }
  const decimal = /^decimal\((\d+),(\d+)\)$/.exec(type)
  if (decimal) {
    const precision = Number(decimal[1])
    const size = Math.ceil((Math.log2(10 ** precision) + 1) / 8)
    return {
      type: 'fixed',
      name: `decimal_${fieldId}`,
      size,
      logicalType: 'decimal',
      precision,
      scale: Number(decimal[2]),
    }
  }
  return type
}

/** The `r102` partition record of a spec. */
export function partitionRecord(bound: readonly BoundPartitionField[]): JsonObject {
  return {
    type: 'record',
    name: 'r102',
    fields: bound.map((b) =>
      optional(avroName(b.field.name), b.field.fieldId, avroPrimitive(b.resultType, b.field.fieldId)),
    ),
  }
}

/** The `manifest_entry` schema (format v2) for a partition spec. */
export function manifestEntrySchema(bound: readonly BoundPartitionField[]): JsonObject {
  const dataFile: JsonObject = {
    type: 'record',
    name: 'r2',
    fields: [
      required('content', 134, 'int', 'Contents of the file: 0=data, 1=position deletes, 2=equality deletes'),
      required('file_path', 100, 'string', 'Location URI with FS scheme'),
      required('file_format', 101, 'string', 'File format name: avro, orc, or parquet'),
      required(
        'partition',
        102,
        partitionRecord(bound),
        'Partition data tuple, schema based on the partition spec',
      ),
      required('record_count', 103, 'long', 'Number of records in the file'),
      required('file_size_in_bytes', 104, 'long', 'Total file size in bytes'),
      optional('column_sizes', 108, intMap(117, 118, 'long'), 'Map of column id to total size on disk'),
      optional(
        'value_counts',
        109,
        intMap(119, 120, 'long'),
        'Map of column id to total count, including null and NaN',
      ),
      optional('null_value_counts', 110, intMap(121, 122, 'long'), 'Map of column id to null value count'),
      optional(
        'nan_value_counts',
        137,
        intMap(138, 139, 'long'),
        'Map of column id to number of NaN values in the column',
      ),
      optional('lower_bounds', 125, intMap(126, 127, 'bytes'), 'Map of column id to lower bound'),
      optional('upper_bounds', 128, intMap(129, 130, 'bytes'), 'Map of column id to upper bound'),
      optional('key_metadata', 131, 'bytes', 'Encryption key metadata blob'),
      optional(
        'split_offsets',
        132,
        { type: 'array', items: 'long', 'element-id': 133 },
        'Splittable offsets',
      ),
      optional(
        'equality_ids',
        135,
        { type: 'array', items: 'int', 'element-id': 136 },
        'Equality comparison field IDs',
      ),
      optional('sort_order_id', 140, 'int', 'Sort order ID'),
      optional(
        'referenced_data_file',
        143,
        'string',
        'Fully qualified location of a data file that all deletes reference',
      ),
    ],
  }
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      required('status', 0, 'int'),
      optional('snapshot_id', 1, 'long'),
      optional('sequence_number', 3, 'long'),
      optional('file_sequence_number', 4, 'long'),
      required('data_file', 2, dataFile),
    ],
  }
}

/** The `manifest_file` schema (format v2) of manifest lists. */
export const MANIFEST_FILE_SCHEMA: JsonObject = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    required('manifest_path', 500, 'string', 'Location URI with FS scheme'),
    required('manifest_length', 501, 'long', 'Total file size in bytes'),
    required('partition_spec_id', 502, 'int', 'Spec ID used to write'),
    required('content', 517, 'int', 'Contents of the manifest: 0=data, 1=deletes'),
    required('sequence_number', 515, 'long', 'Sequence number when the manifest was added'),
    required('min_sequence_number', 516, 'long', 'Lowest sequence number in the manifest'),
    required('added_snapshot_id', 503, 'long', 'Snapshot ID that added the manifest'),
    required('added_files_count', 504, 'int', 'Added entry count'),
    required('existing_files_count', 505, 'int', 'Existing entry count'),
    required('deleted_files_count', 506, 'int', 'Deleted entry count'),
    required('added_rows_count', 512, 'long', 'Added rows count'),
    required('existing_rows_count', 513, 'long', 'Existing rows count'),
    required('deleted_rows_count', 514, 'long', 'Deleted rows count'),
    optional(
      'partitions',
      507,
      {
        type: 'array',
        items: {
          type: 'record',
          name: 'r508',
          fields: [
            required('contains_null', 509, 'boolean', 'True if any file has a null partition value'),
            optional('contains_nan', 518, 'boolean', 'True if any file has a nan partition value'),
            optional('lower_bound', 510, 'bytes', 'Partition lower bound for all files'),
            optional('upper_bound', 511, 'bytes', 'Partition upper bound for all files'),
          ],
        },
        'element-id': 508,
      },
      'Summary for each partition',
    ),
    optional('key_metadata', 519, 'bytes', 'Encryption key metadata blob'),
  ],
}
