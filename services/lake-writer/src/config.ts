import { bool, duration, int, oneOf, str } from '@healthstream/shared/platform'

/**
 * Keys only the lake-writer reads (beside the common ones). Every key is declared once here, with its
 * type, default and doc; `main.ts` reads them through `configOrExit`, which stops start-up naming each
 * malformed variable.
 */
export const lakeWriterConfig = {
  LAKE_CATALOG: oneOf(
    'catalog kind: sql (JDBC-catalog tables in a SQLite file) or rest (Iceberg REST catalog)',
    ['sql', 'rest'] as const,
    'sql',
  ),
  LAKE_CATALOG_URI: str(
    'sql: path of the SQLite catalog file (created if missing); rest: base URL of the REST catalog',
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
  LAKE_REST_TOKEN: str('rest: static bearer token', ''),
  LAKE_REST_CREDENTIAL: str('rest: OAuth2 client credentials "client_id:client_secret"', ''),
  LAKE_NAMESPACE: str('namespace of the tables (dotted for nested namespaces)', 'health'),
  S3_ENDPOINT: str('S3 endpoint URL for s3:// locations (empty: the AWS default)', ''),
  S3_REGION: str('S3 region', 'us-east-1'),
  S3_ACCESS_KEY_ID: str('S3 access key (empty: the AWS default credential chain)', ''),
  S3_SECRET_ACCESS_KEY: str('S3 secret key', ''),
  S3_PATH_STYLE: bool('path-style S3 URLs (self-hosted servers need them)', true),
  COMMIT_INTERVAL: duration('buffered rows are committed at most this long after the first arrived', 10_000),
  COMMIT_MAX_ROWS: int('a table buffer this big is committed at once', 100_000, 1, 10_000_000),
  COMMIT_RETRIES: int('commit attempts after the first when other writers committed in between', 10, 0, 1000),
  FETCH_MAX_BYTES: int('most bytes one Kafka fetch asks for', 16 * 1024 * 1024, 1024),
  TOPIC_PARTITIONS: int('partitions of the topics the lake-writer creates when missing', 4, 1, 10_000),
  COMPACT_TARGET_FILE_SIZE: int('bytes compaction aims at per file', 128 * 1024 * 1024, 1024),
  EXPIRE_OLDER_THAN: duration('/admin/expire-snapshots removes snapshots older than this', 86_400_000),
  EXPIRE_RETAIN_LAST: int('/admin/expire-snapshots keeps at least this many snapshots per table', 5, 1),
} as const
