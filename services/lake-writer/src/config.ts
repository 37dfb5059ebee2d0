import {
  bool,
  type ConfigKey,
  credential,
  duration,
  int,
  maskCredentials,
  oneOf,
  str,
} from '@healthstream/shared/platform'
import { fetchConfig } from '@healthstream/shared/service'

/** `postgresql://` (or `postgres://`) URLs name a PostgreSQL catalog database. */
export const POSTGRES_URL = /^postgres(?:ql)?:\/\//i
const HTTP_URL = /^https?:\/\//i

/** A SQLite path, a `postgresql://user:password@host:port/database` URL, or a REST `http(s)://` URL. */
function catalogUri(doc: string, fallback: string): ConfigKey<string> {
  return {
    doc,
    default: fallback,
    sensitive: true, // a postgresql:// URI holds the password: messages never show it
    parse: (raw) => {
      const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]
      if (scheme === undefined) return raw
      if (!POSTGRES_URL.test(raw) && !HTTP_URL.test(raw))
        throw new Error(`${scheme}:// is not a catalog: use a SQLite file path, postgresql:// or http(s)://`)
      let url: URL
      try {
        url = new URL(raw)
      } catch {
        throw new Error('not a URL')
      }
      if (url.hostname === '') throw new Error('the URL has no host')
      if (POSTGRES_URL.test(raw) && url.pathname.replace(/^\//, '') === '')
        throw new Error('the postgresql URL names no database (…/<database>)')
      return raw
    },
  }
}

/** Timers take at most 2^31 − 1 ms (~24.8 days); a longer delay would fire at once, again and again. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** A duration a timer can wait. */
function timerDuration(doc: string, fallback: number): ConfigKey<number> {
  const base = duration(doc, fallback)
  return {
    ...base,
    parse: (raw) => {
      const ms = base.parse(raw)
      if (ms > MAX_TIMER_MS) throw new Error('at most 24d (a timer waits at most 2^31 - 1 ms)')
      return ms
    },
  }
}

/**
 * Keys only the lake-writer reads (beside the common ones). Every key is declared once here, with its
 * type, default and doc; the service shell (`runService`) reads them once and stops start-up naming
 * each malformed variable, and each problem `catalogProblems` finds.
 */
export const lakeWriterConfig = {
  ...fetchConfig,
  LAKE_CATALOG: oneOf(
    'catalog kind: sql (JDBC-catalog tables in a SQLite file or a PostgreSQL database) or rest (Iceberg REST catalog)',
    ['sql', 'rest'] as const,
    'sql',
  ),
  LAKE_CATALOG_URI: catalogUri(
    'sql: path of the SQLite catalog file (created if missing) or postgresql://user:password@host:port/database; rest: base URL of the REST catalog',
    'lake/catalog.db',
  ),
  LAKE_CATALOG_NAME: str(
    'catalog name (the catalog_name column of the SQL catalog; pyiceberg name)',
    'healthstream',
  ),
  LAKE_WAREHOUSE: str(
    'where new tables go: a local directory or s3://bucket/prefix (sql: required; rest: sent as the warehouse, optional)',
    '',
  ),
  LAKE_REST_TOKEN: credential('rest: static bearer token'),
  LAKE_REST_CREDENTIAL: credential('rest: OAuth2 client credentials "client_id:client_secret"'),
  LAKE_NAMESPACE: str('namespace of the tables (dotted for nested namespaces)', 'health'),
  S3_ENDPOINT: str('S3 endpoint URL for s3:// locations (empty: the AWS default)', ''),
  S3_REGION: str('S3 region', 'us-east-1'),
  S3_ACCESS_KEY_ID: str('S3 access key (empty: the AWS default credential chain)', ''),
  S3_SECRET_ACCESS_KEY: credential('S3 secret key'),
  S3_PATH_STYLE: bool('path-style S3 URLs (self-hosted servers need them)', true),
  COMMIT_INTERVAL: duration('buffered rows are committed at most this long after the first arrived', 10_000),
  COMMIT_MAX_ROWS: int('a table buffer this big is committed at once', 100_000, 1, 10_000_000),
  COMMIT_RETRIES: int('commit attempts after the first when other writers committed in between', 10, 0, 1000),
  ENCODE_THREADS: int(
    'worker threads encoding Parquet while the loop reads on (0: encode on the loop’s own thread; more needs spare cores and memory)',
    0,
    0,
    64,
  ),
  TOPIC_PARTITIONS: int(
    'partitions of the topics the lake-writer creates when missing; also the partitions every table waits for before it records healthstream.complete-before',
    4,
    1,
    10_000,
  ),
  OUT_OF_ORDERNESS: duration(
    "healthstream.complete-before of health_data_raw and health_data_errors: per partition the largest event time held − this (keep it equal to the aggregator's)",
    10 * 60_000,
  ),
  COMPACT_TARGET_FILE_SIZE: int('bytes compaction aims at per file', 128 * 1024 * 1024, 1024),
  COMPACT_MAX_ROWS: int(
    'most rows one compaction rewrite reads into memory (as row objects, ~1 KiB each in health_data_raw); a partition with more small files is rewritten in several bins',
    200_000,
    2,
  ),
  EXPIRE_OLDER_THAN: duration(
    'expiry (/admin/expire-snapshots, scheduled maintenance) removes snapshots older than this',
    86_400_000,
  ),
  EXPIRE_RETAIN_LAST: int('expiry keeps at least this many snapshots per table', 5, 1),
  MAINTENANCE_INTERVAL: timerDuration(
    'how often the writer owning partition 0 of health-data-validated expires snapshots (EXPIRE_*) and removes orphan files (older than 3 days) of every table; 0s: never (the /admin actions still work)',
    3_600_000,
  ),
  RECONCILE_INTERVAL: timerDuration(
    'how often the writer reconciles the tables with their topics for the healthstream_lake_reconcile_* gauges (GET /admin/reconcile does it on request); 0s: only on request',
    60_000,
  ),
  RECONCILE_MAX_SCAN: int(
    'committed records a reconciliation reads at most per topic partition to count what a table lacks; beyond, the count is a lower bound',
    100_000,
    1,
  ),
} as const

/** Problems between keys that each parsed well: the catalog URI must fit the catalog kind. */
export function catalogProblems(c: { LAKE_CATALOG: 'sql' | 'rest'; LAKE_CATALOG_URI: string }): string[] {
  const uri = JSON.stringify(maskCredentials(c.LAKE_CATALOG_URI))
  if (c.LAKE_CATALOG === 'sql' && HTTP_URL.test(c.LAKE_CATALOG_URI))
    return [
      `LAKE_CATALOG_URI=${uri} is invalid: LAKE_CATALOG=sql takes a SQLite file path or a postgresql:// URL (for a REST catalog set LAKE_CATALOG=rest)`,
    ]
  if (c.LAKE_CATALOG === 'rest' && !HTTP_URL.test(c.LAKE_CATALOG_URI))
    return [`LAKE_CATALOG_URI=${uri} is invalid: LAKE_CATALOG=rest takes the catalog's http(s):// base URL`]
  return []
}
