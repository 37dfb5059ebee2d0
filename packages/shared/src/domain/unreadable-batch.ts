/** The dead letter of a fetched record batch no stage could read. */
import { errorRecord, jsonPayload } from './errors.ts'
import { ReasonCode, type Stage } from './reason-codes.ts'
import type { ErrorRecord, Micros } from './records.ts'

/** What is known of a record batch that was not read (it inflates beyond the bound). */
export interface UnreadBatch {
  readonly topic: string
  readonly partition: number
  /** The offsets it covers (inclusive). */
  readonly firstOffset: bigint
  readonly lastOffset: bigint
  readonly codec: string
  readonly compressedBytes: number
  /** The inflate bound it passed. */
  readonly limit: number
}

/**
 * The dead letter of an unread batch: its first offset as the source (a deterministic id), what is
 * known of it in the message and, as JSON, in the payload. The batch's bytes stay in the input topic
 * (until its retention) at the offsets it names.
 */
export function unreadableBatchError(stage: Stage, batch: UnreadBatch, now: Micros): ErrorRecord {
  const { topic, partition, firstOffset, lastOffset, codec, compressedBytes, limit } = batch
  return errorRecord({
    stage,
    reasonCode: ReasonCode.BATCH_INFLATE_LIMIT,
    message:
      `record batch at offsets ${firstOffset}..${lastOffset} of ${topic}[${partition}] not read: ` +
      `${compressedBytes} bytes of ${codec} inflate beyond ${limit} bytes (FETCH_MAX_INFLATED_BYTES)`,
    source: { topic, partition, offset: Number(firstOffset), writerSchemaId: -1 },
    sourceIndex: null,
    payloadFormat: 'json',
    payload: jsonPayload({
      topic,
      partition,
      firstOffset: Number(firstOffset),
      lastOffset: Number(lastOffset),
      codec,
      compressedBytes,
      inflateLimit: limit,
    }),
    errorTime: now,
  })
}
