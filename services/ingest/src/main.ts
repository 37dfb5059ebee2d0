/** ingest: health-data-raw (Avro batches) → health-data-samples (one record per sample) + dead letters. */
import { AvroDeserializer, AvroSerializer, healthDataBatchV2 } from '@healthstream/shared/avro'
import type { ErrorRecord, HealthSample, RawBatch } from '@healthstream/shared/domain'
import type { TopicSpec } from '@healthstream/shared/kafka'
import { kafkaReplayPorts } from '@healthstream/shared/replay'
import { runHop } from '@healthstream/shared/service'
import { TopicSchemas } from '@healthstream/shared/topics'
import { ingestConfig, ingestConfigProblems, rawTopicMaxMessageBytes } from './config.ts'
import { BatchExtras } from './extras.ts'
import { ingestTransform } from './pipeline.ts'
import { replayRoute } from './replay-route.ts'

await runHop({
  name: 'ingest',
  config: ingestConfig,
  configProblems: ingestConfigProblems,
  async build({ config, registry, topics, kafka, logger, deadLetter }) {
    const partitions = config.TOPIC_PARTITIONS
    // The raw topic accepts messages above our limit, so that oversized uploads reach the DLQ.
    const rawLimit = String(rawTopicMaxMessageBytes(config.MAX_MESSAGE_BYTES))
    const replay = replayRoute(
      () =>
        kafkaReplayPorts({
          kafka,
          registry,
          topics,
          prefix: config.TOPIC_PREFIX,
          chunkSize: config.REPLAY_CHUNK_SIZE,
        }),
      logger,
    )
    const created: TopicSpec[] = [
      { topic: topics.raw, partitions, configs: { 'max.message.bytes': rawLimit } },
      { topic: topics.samples, partitions },
      { topic: topics.errors, partitions },
      // The replay ledger: one record per replayed dead letter, kept by key (see shared/src/replay)
      { topic: topics.replays, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
    ]
    // Fields of newer upstream schemas are kept as extras, not dropped (README: schema evolution)
    const extras = new BatchExtras(healthDataBatchV2)
    return {
      inputTopics: [topics.raw],
      topics: created,
      routes: replay.routes,
      close: replay.close,
      transform: ingestTransform({
        decoder: new AvroDeserializer<RawBatch>({
          registry,
          readerSchema: healthDataBatchV2,
          keepWritten: extras.keeps,
        }),
        extras,
        samples: await AvroSerializer.create<HealthSample>({
          registry,
          topic: topics.samples,
          schema: TopicSchemas.samples,
        }),
        errors: await AvroSerializer.create<ErrorRecord>({
          registry,
          topic: topics.errors,
          schema: TopicSchemas.errors,
        }),
        samplesTopic: topics.samples,
        errorsTopic: topics.errors,
        maxMessageBytes: config.MAX_MESSAGE_BYTES,
        maxErrorPayloadBytes: config.MAX_ERROR_PAYLOAD_BYTES,
        nowMicros: () => Date.now() * 1000,
        onDeadLetter: deadLetter,
      }),
    }
  },
})
