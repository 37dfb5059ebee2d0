/** validator: health-data-samples → health-data-validated (rules passed, duplicates dropped) + dead letters. */
import { AvroDeserializer, AvroSerializer } from '@healthstream/shared/avro'
import {
  builtinDataTypes,
  type ErrorRecord,
  type HealthSample,
  type ValidatedSample,
  validationConfig,
} from '@healthstream/shared/domain'
import { erasureRoute } from '@healthstream/shared/erasure'
import {
  eraseDedupMarks,
  openServiceRedis,
  RedisDedupStore,
  redisConfigProblems,
} from '@healthstream/shared/redis'
import { runHop } from '@healthstream/shared/service'
import { TopicSchemas } from '@healthstream/shared/topics'
import { Counter } from 'prom-client'
import { validatorConfig } from './config.ts'
import { validatorTransform } from './pipeline.ts'

await runHop({
  name: 'validator',
  config: validatorConfig,
  configProblems: redisConfigProblems,
  async build({ config, registry, topics, deadLetter, metrics, logger }) {
    const floor = Date.parse(config.FLOOR_DATE)
    if (Number.isNaN(floor)) {
      process.stderr.write(`validator: FLOOR_DATE=${JSON.stringify(config.FLOOR_DATE)} is not an ISO date\n`)
      process.exit(78)
    }
    const { redis, onError: redisError } = await openServiceRedis({
      config,
      logger,
      registry: metrics.registry,
      operations: ['dedup'],
    })
    const stores = new Map<number, RedisDedupStore>()
    const dedup = (p: number) =>
      stores.get(p) ??
      stores.set(p, new RedisDedupStore(redis, config.REDIS_NAMESPACE, p, redisError)).get(p)!
    const duplicates = new Counter({
      name: 'healthstream_duplicates_dropped_total',
      help: 'samples dropped as duplicates (same user and sample id within the horizon)',
      registers: [metrics.registry],
    })
    const partitions = config.TOPIC_PARTITIONS
    return {
      inputTopics: [topics.samples],
      topics: [
        { topic: topics.samples, partitions },
        { topic: topics.validated, partitions },
        { topic: topics.errors, partitions },
      ],
      transform: validatorTransform({
        decoder: new AvroDeserializer<HealthSample>({ registry, readerSchema: TopicSchemas.samples }),
        validated: await AvroSerializer.create<ValidatedSample>({
          registry,
          topic: topics.validated,
          schema: TopicSchemas.validated,
        }),
        errors: await AvroSerializer.create<ErrorRecord>({
          registry,
          topic: topics.errors,
          schema: TopicSchemas.errors,
        }),
        validatedTopic: topics.validated,
        errorsTopic: topics.errors,
        rules: validationConfig({
          dataTypes: builtinDataTypes(),
          futureSkewMicros: config.FUTURE_SKEW * 1000,
          floorMicros: floor * 1000,
        }),
        dedup,
        dedupHorizonMs: config.DEDUP_HORIZON,
        nowMicros: () => Date.now() * 1000,
        onDeadLetter: deadLetter,
        onDuplicates: (n) => duplicates.inc(n),
      }),
      // Erasure: the users' duplicate marks (packages/shared/src/redis/dedup-erase.ts)
      routes: erasureRoute(
        'validator',
        async ({ users }) => ({ counts: await eraseDedupMarks(redis, config.REDIS_NAMESPACE, users) }),
        logger,
      ),
      close: async () => void (await redis.quit()),
    }
  },
})
