import { credential, duration, int, list, oneOf, secret, str, url } from './config.ts'

/** How the Kafka clients talk to the brokers (Kafka's `security.protocol`). */
export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const
/** The SASL mechanisms the Kafka client speaks (GSSAPI needs a Kerberos authenticator: not offered). */
export const KAFKA_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const

/** Keys every service reads. Each service adds its own beside these. */
export const commonConfig = {
  KAFKA_BROKERS: list('Kafka bootstrap brokers, host:port, comma-separated', ['127.0.0.1:19092']),
  KAFKA_SECURITY_PROTOCOL: oneOf('how the Kafka clients connect', KAFKA_SECURITY_PROTOCOLS, 'PLAINTEXT'),
  KAFKA_SASL_MECHANISM: oneOf<(typeof KAFKA_SASL_MECHANISMS)[number] | ''>(
    'SASL mechanism, required with SASL_PLAINTEXT and SASL_SSL',
    KAFKA_SASL_MECHANISMS,
    '',
  ),
  KAFKA_SASL_USERNAME: str('SASL user name (the principal User:<name> the ACLs name)', ''),
  KAFKA_SASL_PASSWORD: credential('SASL password (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)'),
  KAFKA_SASL_TOKEN_FILE: str('OAUTHBEARER: file holding the token, read again at every authentication', ''),
  KAFKA_TLS_CA_FILE: str(
    "PEM CA certificates the brokers' certificates must chain to (default: system CAs)",
    '',
  ),
  KAFKA_TLS_CERT_FILE: str('PEM client certificate for mutual TLS (with KAFKA_TLS_KEY_FILE)', ''),
  KAFKA_TLS_KEY_FILE: str('PEM private key of KAFKA_TLS_CERT_FILE', ''),
  KAFKA_TLS_SERVERNAME: str(
    "name the brokers' certificates must carry, if not their host (also the SNI)",
    '',
  ),
  SCHEMA_REGISTRY_URL: url(
    'Confluent-compatible schema registry base URL',
    'http://127.0.0.1:18080/apis/ccompat/v7',
  ),
  SCHEMA_REGISTRY_AUTH: credential(
    'registry credentials: "user:password" for basic auth or "Bearer <token>"',
  ),
  HTTP_PORT: int('port of the health/metrics/admin HTTP server', 8080, 0, 65535),
  HTTP_HOST: str('address the HTTP server binds', '0.0.0.0'),
  // HTTP limits against slow and oversized requests (serve.ts: what each runtime honours)
  HTTP_BODY_LIMIT: int('largest request body in bytes; a larger one is answered 413', 65_536, 1, 1 << 30),
  HTTP_HEADERS_TIMEOUT: duration(
    'the request headers must arrive within this (node:http); 0s: no limit',
    10_000,
  ),
  HTTP_REQUEST_TIMEOUT: duration(
    'the whole request must arrive within this (node:http; Bun: idle timeout, at most 255s); 0s: no limit',
    30_000,
  ),
  HTTP_KEEP_ALIVE_TIMEOUT: duration('an idle keep-alive connection is closed after this (node:http)', 5_000),
  ADMIN_TOKEN: secret('bearer token required by /admin/* endpoints (at least 16 characters)', 16),
  LOG_LEVEL: oneOf('pino log level', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info'),
  TOPIC_PREFIX: str('prefix of every topic, consumer group and transactional id (isolates pipelines)', ''),
  KAFKA_SESSION_TIMEOUT: duration(
    'a consumer silent this long leaves the group (broker allows 6s..30m)',
    30_000,
  ),
  INSTANCE_ID: str('stable id of this instance (pod name); part of the transactional id', ''),
  BATCH_MAX_RECORDS: int('most records consumed per transaction', 5000, 1, 1_000_000),
  BATCH_LINGER: duration('longest a record waits for its batch to fill', 50),
  STALL_TIMEOUT: duration(
    'no progress for this long with partitions assigned makes /readyz and /healthz (liveness: restart) fail',
    60_000,
  ),
  IDLE_MEMORY_RELEASE: duration(
    'after this long without a record in or out, one garbage collection gives the heap grown under load back to the system; 0s: never',
    30_000,
  ),
  LAG_REFRESH_INTERVAL: duration(
    "how often the consumer lag metric reads the input partitions' read_committed end offsets from Kafka",
    10_000,
  ),
} as const
