import { credential, duration, int, list, oneOf, secret, str, url } from './config.ts'

/** Keys every service reads. Each service adds its own beside these. */
export const commonConfig = {
  KAFKA_BROKERS: list('Kafka bootstrap brokers, host:port, comma-separated', ['127.0.0.1:19092']),
  SCHEMA_REGISTRY_URL: url(
    'Confluent-compatible schema registry base URL',
    'http://127.0.0.1:18080/apis/ccompat/v7',
  ),
  SCHEMA_REGISTRY_AUTH: credential(
    'registry credentials: "user:password" for basic auth or "Bearer <token>"',
  ),
  HTTP_PORT: int('port of the health/metrics/admin HTTP server', 8080, 0, 65535),
  HTTP_HOST: str('address the HTTP server binds', '0.0.0.0'),
  ADMIN_TOKEN: secret('bearer token required by /admin/* endpoints (at least 16 characters)', 16),
  LOG_LEVEL: oneOf('pino log level', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info'),
  TOPIC_PREFIX: str('prefix of every topic, consumer group and transactional id (isolates pipelines)', ''),
  KAFKA_SESSION_TIMEOUT: duration(
    'a consumer silent this long leaves the group (broker allows 6s..30m)',
    30_000,
  ),
  INSTANCE_ID: str('stable id of this instance (pod name); part of the transactional id', ''),
  BATCH_MAX_RECORDS: int('most records consumed per transaction', 5000, 1, 1_000_000),
  BATCH_LINGER: duration('longest wait to fill a batch', 50),
  STALL_TIMEOUT: duration(
    'no progress for this long with partitions assigned makes /readyz and /healthz (liveness: restart) fail',
    60_000,
  ),
  LAG_REFRESH_INTERVAL: duration(
    "how often the consumer lag metric reads the input partitions' read_committed end offsets from Kafka",
    10_000,
  ),
} as const
