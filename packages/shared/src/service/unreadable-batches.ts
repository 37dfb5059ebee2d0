/**
 * Dead letters for unreadable record batches: the consumer hands out one record standing for each
 * fetched batch it could not read (`ConsumedRecord.unreadable`, a batch that inflates beyond
 * `FETCH_MAX_INFLATED_BYTES`). It carries no data for the transform, so the hop writes one dead letter
 * for it instead, in the same transaction that moves the offsets past the batch: exactly once, like
 * every other dead letter.
 */
import {
  type ErrorRecord,
  type Micros,
  ReasonCode,
  type Stage,
  unreadableBatchError,
} from '../domain/index.ts'
import type { ConsumedRecord, OutputRecord, Transform, UnreadableBatch } from '../kafka/index.ts'

/** What the dead letters of unreadable batches need. */
export interface UnreadableBatchDeps {
  readonly stage: Stage
  readonly errorsTopic: string
  readonly errors: { serialize(record: ErrorRecord): Buffer }
  readonly nowMicros: () => Micros
  /** Told about each dead letter (for metrics). */
  readonly onDeadLetter?: (reason: string) => void
  /** Told about each unreadable batch (for the log). */
  readonly onUnreadable?: (record: ConsumedRecord & { readonly unreadable: UnreadableBatch }) => void
}

/**
 * `transform` over the readable records of a batch, followed by one dead letter per record standing
 * for an unreadable batch. A batch of nothing else does not call `transform`.
 */
export function deadLetterUnreadable(transform: Transform, deps: UnreadableBatchDeps): Transform {
  return async (records, context) => {
    if (!records.some((r) => r.unreadable !== undefined)) return transform(records, context)
    const readable = records.filter((r) => r.unreadable === undefined)
    const out: OutputRecord[] = readable.length > 0 ? [...(await transform(readable, context))] : []
    const now = deps.nowMicros()
    for (const record of records) {
      if (record.unreadable === undefined) continue
      deps.onUnreadable?.({ ...record, unreadable: record.unreadable })
      deps.onDeadLetter?.(ReasonCode.BATCH_INFLATE_LIMIT)
      const error = unreadableBatchError(deps.stage, { ...record.unreadable, ...record }, now)
      out.push({ topic: deps.errorsTopic, key: null, value: deps.errors.serialize(error) })
    }
    return out
  }
}
