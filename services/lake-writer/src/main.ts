/**
 * lake-writer: health-data-validated, -aggregates and -errors → Iceberg tables, exactly once. The
 * composition root: the topics, the lake (catalog, storage, tables), the consumer, the loop, table
 * maintenance and the admin endpoints, run in the shared service shell (configuration, logs, metrics,
 * the HTTP app, a graceful stop on SIGTERM/SIGINT that commits what is buffered and leaves the group).
 */
import { ParquetEncodePool } from '@healthstream/iceberg'
import { AvroDeserializer } from '@healthstream/shared/avro'
import { erasureRoute } from '@healthstream/shared/erasure'
import { limitInflatedBatches, type PartitionOffset, type TopicPartition } from '@healthstream/shared/kafka'
import { LagMetrics, runService, type ServiceContext, type ServiceWorker } from '@healthstream/shared/service'
import { TopicSchemas } from '@healthstream/shared/topics'
import { tableCompleteness } from './committing/completeness.ts'
import { ensureTables } from './committing/ensure-tables.ts'
import { openLake } from './committing/open-lake.ts'
import { tableLineage } from './committing/recovery.ts'
import { TableSink } from './committing/table-sink.ts'
import { TABLES } from './committing/tables.ts'
import { catalogProblems, lakeWriterConfig } from './config.ts'
import { createLakeConsumer } from './consuming/kafka-consumer.ts'
import { type TopicRoute, topicRoutes } from './consuming/routing.ts'
import { LakeLoop } from './lake-loop.ts'
import { readinessOf } from './loop-stats.ts'
import { adminActions, tableEndpoints } from './operating/admin-http.ts'
import { eraseFromLake } from './operating/erase-lake.ts'
import { logLakeEvent, logMaintenanceEvent } from './operating/event-log.ts'
import { feedLag } from './operating/lag.ts'
import { MaintenanceSchedule } from './operating/maintenance-schedule.ts'
import { createLakeMetrics, type LakeMetrics } from './operating/metrics.ts'
import { reconcileEndpoint } from './operating/reconcile-http.ts'
import { kafkaTopicLog } from './operating/reconcile-kafka.ts'
import { createReconcileMetrics } from './operating/reconcile-metrics.ts'
import { Reconciler } from './operating/reconciler.ts'
import { TableMaintenance } from './operating/table-maintenance.ts'

const NAME = 'lake-writer'
type Context = ServiceContext<typeof lakeWriterConfig>

await runService({
  name: NAME,
  config: lakeWriterConfig,
  configProblems: catalogProblems,
  start: startLakeWriter,
})

/** Builds the writer's parts and hands the shell its worker: the loop with its maintenance schedule. */
async function startLakeWriter(context: Context): Promise<ServiceWorker> {
  const { config, topics } = context
  const inputs = [topics.validated, topics.aggregates, topics.errors]
  await context.ensureTopics(inputs.map((topic) => ({ topic, partitions: config.TOPIC_PARTITIONS })))
  const writer = `${NAME}-${context.instance}`
  const metrics = createLakeMetrics(
    context.metrics,
    TABLES.map((t) => t.name),
  )
  const { sinks, close } = await openSinks(context, writer, metrics)
  const { loop, lag, routes, ends } = lakeLoop(context, sinks, metrics)
  const log = kafkaTopicLog({ ...context.kafka, groupId: context.groupId })
  const reconciler = new Reconciler({
    sinks,
    routes,
    log,
    maxScan: config.RECONCILE_MAX_SCAN,
    onReport: createReconcileMetrics(context.metrics.registry),
    onError: (err) => context.logger.warn({ err }, 'reconciling the lake with its topics failed'),
  })
  const maintenance = new TableMaintenance(sinks, {
    exclusive: (fn) => loop.exclusive(fn),
    writer,
    compactTargetBytes: config.COMPACT_TARGET_FILE_SIZE,
    compactMaxRows: config.COMPACT_MAX_ROWS,
    expireOlderThanMs: config.EXPIRE_OLDER_THAN,
    expireRetainLast: config.EXPIRE_RETAIN_LAST,
  })
  const schedule = new MaintenanceSchedule(maintenance, {
    intervalMs: config.MAINTENANCE_INTERVAL,
    leads: () => loop.stats.assignment.some((tp) => tp.topic === topics.validated && tp.partition === 0),
    onEvent: (event) => logMaintenanceEvent(context.logger, event),
  })
  return {
    describe: { inputs, catalog: config.LAKE_CATALOG },
    readiness: () => readinessOf(loop.stats),
    status: () => ({ catalog: config.LAKE_CATALOG, ...loop.stats }),
    pause: () => loop.pause(),
    resume: () => loop.resume(),
    adminActions: adminActions({ loop, maintenance }),
    http: (app) => {
      tableEndpoints(maintenance)(app)
      reconcileEndpoint(reconciler)(app)
      const erase = (request: Parameters<typeof eraseFromLake>[1]) =>
        eraseFromLake({ loop, ends, sinks, writer, retries: config.COMMIT_RETRIES }, request)
      erasureRoute(NAME, erase, context.logger)(app)
    },
    run: async () => {
      schedule.start()
      reconciler.start(config.RECONCILE_INTERVAL)
      lag.start()
      await loop.run().finally(() => lag.stop())
    },
    stop: async () => {
      await lag.stop() // before the loop closes the consumer the ends are read with
      await Promise.all([schedule.stop(), loop.stop(), reconciler.stop()])
    },
    close: async () => {
      await schedule.stop() // a round still running ends before the lake closes
      await reconciler.stop()
      await log.close().catch(() => undefined)
      await close()
    },
  }
}

/** Opens the lake and one sink per table (creating what is missing); `close` releases both. */
async function openSinks(context: Context, writer: string, metrics: LakeMetrics) {
  const { config, topics } = context
  const lake = openLake(config)
  const tables = await ensureTables(lake, TABLES)
  const encodePool = config.ENCODE_THREADS > 0 ? new ParquetEncodePool(config.ENCODE_THREADS) : undefined
  const sinks = TABLES.map(
    (def) =>
      new TableSink(def, tables.get(def.name)!, {
        writer,
        retries: config.COMMIT_RETRIES,
        lineage: tableLineage(def.name, topics),
        onError: (operation) => metrics.catalogError(def.name, operation),
        completeness: tableCompleteness(def.name, topics, config.TOPIC_PARTITIONS, config.OUT_OF_ORDERNESS),
        ...(encodePool ? { encoder: encodePool.encode } : {}),
      }),
  )
  const close = async (): Promise<void> => {
    await encodePool?.close()
    await lake.close()
  }
  return { sinks, close }
}

/**
 * The consume → buffer → commit loop over the three input topics, its events logged and counted, and
 * the consumer lag measured from the offsets the tables record.
 */
function lakeLoop(
  context: Context,
  sinks: readonly TableSink[],
  metrics: LakeMetrics,
): {
  loop: LakeLoop
  lag: LagMetrics
  routes: readonly TopicRoute[]
  ends: (partitions: readonly TopicPartition[]) => Promise<PartitionOffset[]>
} {
  const { config, registry, logger } = context
  const routes = topicRoutes(context.topics, {
    validated: new AvroDeserializer({ registry, readerSchema: TopicSchemas.validated }),
    aggregates: new AvroDeserializer({ registry, readerSchema: TopicSchemas.aggregates }),
    errors: new AvroDeserializer({ registry, readerSchema: TopicSchemas.errors }),
  })
  limitInflatedBatches(config.FETCH_MAX_INFLATED_BYTES)
  const consumer = createLakeConsumer({
    ...context.kafka,
    groupId: context.groupId,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT,
  })
  const lag = new LagMetrics({
    registry: context.metrics.registry,
    offsets: consumer,
    intervalMs: config.LAG_REFRESH_INTERVAL,
    logger,
  })
  // A partition given up stops being reported at once, not after the loop's re-sync (which waits for
  // a running commit): its new owner reports it, and KEDA would count it twice
  consumer.onSession((session) => lag.lag.retain(session.assignment))
  const loop = new LakeLoop({
    consumer,
    sinks,
    routes,
    commitIntervalMs: config.COMMIT_INTERVAL,
    commitMaxRows: config.COMMIT_MAX_ROWS,
    fetchMaxBytes: config.FETCH_MAX_BYTES,
    onEvent: (event) => {
      metrics.onEvent(event)
      feedLag(lag.lag, event)
      logLakeEvent(logger, event)
    },
  })
  return { loop, lag, routes, ends: (partitions) => consumer.logOffsets(partitions, 'latest') }
}
