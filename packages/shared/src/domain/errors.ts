import { Buffer } from 'node:buffer'
import type { ReasonCode, Stage } from './reason-codes.ts'
import type { ErrorRecord, HealthSample, Micros, PayloadFormat, SourceRecord } from './records.ts'

/** What a stage knows when it turns bad input into a dead letter. */
export interface ErrorInput {
  stage: Stage
  reasonCode: ReasonCode
  message: string
  /** The record the failing stage consumed. */
  source: SourceRecord
  /** Sample position within the source record; null when the whole record failed. */
  sourceIndex: number | null
  userId?: string | null
  sampleId?: string | null
  dataType?: string | null
  payloadFormat: PayloadFormat
  payload: Buffer
  errorTime: Micros
  occurredAt?: Micros | null
}

/**
 * Deterministic id of a dead letter: `stage:topic:partition:offset[:index]`. Built only from the
 * coordinates of the consumed input, so reprocessing the same record after an aborted transaction
 * or a DLQ replay yields the same id, and the lake can drop repeats. Kafka topic names cannot
 * contain ':', so the parts stay unambiguous.
 */
export function errorId(
  stage: Stage,
  topic: string,
  partition: number,
  offset: number,
  index: number | null,
): string {
  const base = `${stage}:${topic}:${partition}:${offset}`
  return index === null ? base : `${base}:${index}`
}

/** Builds an `ErrorRecord` with its deterministic id; absent optional facts become null. */
export function errorRecord(input: ErrorInput): ErrorRecord {
  const { source } = input
  return {
    errorId: errorId(input.stage, source.topic, source.partition, source.offset, input.sourceIndex),
    stage: input.stage,
    reasonCode: input.reasonCode,
    message: input.message,
    sourceTopic: source.topic,
    sourcePartition: source.partition,
    sourceOffset: source.offset,
    sourceIndex: input.sourceIndex,
    userId: input.userId ?? null,
    sampleId: input.sampleId ?? null,
    dataType: input.dataType ?? null,
    payloadFormat: input.payloadFormat,
    payload: input.payload,
    writerSchemaId: source.writerSchemaId >= 0 ? source.writerSchemaId : null,
    errorTime: input.errorTime,
    occurredAt: input.occurredAt ?? null,
  }
}

/** Keeps NaN and ±Infinity, which JSON would turn into null, readable in a payload. */
function nonFiniteAsString(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value
}

/**
 * UTF-8 JSON of a record for `payloadFormat: 'json'`. Non-finite numbers are written as the strings
 * "NaN", "Infinity", "-Infinity" so the dead letter still shows what arrived.
 */
export function jsonPayload(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, nonFiniteAsString), 'utf8')
}

/** A value quoted for an error message, cut to `max` characters so garbage stays small. */
export function quoteForMessage(value: unknown, max = 80): string {
  if (typeof value !== 'string') return String(value)
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value)
}

/** The fields of a (flattened or validated) sample that locate and describe it. */
export type SampleCoordinates = Pick<
  HealthSample,
  | 'sourceTopic'
  | 'sourcePartition'
  | 'sourceOffset'
  | 'sourceIndex'
  | 'writerSchemaId'
  | 'userId'
  | 'sampleId'
  | 'dataType'
  | 'startTime'
>

/**
 * The dead letter of a sample rejected after ingest (validator, aggregator). Its coordinates are
 * the sample's provenance in `health-data-raw`, not the offset on the intermediate topic, so the id
 * stays the same however often the sample is re-ingested or replayed. `raw` is the consumed Kafka
 * value when the caller has it (payloadFormat `raw`); otherwise the payload is the sample's JSON.
 */
export function sampleErrorRecord(
  stage: Stage,
  sample: SampleCoordinates,
  rejection: { reason: ReasonCode; message: string },
  nowMicros: Micros,
  raw?: Buffer,
): ErrorRecord {
  return errorRecord({
    stage,
    reasonCode: rejection.reason,
    message: rejection.message,
    source: {
      topic: sample.sourceTopic,
      partition: sample.sourcePartition,
      offset: sample.sourceOffset,
      writerSchemaId: sample.writerSchemaId,
    },
    sourceIndex: sample.sourceIndex,
    userId: sample.userId,
    sampleId: sample.sampleId,
    dataType: sample.dataType,
    payloadFormat: raw === undefined ? 'json' : 'raw',
    payload: raw ?? jsonPayload(sample),
    errorTime: nowMicros,
    occurredAt: Number.isSafeInteger(sample.startTime) ? sample.startTime : null,
  })
}
