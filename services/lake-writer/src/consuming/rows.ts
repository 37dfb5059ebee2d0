/**
 * Kafka records (decoded Avro values) → table rows, keyed by the column names of `tables.ts`. Pure.
 * Times stay epoch microseconds (the Iceberg writer takes numbers or bigints for timestamptz).
 */
import type {
  AggregateRecord as DomainAggregateRecord,
  ErrorRecord,
  ValidatedSample,
} from '@healthstream/shared/domain'
import type { Row } from '../committing/tables.ts'

/** Where a record was read from, written into every row. */
export interface KafkaCoordinates {
  readonly partition: number
  readonly offset: bigint
}

/**
 * Value of `health-data-aggregates` as the lake-writer decodes it: the aggregator's record, except that
 * the granularity is whatever string the topic holds (an unknown one becomes a dead letter).
 */
export type AggregateRecord = Omit<DomainAggregateRecord, 'granularity'> & { granularity: string }

/**
 * The `health_data_raw` column of each field of a validated sample (the mapping `rawRow` spells out);
 * `extras` have columns of their own, made at run time (`committing/extra-columns.ts`).
 */
export const RAW_COLUMN_OF: Readonly<Record<string, string>> = {
  sampleId: 'sample_id',
  userId: 'user_id',
  deviceId: 'device_id',
  platform: 'platform',
  appVersion: 'app_version',
  batchId: 'batch_id',
  dataType: 'data_type',
  value: 'value',
  unit: 'unit',
  startTime: 'start_time',
  startOffsetMinutes: 'start_offset_minutes',
  endTime: 'end_time',
  endOffsetMinutes: 'end_offset_minutes',
  sourceApp: 'source_app',
  confidence: 'confidence',
  timeZone: 'time_zone',
  metadata: 'metadata',
  batchMetadata: 'batch_metadata',
  uploadedAt: 'uploaded_at',
  sourceTopic: 'source_topic',
  sourcePartition: 'source_partition',
  sourceOffset: 'source_offset',
  sourceIndex: 'source_index',
  writerSchemaId: 'writer_schema_id',
  ingestedAt: 'ingested_at',
  originalValue: 'original_value',
  originalUnit: 'original_unit',
  knownType: 'known_type',
  flags: 'flags',
  validatedAt: 'validated_at',
} satisfies Record<Exclude<keyof ValidatedSample, 'extras'>, string>

/** A validated sample as a `health_data_raw` row. */
export function rawRow(s: ValidatedSample, at: KafkaCoordinates): Row {
  return {
    sample_id: s.sampleId,
    user_id: s.userId,
    device_id: s.deviceId,
    platform: s.platform,
    app_version: s.appVersion,
    batch_id: s.batchId,
    data_type: s.dataType,
    value: s.value,
    unit: s.unit,
    start_time: s.startTime,
    start_offset_minutes: s.startOffsetMinutes,
    end_time: s.endTime,
    end_offset_minutes: s.endOffsetMinutes,
    source_app: s.sourceApp,
    confidence: s.confidence,
    time_zone: s.timeZone,
    metadata: s.metadata,
    batch_metadata: s.batchMetadata,
    uploaded_at: s.uploadedAt,
    source_topic: s.sourceTopic,
    source_partition: s.sourcePartition,
    source_offset: s.sourceOffset,
    source_index: s.sourceIndex,
    writer_schema_id: s.writerSchemaId,
    ingested_at: s.ingestedAt,
    original_value: s.originalValue,
    original_unit: s.originalUnit,
    known_type: s.knownType,
    flags: s.flags,
    validated_at: s.validatedAt,
    kafka_partition: at.partition,
    kafka_offset: at.offset,
  }
}

/** A dead letter as a `health_data_errors` row. */
export function errorRow(e: ErrorRecord, at: KafkaCoordinates): Row {
  return {
    error_id: e.errorId,
    stage: e.stage,
    reason_code: e.reasonCode,
    message: e.message,
    source_topic: e.sourceTopic,
    source_partition: e.sourcePartition,
    source_offset: e.sourceOffset,
    source_index: e.sourceIndex,
    user_id: e.userId,
    sample_id: e.sampleId,
    data_type: e.dataType,
    payload_format: e.payloadFormat,
    payload: e.payload,
    writer_schema_id: e.writerSchemaId,
    error_time: e.errorTime,
    occurred_at: e.occurredAt,
    kafka_partition: at.partition,
    kafka_offset: at.offset,
    replay_of: e.replayOf,
  }
}

/** A window result as a row of the `*_agg` table of its granularity. */
export function aggregateRow(a: AggregateRecord, at: KafkaCoordinates): Row {
  return {
    user_id: a.userId,
    data_type: a.dataType,
    unit: a.unit,
    granularity: a.granularity,
    window_start: a.windowStart,
    window_end: a.windowEnd,
    zone: a.zone,
    window_label: a.windowLabel,
    count: a.count,
    sum: a.sum,
    min: a.min,
    max: a.max,
    mean: a.mean,
    stddev_pop: a.stddevPop,
    stddev_sample: a.stddevSample,
    m2: a.m2,
    first_value: a.firstValue,
    first_event_time: a.firstEventTime,
    first_sample_id: a.firstSampleId,
    last_value: a.lastValue,
    last_event_time: a.lastEventTime,
    last_sample_id: a.lastSampleId,
    is_final: a.isFinal,
    revision: a.revision,
    watermark: a.watermark,
    updated_at: a.updatedAt,
    kafka_partition: at.partition,
    kafka_offset: at.offset,
  }
}
