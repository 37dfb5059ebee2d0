import { duration, int, str } from '@healthstream/shared/platform'
import { redisConfig } from '@healthstream/shared/redis'

/** Keys only the validator reads (beside the common ones). */
export const validatorConfig = {
  ...redisConfig('the duplicate detection state'),
  REDIS_NAMESPACE: str('prefix of the validator keys in Redis', 'healthstream'),
  DEDUP_HORIZON: duration('a sample id seen again within this time is a duplicate', 7 * 86_400_000),
  FUTURE_SKEW: duration('samples further in the future than this are rejected (IN_FUTURE)', 5 * 60_000),
  FLOOR_DATE: str('samples before this ISO date are rejected (BEFORE_FLOOR)', '2000-01-01T00:00:00Z'),
  TOPIC_PARTITIONS: int('partitions of the topics the validator creates when missing', 4, 1, 10_000),
} as const
