import { errorRecord, jsonPayload, quoteForMessage } from './errors.ts'
import { ReasonCode } from './reason-codes.ts'
import type { ErrorRecord, HealthSample, Micros, RawBatch, RawSample, SourceRecord } from './records.ts'
import { type ParsedTimestamp, parseIsoTimestamp } from './timestamps.ts'

/** Outcome of flattening one batch: every input sample is in exactly one of the two lists. */
export interface FlattenResult {
  samples: HealthSample[]
  errors: ErrorRecord[]
}

/**
 * Turns one decoded `HealthDataBatch` (v2 reader shape) into flattened samples for
 * `health-data-samples`, in batch order. A sample whose startTime or endTime, or whose batch's
 * uploadedAt, is not ISO 8601 with an offset becomes a `BAD_TIMESTAMP` error (stage ingest) instead.
 * `extras` are the samples' extras (`extras.ts`) by index, when the writer schema had any.
 * Nothing else is judged here: that is the validator's job. Samples share the batch's metadata
 * object; treat records as immutable.
 */
export function flattenBatch(
  batch: RawBatch,
  source: SourceRecord,
  nowMicros: Micros,
  extras?: readonly (string | null)[],
): FlattenResult {
  const samples: HealthSample[] = []
  const errors: ErrorRecord[] = []
  const uploaded = parseIsoTimestamp(batch.uploadedAt)
  const raw = batch.samples
  for (let i = 0; i < raw.length; i++) {
    const sample = raw[i]!
    const start = parseIsoTimestamp(sample.startTime)
    const end = sample.endTime === null ? null : parseIsoTimestamp(sample.endTime)
    if (!uploaded.ok || !start.ok || (end !== null && !end.ok)) {
      errors.push(badTimestamp(batch, sample, i, { uploaded, start, end }, source, nowMicros))
      continue
    }
    samples.push({
      sampleId: sample.sampleId,
      userId: batch.userId,
      deviceId: batch.deviceId,
      platform: batch.platform,
      appVersion: batch.appVersion,
      batchId: batch.batchId,
      dataType: sample.dataType,
      value: sample.value,
      unit: sample.unit,
      startTime: start.micros,
      startOffsetMinutes: start.offsetMinutes,
      endTime: end === null ? null : end.micros,
      endOffsetMinutes: end === null ? null : end.offsetMinutes,
      sourceApp: sample.sourceApp,
      confidence: sample.confidence ?? null,
      timeZone: batch.timeZone ?? null,
      metadata: sample.metadata,
      batchMetadata: batch.metadata,
      uploadedAt: uploaded.micros,
      sourceTopic: source.topic,
      sourcePartition: source.partition,
      sourceOffset: source.offset,
      sourceIndex: i,
      writerSchemaId: source.writerSchemaId,
      ingestedAt: nowMicros,
      extras: extras?.[i] ?? null,
    })
  }
  return { samples, errors }
}

interface ParsedTimes {
  uploaded: ParsedTimestamp
  start: ParsedTimestamp
  end: ParsedTimestamp | null
}

/** Names the first unreadable time, in the order batch → start → end. */
function describeBadTime(batch: RawBatch, sample: RawSample, times: ParsedTimes): string {
  const [field, value] = !times.uploaded.ok
    ? ['uploadedAt', batch.uploadedAt]
    : !times.start.ok
      ? ['startTime', sample.startTime]
      : ['endTime', sample.endTime]
  return `${field} ${quoteForMessage(value)} is not an ISO 8601 date-time with a UTC offset`
}

/**
 * The dead letter of a sample with an unreadable time. Its payload is the JSON of a one-sample
 * batch, so a fixed copy can be re-encoded and replayed onto `health-data-raw`.
 */
function badTimestamp(
  batch: RawBatch,
  sample: RawSample,
  index: number,
  times: ParsedTimes,
  source: SourceRecord,
  nowMicros: Micros,
): ErrorRecord {
  const single: RawBatch = { ...batch, timeZone: batch.timeZone ?? null, samples: [sample] }
  return errorRecord({
    stage: 'ingest',
    reasonCode: ReasonCode.BAD_TIMESTAMP,
    message: describeBadTime(batch, sample, times),
    source,
    sourceIndex: index,
    userId: batch.userId,
    sampleId: sample.sampleId,
    dataType: sample.dataType,
    payloadFormat: 'json',
    payload: jsonPayload(single),
    errorTime: nowMicros,
    occurredAt: times.start.ok ? times.start.micros : null,
  })
}
