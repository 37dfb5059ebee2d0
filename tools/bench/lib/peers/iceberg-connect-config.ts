/**
 * The Iceberg Kafka Connect peer's configuration: the standalone worker's, the connector's (the
 * lake-writer's rawRow expressed in Connect's own transforms) and the worker's logging.
 */
import { join } from 'node:path'
import type { LakeSettings } from '@healthstream/lake-writer/lake'
import { RAW_FIELDS } from '@healthstream/lake-writer/tables'

/** What the worker and the connector are configured from. */
export interface SinkSettings {
  readonly brokers: string
  readonly registryUrl: string
  readonly topic: string
  /** A SQL catalog on a SQLite file with a local warehouse (`localTarget(dir).settings`). */
  readonly lake: LakeSettings
  /** iceberg.control.commit.interval-ms: the lake-writer's COMMIT_INTERVAL. */
  readonly commitIntervalMs: number
  readonly tasks: number
}

/** Our Confluent-wire-format converter (tools/bench/peers/iceberg-connect), compiled onto the classpath. */
export const CONVERTER_CLASS = 'healthstream.bench.ConfluentAvroMapConverter'

const camel = (column: string): string => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** ReplaceField's `renames`: the Avro fields (camelCase) to health_data_raw's columns (snake_case). */
function renames(): string {
  return RAW_FIELDS.filter((f) => !f.name.startsWith('kafka_') && camel(f.name) !== f.name)
    .map((f) => `${camel(f.name)}:${f.name}`)
    .join(',')
}

export const properties = (entries: Record<string, string | number>): string =>
  `${Object.entries(entries)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`

export function connectorConfig(o: SinkSettings, table: string): Record<string, string | number> {
  const warehouse = o.lake.LAKE_WAREHOUSE
  return {
    name: `${o.topic}.iceberg-sink`,
    'connector.class': 'org.apache.iceberg.connect.IcebergSinkConnector',
    'tasks.max': o.tasks,
    topics: o.topic,
    'key.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
    'value.converter': CONVERTER_CLASS,
    'value.converter.schema.registry.url': o.registryUrl,
    // The lake-writer's rawRow, in Connect's own transforms: column names and the Kafka coordinates
    transforms: 'columns,coordinates',
    'transforms.columns.type': 'org.apache.kafka.connect.transforms.ReplaceField$Value',
    'transforms.columns.renames': renames(),
    'transforms.coordinates.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
    'transforms.coordinates.partition.field': 'kafka_partition',
    'transforms.coordinates.offset.field': 'kafka_offset',
    // Group ids under the topic's prefix, so a test's clean-up by prefix removes them
    'consumer.override.group.id': `${o.topic}.iceberg-sink`,
    'iceberg.connect.group-id': `${o.topic}.iceberg-sink`,
    'iceberg.control.topic': `${o.topic}.iceberg-control`,
    'iceberg.control.group-id-prefix': `${o.topic}.iceberg-cg`,
    'iceberg.control.commit.interval-ms': o.commitIntervalMs,
    'iceberg.tables': `${o.lake.LAKE_NAMESPACE}.${table}`,
    'iceberg.tables.auto-create-enabled': 'false',
    'iceberg.tables.evolve-schema-enabled': 'false',
    'iceberg.catalog': o.lake.LAKE_CATALOG_NAME,
    'iceberg.catalog.catalog-impl': 'org.apache.iceberg.jdbc.JdbcCatalog',
    'iceberg.catalog.uri': `jdbc:sqlite:file:${o.lake.LAKE_CATALOG_URI}`,
    // Our SqlCatalog created the catalog tables (V1: with iceberg_type), so Java need not check them.
    // With that check on, and the poller opening a SqlCatalog, every commit met SQLITE_BUSY (which of
    // the two held the lock was not isolated; both are off)
    'iceberg.catalog.jdbc.schema-version': 'V1',
    'iceberg.catalog.jdbc.init-catalog-tables': 'false',
    'iceberg.catalog.warehouse': warehouse.includes('://') ? warehouse : `file://${warehouse}`,
  }
}

export function workerConfig(o: SinkSettings, dir: string, port: number): Record<string, string | number> {
  return {
    'bootstrap.servers': o.brokers,
    'key.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
    'value.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
    'offset.storage.file.filename': join(dir, 'connect.offsets'),
    listeners: `http://127.0.0.1:${port}`,
    // The sink answers its coordinator's commit requests from put(), which Connect calls when a poll
    // returns; a poll with nothing to read waits until the next offset flush (default 60 s, beyond the
    // sink's 30 s commit timeout). A drained backlog would wait that long for its last commit.
    'offset.flush.interval.ms': 1000,
    // The topic is written in transactions: skip aborted records, as the lake-writer does
    'consumer.isolation.level': 'read_committed',
    'connector.client.config.override.policy': 'All',
  }
}

export const LOG4J = `rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1}: %m%n
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = WARN
`
