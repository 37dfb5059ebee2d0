/** Keys bounding what the services fetch from Kafka and hold before they process it. */
import { DEFAULT_FETCH_MAX_BYTES, DEFAULT_MAX_INFLATED_BYTES } from '../kafka/index.ts'
import { int } from '../platform/config.ts'

/** Keys of the fetch path every service reads beside the common ones (`runHop` adds them; the lake-writer too). */
export const fetchConfig = {
  FETCH_MAX_BYTES: int('most bytes one Kafka fetch asks for', DEFAULT_FETCH_MAX_BYTES, 1024),
  FETCH_MAX_INFLATED_BYTES: int(
    'most bytes one fetched record batch may inflate to; a larger one becomes one BATCH_INFLATE_LIMIT dead letter',
    DEFAULT_MAX_INFLATED_BYTES,
    1024 * 1024,
    1024 * 1024 * 1024,
  ),
} as const

/** Keys of the hops' read-ahead (`runHop` adds them): what may wait while a transaction is open. */
export const prefetchConfig = {
  PREFETCH_MAX_BYTES: int(
    'reading ahead pauses while this many key and value bytes wait for the next transaction',
    16 * 1024 * 1024,
    64 * 1024,
  ),
} as const
