/**
 * The lake's five tables, written down: schemas with explicit field ids (ids are forever — a new
 * column gets the next free id, an id is never reused), partition specs, upsert keys. Timestamps are
 * `timestamptz` (microseconds, UTC). Every table also records the Kafka coordinates of the record a
 * row came from (`kafka_partition`, `kafka_offset`), for lineage and for checking exactly-once.
 */
import type { NestedField, PartitionSpec, Schema } from '@healthstream/iceberg'

/** A row of a lake table, by column name. */
export type Row = Record<string, unknown>

/** What the lake-writer knows about one table. */
export interface TableDef {
  readonly name: string
  readonly schema: Schema
  readonly spec: PartitionSpec
  /** Upsert key: a row replaces the live row with the same key (copy-on-write). Absent: append only. */
  readonly key?: readonly string[]
  /** Column deciding which of two rows with one key wins: the larger value (ties: the newer row). */
  readonly version?: string
  /** Column whose maximum is recorded as the table's event-time watermark. */
  readonly eventTime: string
}

const f = (
  id: number,
  name: string,
  type: NestedField['type'],
  required = true,
  doc?: string,
): NestedField => (doc === undefined ? { id, name, type, required } : { id, name, type, required, doc })

const day = (sourceId: number, name: string): PartitionSpec => ({
  specId: 0,
  fields: [{ sourceId, fieldId: 1000, name, transform: 'day' }],
})

/** `health_data_raw`: one row per validated sample, partitioned by day(start_time). */
export const RAW_FIELDS: readonly NestedField[] = [
  f(1, 'sample_id', 'string', true, 'UUID chosen by the device; unique per user'),
  f(2, 'user_id', 'string'),
  f(3, 'device_id', 'string'),
  f(4, 'platform', 'string'),
  f(5, 'app_version', 'string', false),
  f(6, 'batch_id', 'string'),
  f(7, 'data_type', 'string'),
  f(8, 'value', 'double', true, 'In the canonical unit of the data type'),
  f(9, 'unit', 'string'),
  f(10, 'start_time', 'timestamptz', true, 'Event time'),
  f(11, 'start_offset_minutes', 'int'),
  f(12, 'end_time', 'timestamptz', false),
  f(13, 'end_offset_minutes', 'int', false),
  f(14, 'source_app', 'string', false),
  f(15, 'confidence', 'float', false),
  f(16, 'time_zone', 'string', false),
  f(
    17,
    'metadata',
    { type: 'map', keyId: 33, key: 'string', valueId: 34, value: 'string', valueRequired: true },
    false,
  ),
  f(
    18,
    'batch_metadata',
    { type: 'map', keyId: 35, key: 'string', valueId: 36, value: 'string', valueRequired: true },
    false,
  ),
  f(19, 'uploaded_at', 'timestamptz'),
  f(20, 'source_topic', 'string'),
  f(21, 'source_partition', 'int'),
  f(22, 'source_offset', 'long'),
  f(23, 'source_index', 'int'),
  f(24, 'writer_schema_id', 'int'),
  f(25, 'ingested_at', 'timestamptz'),
  f(26, 'original_value', 'double'),
  f(27, 'original_unit', 'string'),
  f(28, 'known_type', 'boolean'),
  f(29, 'flags', { type: 'list', elementId: 37, element: 'string', elementRequired: true }, false),
  f(30, 'validated_at', 'timestamptz'),
  f(31, 'kafka_partition', 'int', true, 'Partition of health-data-validated the row was read from'),
  f(32, 'kafka_offset', 'long', true, 'Offset in that partition'),
]

/** `health_data_errors`: one row per dead letter, partitioned by day(error_time). */
export const ERROR_FIELDS: readonly NestedField[] = [
  f(
    1,
    'error_id',
    'string',
    true,
    'Deterministic; a replayed record that fails again: the first id + /replay/<replayId>',
  ),
  f(2, 'stage', 'string'),
  f(3, 'reason_code', 'string'),
  f(4, 'message', 'string'),
  f(5, 'source_topic', 'string'),
  f(6, 'source_partition', 'int'),
  f(7, 'source_offset', 'long'),
  f(8, 'source_index', 'int', false),
  f(9, 'user_id', 'string', false),
  f(10, 'sample_id', 'string', false),
  f(11, 'data_type', 'string', false),
  f(12, 'payload_format', 'string', true, 'raw (the consumed bytes) or json'),
  f(13, 'payload', 'binary'),
  f(14, 'writer_schema_id', 'int', false),
  f(15, 'error_time', 'timestamptz'),
  f(16, 'occurred_at', 'timestamptz', false, 'Event time of the sample, when known'),
  f(17, 'kafka_partition', 'int', true, 'Partition of health-data-errors the row was read from'),
  f(18, 'kafka_offset', 'long'),
  f(
    19,
    'replay_of',
    'string',
    false,
    'The dead letter a replay re-drove and that failed again (its error_id)',
  ),
]

/** The `*_agg` tables: one row per window (upserted: the newest revision wins). */
export const AGG_FIELDS: readonly NestedField[] = [
  f(1, 'user_id', 'string'),
  f(2, 'data_type', 'string'),
  f(3, 'unit', 'string'),
  f(4, 'granularity', 'string', true, 'daily, weekly or monthly'),
  f(5, 'window_start', 'timestamptz', true, 'Inclusive'),
  f(6, 'window_end', 'timestamptz', true, 'Exclusive'),
  f(7, 'zone', 'string', true, 'UTC or the IANA zone of a daily window in the user zone'),
  f(8, 'window_label', 'string'),
  f(9, 'count', 'long'),
  f(10, 'sum', 'double'),
  f(11, 'min', 'double'),
  f(12, 'max', 'double'),
  f(13, 'mean', 'double'),
  f(14, 'stddev_pop', 'double'),
  f(15, 'stddev_sample', 'double', false),
  f(16, 'm2', 'double'),
  f(17, 'first_value', 'double'),
  f(18, 'first_event_time', 'timestamptz'),
  f(19, 'first_sample_id', 'string'),
  f(20, 'last_value', 'double'),
  f(21, 'last_event_time', 'timestamptz'),
  f(22, 'last_sample_id', 'string'),
  f(23, 'is_final', 'boolean'),
  f(24, 'revision', 'long', true, '1, 2, ... per window; the largest is kept'),
  f(25, 'watermark', 'timestamptz', false),
  f(26, 'updated_at', 'timestamptz'),
  f(27, 'kafka_partition', 'int', true, 'Partition of health-data-aggregates the row was read from'),
  f(28, 'kafka_offset', 'long'),
]

/** The upsert key of the aggregate tables (the window's identity; `zone` tells a UTC day from a local one). */
export const AGG_KEY = ['user_id', 'data_type', 'window_start', 'zone'] as const

function aggTable(name: string, transform: 'month' | 'year'): TableDef {
  return {
    name,
    // The key columns are required, so they can be the schema's identifier fields.
    schema: { schemaId: 0, fields: AGG_FIELDS, identifierFieldIds: [1, 2, 5, 7] },
    spec: {
      specId: 0,
      fields: [{ sourceId: 5, fieldId: 1000, name: `window_start_${transform}`, transform }],
    },
    key: AGG_KEY,
    version: 'revision',
    eventTime: 'last_event_time',
  }
}

/** Table names. */
export const TableNames = {
  raw: 'health_data_raw',
  daily: 'health_data_daily_agg',
  weekly: 'health_data_weekly_agg',
  monthly: 'health_data_monthly_agg',
  errors: 'health_data_errors',
} as const

/** The five tables, created on first start. */
export const TABLES: readonly TableDef[] = [
  {
    name: TableNames.raw,
    schema: { schemaId: 0, fields: RAW_FIELDS },
    spec: day(10, 'start_time_day'),
    eventTime: 'start_time',
  },
  aggTable(TableNames.daily, 'month'),
  aggTable(TableNames.weekly, 'year'),
  aggTable(TableNames.monthly, 'year'),
  {
    name: TableNames.errors,
    schema: { schemaId: 0, fields: ERROR_FIELDS },
    spec: day(15, 'error_time_day'),
    eventTime: 'error_time',
  },
]

/** Properties every table is created with. */
export const TABLE_PROPERTIES: Readonly<Record<string, string>> = {
  'write.parquet.compression-codec': 'zstd',
  'write.format.default': 'parquet',
}
