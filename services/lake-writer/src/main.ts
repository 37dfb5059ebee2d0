/**
 * lake-writer: health-data-validated, -aggregates and -errors → Iceberg tables, exactly once. The
 * composition root: configuration, logs, metrics, topics, the lake (catalog, storage, tables), the
 * consumer, the loop, the HTTP app, and a graceful stop on SIGTERM/SIGINT (commit what is buffered,
 * leave the group).
 */
import { hostname } from 'node:os'
import { ParquetEncodePool } from '@healthstream/iceberg'
import { AvroDeserializer, HttpSchemaRegistry, type RegistryAuth } from '@healthstream/shared/avro'
import { createAdmin, ensureTopics } from '@healthstream/shared/kafka'
import {
  createHopMetrics,
  createLogger,
  createServiceApp,
  serve,
  setupTracing,
  shutdownTracing,
} from '@healthstream/shared/platform'
import { configOrExit } from '@healthstream/shared/service'
import { TopicSchemas, topicNames } from '@healthstream/shared/topics'
import { adminActions, adminRoutes } from './admin.ts'
import { catalogProblems, lakeWriterConfig } from './config.ts'
import { createLakeConsumer, describePositions } from './kafka.ts'
import { ensureTables, openLake } from './lake.ts'
import type { LakeEvent } from './lake-events.ts'
import { LakeLoop } from './lake-loop.ts'
import { Maintenance } from './maintenance.ts'
import { createLakeMetrics } from './metrics.ts'
import { tableLineage } from './recovery.ts'
import { lakeRoutes } from './routes.ts'
import { TableSink } from './table-sink.ts'
import { TABLES } from './tables.ts'

const NAME = 'lake-writer'
const config = configOrExit(NAME, lakeWriterConfig, process.env)
for (const problem of catalogProblems(config)) {
  process.stderr.write(`${NAME}: invalid configuration:\n  ${problem}\n`)
  process.exit(78) // EX_CONFIG, as configOrExit
}
const logger = createLogger(NAME, config.LOG_LEVEL)
const metrics = createHopMetrics(NAME)
setupTracing(NAME, process.env)
const instance = config.INSTANCE_ID || hostname()
const topics = topicNames(config.TOPIC_PREFIX)
const kafka = { bootstrapBrokers: config.KAFKA_BROKERS, clientId: `healthstream-${NAME}` }

const admin = createAdmin(kafka)
const partitions = config.TOPIC_PARTITIONS
const inputs = [topics.validated, topics.aggregates, topics.errors]
await ensureTopics(
  admin,
  inputs.map((topic) => ({ topic, partitions })),
).finally(() => admin.close())

const lake = openLake(config)
const tables = await ensureTables(lake, TABLES)
const writer = `${NAME}-${instance}`
const encodePool = config.ENCODE_THREADS > 0 ? new ParquetEncodePool(config.ENCODE_THREADS) : undefined
const sinks = TABLES.map(
  (def) =>
    new TableSink(def, tables.get(def.name)!, {
      writer,
      retries: config.COMMIT_RETRIES,
      lineage: tableLineage(def.name, topics),
      ...(encodePool ? { encoder: encodePool.encode } : {}),
    }),
)
const registry = new HttpSchemaRegistry({
  url: config.SCHEMA_REGISTRY_URL,
  auth: registryAuth(config.SCHEMA_REGISTRY_AUTH),
})
const routes = lakeRoutes(topics, {
  validated: new AvroDeserializer({ registry, readerSchema: TopicSchemas.validated }),
  aggregates: new AvroDeserializer({ registry, readerSchema: TopicSchemas.aggregates }),
  errors: new AvroDeserializer({ registry, readerSchema: TopicSchemas.errors }),
})
const lakeMetrics = createLakeMetrics(
  metrics,
  TABLES.map((t) => t.name),
)
const loop = new LakeLoop({
  consumer: createLakeConsumer({
    ...kafka,
    groupId: `${config.TOPIC_PREFIX}healthstream-${NAME}`,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT,
  }),
  sinks,
  routes,
  commitIntervalMs: config.COMMIT_INTERVAL,
  commitMaxRows: config.COMMIT_MAX_ROWS,
  fetchMaxBytes: config.FETCH_MAX_BYTES,
  onEvent: (event) => {
    lakeMetrics.onEvent(event)
    logEvent(event)
  },
})

const deps = {
  loop,
  sinks,
  writer,
  compactTargetBytes: config.COMPACT_TARGET_FILE_SIZE,
  compactMaxRows: config.COMPACT_MAX_ROWS,
  expireOlderThanMs: config.EXPIRE_OLDER_THAN,
  expireRetainLast: config.EXPIRE_RETAIN_LAST,
}
const app = createServiceApp({
  service: NAME,
  adminToken: config.ADMIN_TOKEN,
  metrics: metrics.registry,
  stallTimeoutMs: config.STALL_TIMEOUT,
  readiness: () => {
    const s = loop.stats
    return {
      connected: s.state === 'running' && s.synced,
      assignedPartitions: s.assignment.length,
      lastProgressAt: s.lastProgressAt,
      paused: s.paused,
      // Why it is not reading: e.g. a table whose position cannot be established
      problems: s.synced || s.lastError === undefined ? [] : [`resyncing from the tables: ${s.lastError}`],
    }
  },
  admin: {
    status: () => ({ service: NAME, instance, catalog: config.LAKE_CATALOG, ...loop.stats }),
    pause: () => loop.pause(),
    resume: () => loop.resume(),
    extra: adminActions(deps),
  },
})
adminRoutes(deps)(app)
const maintenance = new Maintenance(deps, {
  intervalMs: config.MAINTENANCE_INTERVAL,
  leads: () => loop.stats.assignment.some((tp) => tp.topic === topics.validated && tp.partition === 0),
  onEvent: (event) => {
    // expired snapshot ids counted, not listed: an hour of 10 s commits is 360 of them per table
    if (event.type === 'maintained')
      logger.info(
        {
          durationMs: event.durationMs,
          results: event.results.map((r) => ({
            ...r,
            ...(Array.isArray(r.expired) ? { expired: r.expired.length } : {}),
          })),
        },
        'tables maintained',
      )
    else
      logger.warn({ table: event.table, action: event.action, err: event.error }, 'maintenance action failed')
  },
})
const server = await serve(app, config.HTTP_PORT, config.HTTP_HOST)
logger.info({ port: server.port, instance, inputs, catalog: config.LAKE_CATALOG }, 'started')
maintenance.start()

let stopping = false
const shutdown = (signal: string): void => {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'stopping')
  void maintenance.stop()
  void loop.stop()
}
process.once('SIGTERM', () => shutdown('SIGTERM'))
process.once('SIGINT', () => shutdown('SIGINT'))

let exitCode = 0
try {
  await loop.run()
} catch (error) {
  logger.fatal({ err: error }, 'fatal error; exiting so the process is restarted')
  exitCode = 1
}
await maintenance.stop() // a round still running ends before the lake closes
await server.close()
await encodePool?.close()
await lake.close()
await shutdownTracing()
logger.info('stopped')
process.exit(exitCode)

function logEvent(event: LakeEvent): void {
  if (event.type === 'assigned')
    logger.info(
      { assignment: event.session.assignment, positions: describePositions(event.positions) },
      'partitions assigned',
    )
  else if (event.type === 'committed')
    logger.debug({ ...event.result, watermark: String(event.watermark) }, 'committed')
  else if (event.type === 'recorded' && event.source === 'rows')
    logger.warn(
      { table: event.table },
      `${event.table} held rows but no recorded Kafka offsets (table properties removed, snapshots recording them expired): position recovered from its rows' kafka_partition/kafka_offset`,
    )
  else if (event.type === 'resync')
    logger.warn({ err: event.error, attempt: event.attempt }, 'resyncing from the tables')
  else if (event.type === 'skipped')
    logger.warn(
      { ...event, offset: String(event.offset) },
      'undecodable record dead-lettered to health_data_errors',
    )
}

function registryAuth(raw: string): RegistryAuth | undefined {
  if (raw === '') return undefined
  if (raw.startsWith('Bearer ')) return { token: raw.slice('Bearer '.length) }
  const colon = raw.indexOf(':')
  if (colon < 0) {
    process.stderr.write(`${NAME}: SCHEMA_REGISTRY_AUTH must be "user:password" or "Bearer <token>"\n`)
    process.exit(78)
  }
  return { username: raw.slice(0, colon), password: raw.slice(colon + 1) }
}
