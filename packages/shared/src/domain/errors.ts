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
  /** Set when the consumed record re-drives a dead letter (its `healthstream-replay` header). */
  replay?: ReplayOrigin | null
}

/** The dead letter a replayed record re-drives, and the replay that sent it. */
export interface ReplayOrigin {
  readonly errorId: string
  readonly replayId: string
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

/**
 * Builds an `ErrorRecord` with its deterministic id; absent optional facts become null. A replayed
 * record that fails again gets the first dead letter's id with `/replay/<replayId>` (still the same on
 * every retry of the batch) and `replayOf` naming the first.
 */
export function errorRecord(input: ErrorInput): ErrorRecord {
  const { source, replay } = input
  const base = errorId(input.stage, source.topic, source.partition, source.offset, input.sourceIndex)
  return {
    errorId: replay ? `${base}/replay/${replay.replayId}` : base,
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
    replayOf: replay?.errorId ?? null,
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
  replay?: ReplayOrigin | null,
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
    replay,
  })
}
