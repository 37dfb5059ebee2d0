import { bool, duration, int, list, oneOf, str } from '@healthstream/shared/platform'
import { redisConfig } from '@healthstream/shared/redis'
import { ASYMMETRIC_ALGORITHMS, algorithms, jwksUrl, publicKeys, scopeName } from './query/keys.ts'

/**
 * Keys of the query API (`GET /aggregates/:userId`): who may read whose data. Authentication is on
 * unless QUERY_AUTH=off says otherwise, and then needs the issuer's keys and this API's audience
 * (`queryConfigProblems`).
 */
export const queryConfig = {
  QUERY_ENABLED: bool('serve GET /aggregates/:userId; false: the route does not exist (404)', true),
  QUERY_AUTH: oneOf(
    "'jwt': the query needs a bearer JWT; 'off': anyone reads every user's data (local development only)",
    ['jwt', 'off'] as const,
    'jwt',
  ),
  QUERY_JWKS_URL: jwksUrl(
    "the token issuer's JWK Set (https; http only on loopback): cached 10 min, fetched again at most every 30 s for an unknown key id",
  ),
  QUERY_JWT_PUBLIC_KEY: publicKeys(
    "instead of QUERY_JWKS_URL, the issuer's public key(s): PEM (BEGIN PUBLIC KEY, SPKI), a JWK or a JWK Set (JSON)",
  ),
  QUERY_JWT_ISSUER: list('accepted token issuers (iss), comma-separated; required with QUERY_AUTH=jwt', []),
  QUERY_JWT_AUDIENCE: list(
    "this API's audience (aud), comma-separated; required with QUERY_AUTH=jwt: a token must name one",
    [],
  ),
  QUERY_JWT_ALGORITHMS: algorithms(
    'accepted signature algorithms, comma-separated: asymmetric only (never none or HS*)',
    ASYMMETRIC_ALGORITHMS,
  ),
  QUERY_JWT_CLOCK_TOLERANCE: duration("leeway for a token's exp and nbf against clock skew", 30_000),
  QUERY_READER_SCOPE: scopeName(
    'a token with this scope (in scope or scp) reads every user; without it only the user that is its sub',
    'healthstream:read-all',
  ),
} as const

/** Keys only the aggregator reads (beside the common ones), each declared once with its doc. */
export const aggregatorConfig = {
  ...redisConfig('the window state'),
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
  WATERMARK_MARKS: bool(
    "after a batch that moved a partition's firing watermark, a mark (null value, header healthstream-watermark) on every partition of health-data-aggregates: the lake-writer's healthstream.complete-before of the aggregate tables needs them",
    true,
  ),
  ...queryConfig,
} as const
