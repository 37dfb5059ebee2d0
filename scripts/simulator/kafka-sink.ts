import { Admin, Producer } from '@platformatic/kafka'

/** Where and how the simulator produces. */
export interface KafkaSinkOptions {
  readonly brokers: readonly string[]
  readonly topic: string
  /** Partitions if the topic has to be created. */
  readonly partitions: number
  readonly compression: 'none' | 'lz4'
  readonly clientId?: string
}

/** One record as bytes: key = userId, value = Confluent-framed Avro. */
export interface OutgoingRecord {
  readonly key: Buffer
  readonly value: Buffer
}

/**
 * The simulator's Kafka edge: makes sure the topic exists, then produces with an idempotent
 * producer (acks=all, so a retried send never duplicates a batch on the broker).
 */
export class KafkaSink {
  readonly #producer: Producer
  readonly #options: KafkaSinkOptions

  private constructor(producer: Producer, options: KafkaSinkOptions) {
    this.#producer = producer
    this.#options = options
  }

  /** Creates the topic when missing and opens the producer. */
  static async open(options: KafkaSinkOptions): Promise<KafkaSink> {
    await ensureTopic(options)
    const producer = new Producer({
      clientId: options.clientId ?? 'healthstream-simulator',
      bootstrapBrokers: [...options.brokers],
      idempotent: true,
      compression: options.compression,
      autocreateTopics: false,
    })
    await producer.initIdempotentProducer({})
    return new KafkaSink(producer, options)
  }

  /** Produces the records in order (same key → same partition → order kept per user). */
  async send(records: readonly OutgoingRecord[]): Promise<void> {
    const topic = this.#options.topic
    await this.#producer.send({
      messages: records.map((r) => ({ topic, key: r.key, value: r.value })),
    })
  }

  async close(): Promise<void> {
    await this.#producer.close()
  }
}

async function ensureTopic(options: KafkaSinkOptions): Promise<void> {
  const admin = new Admin({
    clientId: 'healthstream-simulator-admin',
    bootstrapBrokers: [...options.brokers],
  })
  try {
    if ((await admin.listTopics()).includes(options.topic)) return
    try {
      await admin.createTopics({ topics: [options.topic], partitions: options.partitions, replicas: 1 })
    } catch (error) {
      // Another process may have created it in between; only a topic that is still missing is an error.
      if (!(await admin.listTopics()).includes(options.topic)) throw error
    }
  } finally {
    await admin.close()
  }
}
