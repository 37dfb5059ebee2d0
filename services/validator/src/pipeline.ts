import type { AvroDeserializer, AvroSerializer, DecodeResult } from '@healthstream/shared/avro'
import {
  type DedupStore,
  dedupKey,
  dedupOwner,
  type ErrorRecord,
  errorRecord,
  type HealthSample,
  type Micros,
  sampleErrorRecord,
  type ValidatedSample,
  type ValidationConfig,
  validateSample,
} from '@healthstream/shared/domain'
import type { ConsumedRecord, OutputRecord, Transform } from '@healthstream/shared/kafka'
import { forwardTrace } from '@healthstream/shared/platform'
import { readReplayMark } from '@healthstream/shared/replay'

const EMPTY = Buffer.alloc(0)

/** What the validator transform needs; built in main.ts, or in memory by tests. */
export interface ValidatorDeps {
  readonly decoder: AvroDeserializer<HealthSample>
  readonly validated: AvroSerializer<ValidatedSample>
  readonly errors: AvroSerializer<ErrorRecord>
  readonly validatedTopic: string
  readonly errorsTopic: string
  readonly rules: ValidationConfig
  /** Duplicate detection state, one store per input partition (its keys share a hash slot). */
  readonly dedup: (partition: number) => DedupStore
  readonly dedupHorizonMs: number
  readonly nowMicros: () => Micros
  readonly onDeadLetter?: (reason: string) => void
  readonly onDuplicates?: (count: number) => void
}

interface Accepted {
  readonly record: ConsumedRecord
  readonly sample: ValidatedSample
}

/**
 * Sample → validated sample, dead letter (one reason per failed rule), or nothing (a duplicate of a
 * sample already accepted within the horizon). Valid samples are checked for duplicates per partition
 * in one Redis call; marks carry the sample's raw provenance, so a batch retried after an abort is not
 * mistaken for its own duplicate.
 */
export function validatorTransform(deps: ValidatorDeps): Transform {
  return async (records) => {
    const now = deps.nowMicros()
    const out: OutputRecord[] = []
    const accepted = new Map<number, Accepted[]>()
    // Writer schemas first, then every record synchronously: an await per record cost ~1 KB of
    // allocation each (a promise and a suspended frame), a tenth of the hop's garbage
    await deps.decoder.load(records.map((r) => r.value))
    for (const record of records) {
      const message = record.value ?? EMPTY
      const decoded = deps.decoder.decodeLoaded(message) ?? (await deps.decoder.decode(message))
      const result = checkRecord(deps, record, decoded, now)
      if ('error' in result) out.push(errorOutput(deps, record, result.error))
      else pushTo(accepted, record.partition, { record, sample: result.sample })
    }
    for (const [partition, items] of accepted) {
      const keys = items.map((a) => dedupKey(a.sample.userId, a.sample.sampleId))
      const seen = await deps.dedup(partition).seen(
        keys,
        deps.dedupHorizonMs,
        items.map((a) => dedupOwner(a.sample)),
      )
      let duplicates = 0
      items.forEach((item, i) => {
        if (seen[i]) duplicates++
        else out.push(validatedOutput(deps, item))
      })
      if (duplicates > 0) deps.onDuplicates?.(duplicates)
    }
    return out
  }
}

function checkRecord(
  deps: ValidatorDeps,
  record: ConsumedRecord,
  decoded: DecodeResult<HealthSample>,
  now: Micros,
): { sample: ValidatedSample } | { error: ErrorRecord } {
  const replay = readReplayMark(record.headers)
  if (!decoded.ok) {
    const error = errorRecord({
      stage: 'validator',
      reasonCode: decoded.reason,
      message: decoded.detail,
      source: {
        topic: record.topic,
        partition: record.partition,
        offset: Number(record.offset),
        writerSchemaId: -1,
      },
      sourceIndex: null,
      userId: record.key?.toString('utf8') ?? null,
      payloadFormat: 'raw',
      payload: record.value ?? EMPTY,
      errorTime: now,
      replay,
    })
    return { error }
  }
  const result = validateSample(decoded.value, deps.rules, now)
  if (result.ok) return { sample: result.validated }
  return { error: sampleErrorRecord('validator', decoded.value, result, now, undefined, replay) }
}

function validatedOutput(deps: ValidatorDeps, { record, sample }: Accepted): OutputRecord {
  return {
    topic: deps.validatedTopic,
    key: record.key,
    value: deps.validated.serialize(sample),
    headers: forwardTrace(record.headers),
  }
}

function errorOutput(deps: ValidatorDeps, record: ConsumedRecord, error: ErrorRecord): OutputRecord {
  deps.onDeadLetter?.(error.reasonCode)
  return {
    topic: deps.errorsTopic,
    key: record.key,
    value: deps.errors.serialize(error),
    headers: forwardTrace(record.headers),
  }
}

function pushTo<T>(map: Map<number, T[]>, key: number, item: T): void {
  const list = map.get(key)
  if (list) list.push(item)
  else map.set(key, [item])
}
