import { int } from '@healthstream/shared/platform'

/** Keys only ingest reads (beside the common ones). */
export const ingestConfig = {
  MAX_MESSAGE_BYTES: int('raw messages larger than this go to the DLQ as TOO_LARGE', 4 * 1024 * 1024, 1024),
  MAX_ERROR_PAYLOAD_BYTES: int('bytes of an oversized message kept in its error record', 64 * 1024, 0),
  TOPIC_PARTITIONS: int('partitions of the topics ingest creates when missing', 4, 1, 10_000),
} as const
