/**
 * The replayer's ports over the real clients: a transactional producer whose id every replayer of the
 * pipeline shares (`<prefix>healthstream-ingest-replay`, under ingest's transactional-id ACL), reads
 * of whole topics (read_committed), and the registry's encoders of the samples and validated topics.
 */
import { randomUUID } from 'node:crypto'
import { AvroDeserializer, AvroSerializer, type SchemaRegistry } from '../avro/index.ts'
import type { ErrorRecord, HealthSample, ValidatedSample } from '../domain/index.ts'
import {
  createGroupConsumer,
  createTransactionalProducer,
  type KafkaConnectionConfig,
  PlatformaticProducer,
  readCommittedTopic,
} from '../kafka/index.ts'
import { type TopicNames, TopicSchemas } from '../topics.ts'
import type { ReplayPorts } from './replayer.ts'

export interface KafkaReplayOptions {
  readonly kafka: KafkaConnectionConfig
  readonly registry: SchemaRegistry
  readonly topics: TopicNames
  readonly prefix: string
  readonly chunkSize: number
}

/** The ports and how to close their clients. */
export async function kafkaReplayPorts(
  options: KafkaReplayOptions,
): Promise<{ ports: ReplayPorts; close: () => Promise<void> }> {
  const { kafka, registry, topics, prefix } = options
  const id = `${prefix}healthstream-ingest-replay`
  // The producer port wants a group client for offsets in transactions; a replay sends none
  const { client } = createGroupConsumer({ ...kafka, groupId: id })
  const producer = new PlatformaticProducer(
    () => createTransactionalProducer({ ...kafka, transactionalId: id }),
    client,
  )
  const errors = new AvroDeserializer<ErrorRecord>({ registry, readerSchema: TopicSchemas.errors })
  const samples = await AvroSerializer.create<HealthSample>({
    registry,
    topic: topics.samples,
    schema: TopicSchemas.samples,
  })
  const validated = await AvroSerializer.create<ValidatedSample>({
    registry,
    topic: topics.validated,
    schema: TopicSchemas.validated,
  })
  const ports: ReplayPorts = {
    producer,
    readTopic: (topic) => readCommittedTopic({ ...kafka, clientId: `${id}-reader` }, topic),
    decodeError: async (value) => {
      const decoded = await errors.decode(value)
      return decoded.ok ? decoded.value : null
    },
    encoders: { samples: (s) => samples.serialize(s), validated: (s) => validated.serialize(s) },
    topics,
    ledgerTopic: topics.replays,
    chunkSize: options.chunkSize,
    now: () => Date.now() * 1000,
    newId: () => randomUUID(),
  }
  const close = async () => {
    await producer.close()
    await client.close()
  }
  return { ports, close }
}
