/** ingest: health-data-raw (Avro batches) → health-data-samples (one record per sample) + dead letters. */
import { AvroDeserializer, AvroSerializer, healthDataBatchV2 } from '@healthstream/shared/avro'
import type { ErrorRecord, HealthSample, RawBatch } from '@healthstream/shared/domain'
import { runHop } from '@healthstream/shared/service'
import { TopicSchemas } from '@healthstream/shared/topics'
import { ingestConfig, ingestConfigProblems, rawTopicMaxMessageBytes } from './config.ts'
import { ingestTransform } from './pipeline.ts'

await runHop({
  name: 'ingest',
  config: ingestConfig,
  configProblems: ingestConfigProblems,
  async build({ config, registry, topics, deadLetter }) {
    const partitions = config.TOPIC_PARTITIONS
    // The raw topic accepts messages above our limit, so that oversized uploads reach the DLQ.
    const rawLimit = String(rawTopicMaxMessageBytes(config.MAX_MESSAGE_BYTES))
    return {
      inputTopics: [topics.raw],
      topics: [
        { topic: topics.raw, partitions, configs: { 'max.message.bytes': rawLimit } },
        { topic: topics.samples, partitions },
        { topic: topics.errors, partitions },
      ],
      transform: ingestTransform({
        decoder: new AvroDeserializer<RawBatch>({ registry, readerSchema: healthDataBatchV2 }),
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
