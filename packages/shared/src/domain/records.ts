import type { Buffer } from 'node:buffer'
import type { ReasonCode, Stage } from './reason-codes.ts'

/**
 * Times in these records are epoch microseconds held in a JS `number`. avsc decodes an Avro `long`
 * to a number by default, and every instant from 1685 to 2255 is a safe integer (< 2^53) in micros,
 * so no bigint is needed; `parseIsoTimestamp` rejects what falls outside that range.
 */
export type Micros = number

/** One sample as decoded from `health-data-raw` with the v2 reader schema (v1 data: nulls). */
export interface RawSample {
  sampleId: string
  dataType: string
  value: number | null
  unit: string
  startTime: string
  endTime: string | null
  sourceApp: string | null
  /** v2 only; a v1 writer resolves to null. Optional so JSON fixtures may leave it out. */
  confidence?: number | null
  metadata: Record<string, string>
}

/** A `HealthDataBatch` as decoded with the v2 reader schema (`contracts/health-data-batch.v2.avsc`). */
export interface RawBatch {
  batchId: string
  userId: string
  deviceId: string
  /** The Avro enum decodes to its symbol; kept as a string so a v3 symbol needs no deploy. */
  platform: string
  appVersion: string | null
  uploadedAt: string
  /** v2 only; a v1 writer resolves to null. */
  timeZone?: string | null
  samples: RawSample[]
  metadata: Record<string, string>
}

/** Where a consumed Kafka record came from: the coordinates that make derived ids replay-stable. */
export interface SourceRecord {
  topic: string
  partition: number
  /** Kafka offset as a number (safe up to 2^53 records per partition). */
  offset: number
  /** Confluent schema id of the writer schema; -1 when the record was not Avro. */
  writerSchemaId: number
}

/** Value of `health-data-samples` (`shared/schemas/health-sample.avsc`): one flattened sample. */
export interface HealthSample {
  sampleId: string
  userId: string
  deviceId: string
  platform: string
  appVersion: string | null
  batchId: string
  dataType: string
  value: number | null
  unit: string
  startTime: Micros
  /** UTC offset of the original ISO string, in minutes east of UTC (+01:00 → 60). */
  startOffsetMinutes: number
  endTime: Micros | null
  endOffsetMinutes: number | null
  sourceApp: string | null
  confidence: number | null
  timeZone: string | null
  metadata: Record<string, string>
  batchMetadata: Record<string, string>
  uploadedAt: Micros
  sourceTopic: string
  sourcePartition: number
  sourceOffset: number
  /** Position of the sample in its batch: with the coordinates above it names the sample exactly. */
  sourceIndex: number
  writerSchemaId: number
  /** Processing time at ingest. */
  ingestedAt: Micros
  /**
   * Fields of a newer upstream schema that the v2 reader lacks, with their kinds, as JSON
   * (`extras.ts`); null when the upload had none.
   */
  extras: string | null
}

/** Flags a valid sample may carry in `ValidatedSample.flags`. */
export const ValidationFlag = {
  /** The data type is not in the data-type table: kept, only generic rules applied. */
  UNKNOWN_DATA_TYPE: 'UNKNOWN_DATA_TYPE',
  /** The value was converted from `originalUnit` to the canonical unit. */
  UNIT_CONVERTED: 'UNIT_CONVERTED',
} as const

export type ValidationFlag = (typeof ValidationFlag)[keyof typeof ValidationFlag]

/**
 * Value of `health-data-validated` (`shared/schemas/validated-sample.avsc`): the sample with its
 * value in the canonical unit of its data type, and what validation learned about it.
 */
export interface ValidatedSample extends Omit<HealthSample, 'value'> {
  /** In the canonical unit (`unit`); for unknown types the value as sent. */
  value: number
  originalValue: number
  originalUnit: string
  knownType: boolean
  flags: readonly string[]
  validatedAt: Micros
}

/** How to read `ErrorRecord.payload`. */
export type PayloadFormat = 'raw' | 'json'

/** Value of `health-data-errors` (`shared/schemas/error-record.avsc`): one dead letter. */
export interface ErrorRecord {
  /** Deterministic (see `errorId`), so a replayed input yields the same id. */
  errorId: string
  stage: Stage
  reasonCode: ReasonCode
  message: string
  sourceTopic: string
  sourcePartition: number
  sourceOffset: number
  /** Sample position in the source record; null when the whole record failed. */
  sourceIndex: number | null
  userId: string | null
  sampleId: string | null
  dataType: string | null
  /** `raw`: the consumed Kafka value as is; `json`: UTF-8 JSON of the offending sample. */
  payloadFormat: PayloadFormat
  payload: Buffer
  writerSchemaId: number | null
  errorTime: Micros
  /** Event time of the sample when it is known. */
  occurredAt: Micros | null
  /** The dead letter this one re-drove and failed again (a replay); null otherwise. */
  replayOf: string | null
}

/**
 * Value of `health-data-aggregates` (`shared/schemas/aggregate-record.avsc`): the statistics of one
 * window of one (user, data type) series at one revision. Written by the aggregator, read by the
 * lake-writer. The Kafka key is the window id, so a compacted topic, and the lake's upsert, keep the
 * newest revision per window.
 */
export interface AggregateRecord {
  userId: string
  dataType: string
  unit: string
  /** The topic carries a string; the aggregator writes only these three. */
  granularity: 'daily' | 'weekly' | 'monthly'
  windowStart: Micros
  windowEnd: Micros
  /** `UTC`, or the IANA zone of a daily window in the user's zone. */
  zone: string
  windowLabel: string
  count: number
  sum: number
  min: number
  max: number
  mean: number
  stddevPop: number
  stddevSample: number | null
  m2: number
  firstValue: number
  firstEventTime: Micros
  firstSampleId: string
  lastValue: number
  lastEventTime: Micros
  lastSampleId: string
  /** No later revision will follow: allowed lateness has expired. */
  isFinal: boolean
  /** 1, 2, … per window; larger is newer. */
  revision: number
  /** The watermark the row was emitted at; null before the first (an early row). */
  watermark: Micros | null
  /** Processing time of the emission. */
  updatedAt: Micros
}
