/**
 * Where a dead letter goes back to: the input topic of the stage that rejected it, with the payload
 * that stage consumed. `raw` payloads are the consumed bytes; `json` payloads are the sample the stage
 * decoded, encoded again with the topic's schema. Dead letters no stage can take again say why.
 */
import { Buffer } from 'node:buffer'
import type { ErrorRecord, HealthSample, ValidatedSample } from '../domain/index.ts'
import { ReasonCode } from '../domain/index.ts'
import type { TopicNames } from '../topics.ts'

/** Encoders of the topics a replay writes samples to (registry wire format). */
export interface ReplayEncoders {
  readonly samples: (sample: HealthSample) => Buffer
  readonly validated: (sample: ValidatedSample) => Buffer
}

export type ReplayTarget =
  | { readonly topic: string; readonly key: Buffer | null; readonly value: Buffer }
  | { readonly skip: string }

/** Numbers JSON cannot hold were written as strings (`jsonPayload`); read them back as numbers. */
const NUMERIC = new Set(['value', 'originalValue', 'confidence'])
const SPECIAL: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity }
function revive(key: string, value: unknown): unknown {
  return NUMERIC.has(key) && typeof value === 'string' && value in SPECIAL ? SPECIAL[value] : value
}

const keyOf = (error: ErrorRecord): Buffer | null =>
  error.userId === null ? null : Buffer.from(error.userId, 'utf8')

export function replayTarget(error: ErrorRecord, topics: TopicNames, encode: ReplayEncoders): ReplayTarget {
  if (error.reasonCode === ReasonCode.BATCH_INFLATE_LIMIT)
    return { skip: 'the payload describes an unreadable record batch, not a record' }
  if (error.reasonCode === ReasonCode.TOO_LARGE)
    return { skip: 'the payload was cut to MAX_ERROR_PAYLOAD_BYTES: send the upload again' }
  if (error.stage === 'lake-writer')
    return { skip: 'lake-writer dead letters are records no table can hold: produce them again upstream' }
  if (error.payloadFormat === 'raw') {
    const topic = { ingest: topics.raw, validator: topics.samples, aggregator: topics.validated }[error.stage]
    return { topic, key: keyOf(error), value: error.payload }
  }
  try {
    const parsed = JSON.parse(error.payload.toString('utf8'), revive) as unknown
    if (error.stage === 'validator')
      return { topic: topics.samples, key: keyOf(error), value: encode.samples(parsed as HealthSample) }
    if (error.stage === 'aggregator')
      return {
        topic: topics.validated,
        key: keyOf(error),
        value: encode.validated(parsed as ValidatedSample),
      }
  } catch (cause) {
    return { skip: `the payload cannot be encoded again: ${(cause as Error).message}` }
  }
  return { skip: 'an ingest sample dead letter (one sample of an upload): send the upload again' }
}
