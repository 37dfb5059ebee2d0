/** The key bounding what one fetched record batch may inflate to, read by every service. */
import { DEFAULT_MAX_INFLATED_BYTES } from '../kafka/index.ts'
import { int } from '../platform/config.ts'

/** Keys of the fetch path every service reads beside the common ones (`runHop` adds them; the lake-writer too). */
export const fetchConfig = {
  FETCH_MAX_INFLATED_BYTES: int(
    'most bytes one fetched record batch may inflate to; a larger one becomes one BATCH_INFLATE_LIMIT dead letter',
    DEFAULT_MAX_INFLATED_BYTES,
    1024 * 1024,
    1024 * 1024 * 1024,
  ),
} as const
