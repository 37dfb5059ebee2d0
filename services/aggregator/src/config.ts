import { bool, duration, int, oneOf, str, url } from '@healthstream/shared/platform'

/** Keys only the aggregator reads (beside the common ones), each declared once with its doc. */
export const aggregatorConfig = {
  REDIS_URL: url(
    'Redis for the window state (a seed node when REDIS_CLUSTER is on)',
    'redis://127.0.0.1:16379',
  ),
  REDIS_CLUSTER: bool('connect to a Redis Cluster (keys are hash-tagged per Kafka partition)', false),
  REDIS_NAMESPACE: str('prefix of the aggregator keys in Redis; one per consumer group', 'healthstream'),
  DAILY_WINDOW_ZONE: oneOf(
    "daily windows start at midnight UTC ('utc') or in the sample's own IANA time zone ('user'; UTC when unknown)",
    ['utc', 'user'] as const,
    'utc',
  ),
  OUT_OF_ORDERNESS: duration('watermark = largest event time seen − this', 10 * 60_000),
  ALLOWED_LATENESS_DAILY: duration('a daily window takes late data for this long after its end', 3_600_000),
  ALLOWED_LATENESS_WEEKLY: duration(
    'a weekly window takes late data for this long after its end',
    6 * 3_600_000,
  ),
  ALLOWED_LATENESS_MONTHLY: duration(
    'a monthly window takes late data for this long after its end',
    12 * 3_600_000,
  ),
  PARTITION_IDLE_TIMEOUT: duration(
    'a partition without records this long stops holding the watermark back',
    60_000,
  ),
  EARLY_FIRE_INTERVAL: duration('emit provisional rows of changed open windows this often; 0s = never', 0),
  RESULT_RETENTION: duration('final results stay queryable in Redis this long', 35 * 86_400_000),
  TOPIC_PARTITIONS: int('partitions of the topics the aggregator creates when missing', 4, 1, 10_000),
} as const
