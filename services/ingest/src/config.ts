import { int } from '@healthstream/shared/platform'
import type { HopConfig } from '@healthstream/shared/service'

/** Keys only ingest reads (beside the common ones). */
export const ingestConfig = {
  // An upload holds up to a few hundred samples: the common 5000 records would be a million samples
  // (and their encoded copies) in one transaction's memory
  BATCH_MAX_RECORDS: int('most uploads consumed per transaction', 500, 1, 1_000_000),
  MAX_MESSAGE_BYTES: int('raw messages larger than this go to the DLQ as TOO_LARGE', 4 * 1024 * 1024, 1024),
  MAX_ERROR_PAYLOAD_BYTES: int('bytes of an oversized message kept in its error record', 64 * 1024, 0),
  TOPIC_PARTITIONS: int('partitions of the topics ingest creates when missing', 4, 1, 10_000),
  REPLAY_CHUNK_SIZE: int('dead letters re-published per transaction by POST /admin/replay', 500, 1, 100_000),
} as const

/**
 * The raw topic's `max.message.bytes` ingest creates it with: above MAX_MESSAGE_BYTES, so that
 * oversized uploads reach the DLQ (as TOO_LARGE) instead of being refused by the broker.
 */
export function rawTopicMaxMessageBytes(maxMessageBytes: number): number {
  return Math.max(16 * 1024 * 1024, maxMessageBytes * 2)
}

/**
 * How much a valid compressed batch may inflate: one batch is at most the raw topic's
 * `max.message.bytes`, and the Avro uploads producers compress inflate a few times. Below this factor,
 * a valid batch could pass FETCH_MAX_INFLATED_BYTES and become a metadata-only dead letter.
 */
export const INFLATE_HEADROOM = 4

/** Problems between ingest's keys: FETCH_MAX_INFLATED_BYTES must leave valid batches of the raw topic room. */
export function ingestConfigProblems(config: HopConfig<typeof ingestConfig>): readonly string[] {
  const raw = rawTopicMaxMessageBytes(config.MAX_MESSAGE_BYTES)
  const needed = INFLATE_HEADROOM * raw
  if (config.FETCH_MAX_INFLATED_BYTES >= needed) return []
  return [
    `FETCH_MAX_INFLATED_BYTES=${config.FETCH_MAX_INFLATED_BYTES} is below ${needed}, ${INFLATE_HEADROOM} × the raw topic's ` +
      `max.message.bytes of ${raw} (max(16 MiB, 2 × MAX_MESSAGE_BYTES=${config.MAX_MESSAGE_BYTES})): a valid compressed ` +
      'batch could inflate beyond it and be dead-lettered unread; raise FETCH_MAX_INFLATED_BYTES or lower MAX_MESSAGE_BYTES',
  ]
}
