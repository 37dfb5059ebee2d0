/** aggregator: health-data-validated → daily/weekly/monthly window rows on health-data-aggregates + TOO_LATE dead letters. */
import { AvroDeserializer, AvroSerializer } from '@healthstream/shared/avro'
import type { AggregateRecord, ErrorRecord, ValidatedSample } from '@healthstream/shared/domain'
import { erasureRoute } from '@healthstream/shared/erasure'
import { openServiceRedis, redisConfigProblems } from '@healthstream/shared/redis'
import { runHop } from '@healthstream/shared/service'
import { TopicSchemas } from '@healthstream/shared/topics'
import { Counter } from 'prom-client'
import { aggregatorConfig } from './config.ts'
import { Aggregator } from './pipeline.ts'
import { queryConfigProblems, queryRoutes } from './query/setup.ts'
import { eraseAggregateUsers } from './state/redis-erase.ts'
import { RedisAggregateStore } from './state/redis-store.ts'
import { aggregationSpec } from './windows/spec.ts'

const MICROS_PER_MS = 1000

await runHop({
  name: 'aggregator',
  config: aggregatorConfig,
  configProblems: (config) => [...redisConfigProblems(config), ...queryConfigProblems(config)],
  async build({ config, registry, topics, deadLetter, logger, metrics }) {
    const { redis, onError: redisError } = await openServiceRedis({
      config,
      logger,
      registry: metrics.registry,
      operations: ['claim', 'load', 'commit', 'read', 'query'],
    })
    const store = new RedisAggregateStore(redis, { namespace: config.REDIS_NAMESPACE, onError: redisError })
    const spec = aggregationSpec({
      dailyZone: config.DAILY_WINDOW_ZONE,
      outOfOrderness: config.OUT_OF_ORDERNESS * MICROS_PER_MS,
      allowedLateness: {
        daily: config.ALLOWED_LATENESS_DAILY * MICROS_PER_MS,
        weekly: config.ALLOWED_LATENESS_WEEKLY * MICROS_PER_MS,
        monthly: config.ALLOWED_LATENESS_MONTHLY * MICROS_PER_MS,
      },
      earlyFireInterval: config.EARLY_FIRE_INTERVAL * MICROS_PER_MS,
      idleTimeout: config.PARTITION_IDLE_TIMEOUT * MICROS_PER_MS,
      retention: config.RESULT_RETENTION * MICROS_PER_MS,
    })
    const batches = new Counter({
      name: 'healthstream_aggregator_partition_batches_total',
      help: 'partition shares of batches applied, by mode (fresh, replay, after-replay, rewound)',
      labelNames: ['mode'],
      registers: [metrics.registry],
    })
    const reemitted = new Counter({
      name: 'healthstream_aggregator_reemitted_total',
      help: 'output records produced again from the outbox of a replayed batch',
      registers: [metrics.registry],
    })
    const aggregator = new Aggregator({
      decoder: new AvroDeserializer<ValidatedSample>({ registry, readerSchema: TopicSchemas.validated }),
      aggregates: await AvroSerializer.create<AggregateRecord>({
        registry,
        topic: topics.aggregates,
        schema: TopicSchemas.aggregates,
      }),
      errors: await AvroSerializer.create<ErrorRecord>({
        registry,
        topic: topics.errors,
        schema: TopicSchemas.errors,
      }),
      inputTopic: topics.validated,
      aggregatesTopic: topics.aggregates,
      errorsTopic: topics.errors,
      store,
      spec,
      nowMicros: () => Date.now() * MICROS_PER_MS,
      onDeadLetter: deadLetter,
      onBatch: (info) => {
        batches.inc({ mode: info.mode })
        reemitted.inc(info.reemitted)
      },
      watermarkMarks: config.WATERMARK_MARKS ? config.TOPIC_PARTITIONS : 0,
    })
    const partitions = config.TOPIC_PARTITIONS
    const query = queryRoutes(config, store, logger)
    const erase = async ({ users }: { users: readonly string[] }) => ({
      counts: await eraseAggregateUsers(redis, config.REDIS_NAMESPACE, users),
    })
    return {
      inputTopics: [topics.validated],
      topics: [
        { topic: topics.validated, partitions },
        // Compaction keeps the newest revision per window id (the key), which is all a reader needs
        { topic: topics.aggregates, partitions, configs: { 'cleanup.policy': 'compact' } },
        { topic: topics.errors, partitions },
      ],
      transform: aggregator.transform,
      routes: (app) => {
        query?.(app)
        erasureRoute('aggregator', erase, logger)(app)
      },
      adminActions: { watermarks: async () => ({ ...aggregator.status() }) },
      close: async () => void (await redis.quit()),
    }
  },
})
