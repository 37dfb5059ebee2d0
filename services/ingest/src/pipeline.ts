import type { AvroDeserializer, AvroSerializer } from '@healthstream/shared/avro'
import {
  type ErrorRecord,
  errorRecord,
  flattenBatch,
  type HealthSample,
  type Micros,
  type RawBatch,
  ReasonCode,
} from '@healthstream/shared/domain'
import type { ConsumedRecord, OutputRecord, Transform } from '@healthstream/shared/kafka'
import { forwardTrace } from '@healthstream/shared/platform'
import { readReplayMark } from '@healthstream/shared/replay'
import type { BatchExtras } from './extras.ts'

/** What the ingest transform needs; built in main.ts, or in memory by tests. */
export interface IngestDeps {
  readonly decoder: AvroDeserializer<RawBatch>
  /** Keeps the fields a newer writer schema adds (the decoder's `keepWritten` must be its `keeps`). */
  readonly extras?: BatchExtras
  readonly samples: AvroSerializer<HealthSample>
  readonly errors: AvroSerializer<ErrorRecord>
  readonly samplesTopic: string
  readonly errorsTopic: string
  /** Raw messages above this size go to the dead-letter topic as TOO_LARGE, undecoded. */
  readonly maxMessageBytes: number
  /** Bytes of an oversized message kept in its error record (the DLQ must stay producible). */
  readonly maxErrorPayloadBytes: number
  readonly nowMicros: () => Micros
  /** Told about every dead letter (for metrics). */
  readonly onDeadLetter?: (reason: string) => void
}

/**
 * Raw batch → one sample per entry, or an error record. Each input yields outputs in input order and
 * nothing else: the transform is pure apart from the registry cache, so a retried batch yields the same
 * records. A registry outage is thrown (retried by the loop), never dead-lettered.
 */
export function ingestTransform(deps: IngestDeps): Transform {
  return async (records) => {
    const out: OutputRecord[] = []
    const now = deps.nowMicros()
    for (const record of records) {
      for (const output of await ingestRecord(deps, record, now)) out.push(output)
    }
    return out
  }
}

async function ingestRecord(deps: IngestDeps, record: ConsumedRecord, now: Micros): Promise<OutputRecord[]> {
  const headers = forwardTrace(record.headers)
  const value = record.value ?? Buffer.alloc(0)
  if (value.length > deps.maxMessageBytes) {
    const detail = `message of ${value.length} bytes exceeds ${deps.maxMessageBytes}`
    return [deadLetter(deps, record, ReasonCode.TOO_LARGE, detail, -1, now, headers)]
  }
  const decoded = await deps.decoder.decode(value)
  if (!decoded.ok) {
    return [deadLetter(deps, record, decoded.reason, decoded.detail, decoded.schemaId ?? -1, now, headers)]
  }
  const source = {
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    writerSchemaId: decoded.schemaId,
  }
  const extras = decoded.written === undefined ? undefined : deps.extras?.of(decoded.written)
  if (extras !== undefined && !extras.ok) {
    return [
      deadLetter(deps, record, ReasonCode.SCHEMA_CONFLICT, extras.detail, decoded.schemaId, now, headers),
    ]
  }
  const { samples, errors } = flattenBatch(decoded.value, source, now, extras?.extras)
  const out: OutputRecord[] = []
  for (const sample of samples) {
    out.push({
      topic: deps.samplesTopic,
      key: Buffer.from(sample.userId),
      value: deps.samples.serialize(sample),
      headers,
    })
  }
  for (const error of errors) {
    deps.onDeadLetter?.(error.reasonCode)
    out.push({
      topic: deps.errorsTopic,
      key: userKey(error.userId),
      value: deps.errors.serialize(error),
      headers,
    })
  }
  return out
}

function deadLetter(
  deps: IngestDeps,
  record: ConsumedRecord,
  reason: ReasonCode,
  detail: string,
  writerSchemaId: number,
  now: Micros,
  headers: OutputRecord['headers'],
): OutputRecord {
  deps.onDeadLetter?.(reason)
  const value = record.value ?? Buffer.alloc(0)
  const error = errorRecord({
    stage: 'ingest',
    reasonCode: reason,
    message: detail,
    source: {
      topic: record.topic,
      partition: record.partition,
      offset: Number(record.offset),
      writerSchemaId,
    },
    sourceIndex: null,
    userId: record.key?.toString('utf8') ?? null,
    payloadFormat: 'raw',
    payload: value.length > deps.maxErrorPayloadBytes ? value.subarray(0, deps.maxErrorPayloadBytes) : value,
    errorTime: now,
    replay: readReplayMark(record.headers),
  })
  return { topic: deps.errorsTopic, key: record.key, value: deps.errors.serialize(error), headers }
}

const userKey = (userId: string | null | undefined): Buffer | null =>
  userId === null || userId === undefined ? null : Buffer.from(userId)
