import type { Consumer, Message, MessageToProduce, Producer } from '@platformatic/kafka'
import { keyPartitioner } from './partitioner.ts'
import { classifyKafkaError } from './platformatic-errors.ts'
import type { TransactionalProducer, TxnOffsetTopic } from './platformatic-txn-producer.ts'
import type {
  GroupSession,
  OutputRecord,
  PartitionOffset,
  TransactionalProducerPort,
  TransactionPort,
} from './ports.ts'
import { sendChunks } from './send-chunks.ts'

/**
 * `TransactionalProducerPort` over a @platformatic/kafka `Producer` with a fixed transactional id.
 * `reset` replaces the client: the fresh one registers the same transactional id on its first
 * transaction (InitProducerId), which bumps the epoch and makes the coordinator abort anything the old
 * one left open.
 */
export class PlatformaticProducer implements TransactionalProducerPort {
  readonly #create: () => TransactionalProducer
  readonly #consumer: Consumer
  #producer: TransactionalProducer

  /** `create` makes a transactional producer; `consumer` is the group whose offsets go into transactions. */
  constructor(create: () => TransactionalProducer, consumer: Consumer) {
    this.#create = create
    this.#consumer = consumer
    this.#producer = create()
  }

  /** The current underlying client (replaced by `reset`). */
  get client(): Producer {
    return this.#producer
  }

  async begin(): Promise<TransactionPort> {
    // The client still tracks a transaction (an abort failed): register again rather than reuse it
    if (this.#producer.transaction !== undefined) await this.reset()
    try {
      const transaction = await this.#producer.beginTransaction()
      return new PlatformaticTransaction(transaction, this.#producer, this.#consumer)
    } catch (error) {
      throw classifyKafkaError(error, 'begin transaction')
    }
  }

  /**
   * `beginTransaction` on a fresh client runs InitProducerId (the epoch bump that fences and aborts
   * what an older producer left open); `cancel` then drops the empty local transaction without a
   * request, leaving the client registered for the next `begin`.
   */
  async init(): Promise<void> {
    try {
      const transaction = await this.#producer.beginTransaction()
      await transaction.cancel()
    } catch (error) {
      throw classifyKafkaError(error, 'register transactional id')
    }
  }

  /** A fresh client, registered at once (see `init`). */
  async reset(): Promise<void> {
    const old = this.#producer
    this.#producer = this.#create()
    await old.close(true).catch(() => undefined)
    await this.init()
  }

  async close(): Promise<void> {
    try {
      await this.#producer.close(true)
    } catch (error) {
      throw classifyKafkaError(error, 'close producer')
    }
  }
}

type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>

class PlatformaticTransaction implements TransactionPort {
  readonly #transaction: Transaction
  readonly #producer: TransactionalProducer
  readonly #consumer: Consumer

  constructor(transaction: Transaction, producer: TransactionalProducer, consumer: Consumer) {
    this.#transaction = transaction
    this.#producer = producer
    this.#consumer = consumer
  }

  /** Sends in as few requests as the broker's batch limit allows (`sendChunks`), in order. */
  async send(records: readonly OutputRecord[]): Promise<void> {
    const all = [...new Set(records.map((r) => r.topic))]
    let topics = all.join(', ')
    try {
      const partitions = await this.#partitionsOf(records, all)
      for (const [start, end] of sendChunks(records, partitions)) {
        const messages: MessageToProduce[] = new Array(end - start)
        const names = new Set<string>()
        for (let i = start; i < end; i++) {
          messages[i - start] = toMessage(records[i]!, partitions[i])
          names.add(records[i]!.topic)
        }
        topics = [...names].join(', ')
        await this.#transaction.send({ messages })
      }
    } catch (error) {
      // The topics, so that a refusal (TOPIC_AUTHORIZATION_FAILED) says which
      throw classifyKafkaError(error, `produce in transaction to ${topics}`)
    }
  }

  /**
   * Each record's partition as the client would pick it: its own, else its key's murmur2 over the
   * topic's partition count (the client's metadata, cached); undefined leaves the choice to the client.
   */
  async #partitionsOf(records: readonly OutputRecord[], topics: string[]): Promise<(number | undefined)[]> {
    const metadata = await this.#producer.metadata({ topics })
    const counts = new Map(topics.map((t) => [t, metadata.topics.get(t)?.partitionsCount]))
    return records.map((r) => {
      if (r.partition !== undefined) return r.partition
      const count = counts.get(r.topic)
      return r.key == null || count === undefined ? undefined : keyPartitioner(r, r.key) % count
    })
  }

  /**
   * AddOffsetsToTxn, then one TxnOffsetCommit for every partition, carrying the session's generation
   * and member id (KIP-447): the group coordinator rejects it once the group has a newer generation.
   */
  async sendOffsets(offsets: readonly PartitionOffset[], session: GroupSession): Promise<void> {
    try {
      await this.#transaction.addConsumer(this.#consumer)
      // TxnOffsetCommit goes to the group coordinator, which the client forgets after some errors
      const coordinatorId = this.#consumer.coordinatorId ?? (await this.#consumer.findGroupCoordinator())
      const [first] = offsets
      if (first === undefined) return
      const commit = () => this.#transaction.addOffset(offsetMessage(first, session, coordinatorId))
      await this.#producer.addOffsetsAtOnce(commit, offsetTopics(offsets))
    } catch (error) {
      throw classifyKafkaError(error, 'send offsets to transaction')
    }
  }

  async commit(): Promise<void> {
    try {
      await this.#transaction.commit()
    } catch (error) {
      throw classifyKafkaError(error, 'commit transaction')
    }
  }

  async abort(): Promise<void> {
    try {
      await this.#transaction.abort()
    } catch (error) {
      throw classifyKafkaError(error, 'abort transaction')
    }
  }
}

/** Header names as bytes, made once each: the same few names are on most records. */
const headerNames = new Map<string, Buffer>()

function headerName(name: string): Buffer {
  let bytes = headerNames.get(name)
  if (bytes === undefined) {
    bytes = Buffer.from(name)
    if (headerNames.size < 1000) headerNames.set(name, bytes)
  }
  return bytes
}

function toMessage(record: OutputRecord, partition: number | undefined): MessageToProduce {
  const message: MessageToProduce = { topic: record.topic }
  if (record.headers !== undefined && record.headers.size > 0) {
    const headers = new Map<Buffer, Buffer>()
    for (const [name, value] of record.headers) headers.set(headerName(name), value)
    message.headers = headers
  }
  if (record.key != null) message.key = record.key
  if (record.value !== null) message.value = record.value
  if (partition !== undefined) message.partition = partition
  if (record.timestamp !== undefined) message.timestamp = BigInt(record.timestamp)
  return message
}

/** The offsets as the topics of one TxnOffsetCommit request ("next offset to read", leader epoch unknown). */
export function offsetTopics(offsets: readonly PartitionOffset[]): TxnOffsetTopic[] {
  const byTopic = new Map<string, TxnOffsetTopic['partitions'][number][]>()
  for (const { topic, partition, offset } of offsets) {
    let partitions = byTopic.get(topic)
    if (partitions === undefined) {
      partitions = []
      byTopic.set(topic, partitions)
    }
    partitions.push({
      partitionIndex: partition,
      committedOffset: offset,
      committedLeaderEpoch: -1,
      committedMetadata: null,
    })
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions }))
}

/**
 * The client commits `message.offset + 1` with the group metadata found on a consumed message; this
 * builds that message for "next offset to read" `offset.offset`.
 */
function offsetMessage(offset: PartitionOffset, session: GroupSession, coordinatorId: number): Message {
  const consumer = {
    groupId: session.groupId,
    generationId: session.generationId,
    memberId: session.memberId,
    coordinatorId,
  }
  return {
    topic: offset.topic,
    partition: offset.partition,
    offset: offset.offset - 1n,
    metadata: { consumer },
  } as unknown as Message
}
