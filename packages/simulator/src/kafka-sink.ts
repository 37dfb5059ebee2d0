import { setTimeout as sleep } from 'node:timers/promises'
import { ensureTopics, keyPartitioner } from '@healthstream/shared/kafka'
import { Admin, Producer } from '@platformatic/kafka'

/** Where and how the simulator produces. */
export interface KafkaSinkOptions {
  readonly brokers: readonly string[]
  readonly topic: string
  /** Partitions if the topic has to be created. */
  readonly partitions: number
  readonly compression: 'none' | 'lz4'
  readonly clientId?: string
  /**
   * How long a failed send is retried (a broker restart) before the run fails, in ms. A resend after a
   * lost acknowledgement can put a batch on the topic twice, as a phone retrying its upload would.
   */
  readonly retryForMs?: number
}

/** One record as bytes: key = userId, value = Confluent-framed Avro; headers such as `traceparent`. */
export interface OutgoingRecord {
  readonly key: Buffer
  readonly value: Buffer
  readonly headers?: ReadonlyMap<string, Buffer>
}

/**
 * The simulator's Kafka edge: makes sure the topic exists, then produces with an idempotent
 * producer (acks=all, so a retried send never duplicates a batch on the broker).
 */
export class KafkaSink {
  #producer: Producer
  readonly #options: KafkaSinkOptions
  /** Sends that failed and were made again. */
  resends = 0

  private constructor(producer: Producer, options: KafkaSinkOptions) {
    this.#producer = producer
    this.#options = options
  }

  /** Creates the topic when missing and opens the producer. */
  static async open(options: KafkaSinkOptions): Promise<KafkaSink> {
    await ensureTopic(options)
    return new KafkaSink(await openProducer(options), options)
  }

  /**
   * Produces the records in order (same key → same partition → order kept per user). A failed send
   * is made again with a fresh producer until it is acknowledged or `retryForMs` has passed.
   */
  async send(records: readonly OutgoingRecord[]): Promise<void> {
    const topic = this.#options.topic
    const messages = records.map((r) =>
      r.headers === undefined
        ? { topic, key: r.key, value: r.value }
        : { topic, key: r.key, value: r.value, headers: headerMap(r.headers) },
    )
    const deadline = Date.now() + (this.#options.retryForMs ?? 0)
    for (;;) {
      try {
        await this.#producer.send({ messages })
        return
      } catch (error) {
        if (Date.now() >= deadline) throw error
        this.resends++
        await this.#producer.close().catch(() => {})
        await sleep(500)
        this.#producer = await openProducer(this.#options).catch(() => this.#producer)
      }
    }
  }

  async close(): Promise<void> {
    await this.#producer.close()
  }
}

async function openProducer(options: KafkaSinkOptions): Promise<Producer> {
  const producer = new Producer({
    clientId: options.clientId ?? 'healthstream-simulator',
    bootstrapBrokers: [...options.brokers],
    idempotent: true,
    compression: options.compression,
    partitioner: keyPartitioner,
    autocreateTopics: false,
  })
  await producer.initIdempotentProducer({})
  return producer
}

async function ensureTopic(options: KafkaSinkOptions): Promise<void> {
  const admin = new Admin({
    clientId: 'healthstream-simulator-admin',
    bootstrapBrokers: [...options.brokers],
  })
  try {
    // Shared with the services: a topic another process creates at the same time is fine (ingest
    // creates health-data-raw too, with its own partition count, which a producer takes as it is),
    // and the call returns once the topic has leaders
    await ensureTopics(admin, [{ topic: options.topic, partitions: options.partitions, minPartitions: 1 }])
  } finally {
    await admin.close()
  }
}

/** Headers as the producer takes them without serializers: names as bytes too. */
function headerMap(headers: ReadonlyMap<string, Buffer>): Map<Buffer, Buffer> {
  return new Map([...headers].map(([name, value]) => [Buffer.from(name), value]))
}
