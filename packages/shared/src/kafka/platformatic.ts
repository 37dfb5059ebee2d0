import type { ConnectionOptions } from '@platformatic/kafka'
import { Admin, Consumer, FetchIsolationLevels } from '@platformatic/kafka'
import { sleep } from './backoff.ts'
import { KafkaErrorCode, KafkaLoopError } from './errors.ts'
import { keyPartitioner } from './partitioner.ts'
import { type GroupTiming, groupSettings, PlatformaticConsumer } from './platformatic-consumer.ts'
import { classifyKafkaError, hasKafkaError } from './platformatic-errors.ts'
import { PlatformaticProducer } from './platformatic-producer.ts'
import { TransactionalProducer } from './platformatic-txn-producer.ts'

/** How to reach the cluster. */
export interface KafkaConnectionConfig {
  /** `host:port` of one or more brokers. */
  readonly bootstrapBrokers: readonly string[]
  readonly clientId: string
  /** TLS and SASL settings, passed to the client as they are. */
  readonly connection?: Pick<
    ConnectionOptions,
    'tls' | 'tlsServerName' | 'sasl' | 'connectTimeout' | 'requestTimeout'
  >
}

/** A member of a consumer group; timing left out takes the pipeline's defaults (`groupSettings`). */
export interface GroupConsumerConfig extends KafkaConnectionConfig, GroupTiming {
  readonly groupId: string
  /** Static group membership (`group.instance.id`), stable per instance. */
  readonly groupInstanceId?: string
}

/** Everything one exactly-once hop needs: its group and its transactional id. */
export interface TransactionalConfig extends GroupConsumerConfig {
  /**
   * Stable per instance (e.g. `<service>-<INSTANCE_ID>`), so a restarted instance fences its own zombie
   * at once. Two live instances must never share it: the newer one fences the older.
   */
  readonly transactionalId: string
  /** The coordinator aborts a transaction open longer than this. Default 60 s. */
  readonly transactionTimeoutMs?: number
}

/** The clients behind one `TransactionalLoop`. */
export interface TransactionalPorts {
  readonly consumer: PlatformaticConsumer
  readonly producer: PlatformaticProducer
}

function baseOptions(config: KafkaConnectionConfig, suffix: string) {
  if (config.bootstrapBrokers.length === 0) {
    throw new KafkaLoopError(KafkaErrorCode.INVALID_OPTIONS, 'bootstrapBrokers must list at least one broker')
  }
  return {
    ...config.connection,
    clientId: `${config.clientId}-${suffix}`,
    bootstrapBrokers: [...config.bootstrapBrokers],
    retries: 5,
    retryDelay,
  }
}

/** An admin client (topics, offsets). */
export function createAdmin(config: KafkaConnectionConfig): Admin {
  return new Admin(baseOptions(config, 'admin'))
}

/**
 * Delay before the client retries a request. CONCURRENT_TRANSACTIONS is what the coordinator answers
 * while it is still writing the markers of the previous transaction, i.e. on nearly every transaction
 * that follows a commit closely: it clears within milliseconds, so waiting the client's default second
 * would cap a hop at about one transaction per second. Other errors back off from 100 ms to 1 s.
 */
export function retryDelay(
  _client: unknown,
  _operation: string,
  attempt: number,
  _retries: number,
  error: Error,
): number {
  if (hasKafkaError(error, 'CONCURRENT_TRANSACTIONS')) return Math.min(10 * attempt, 100)
  return Math.min(100 * 2 ** (attempt - 1), 1000)
}

/**
 * A transactional producer: idempotent, acks=all, `timeout` doubling as the transaction timeout, adding
 * partitions with the clients' AddPartitionsToTxn (`TransactionalProducer`: brokers with ACLs refuse the
 * newer versions to clients).
 */
export function createTransactionalProducer(
  config: KafkaConnectionConfig & {
    readonly transactionalId: string
    readonly transactionTimeoutMs?: number
  },
): TransactionalProducer {
  return new TransactionalProducer({
    ...baseOptions(config, 'producer'),
    idempotent: true,
    transactionalId: config.transactionalId,
    // The client's default partitioner, computed without BigInt (see partitioner.ts)
    partitioner: keyPartitioner,
    retries: 10,
    // The client sends `timeout` as the transaction timeout of InitProducerId (and as the produce timeout)
    timeout: config.transactionTimeoutMs ?? 60_000,
    // InitProducerId must say "no current producer" (-1/-1). The client's default (0/0) reads as a
    // stale epoch once the transactional id exists, so a restarted instance would be refused
    // (PRODUCER_FENCED) instead of fencing its zombie.
    producerId: -1n,
    producerEpoch: -1,
  })
}

/** A group consumer reading committed data only, committing nothing by itself. */
export function createConsumer(
  config: KafkaConnectionConfig & { readonly groupId: string; readonly groupInstanceId?: string },
): Consumer {
  return new Consumer({
    ...baseOptions(config, 'consumer'),
    groupId: config.groupId,
    // Static membership: a restarted instance takes its partitions back at once instead of waiting
    // for the session timeout of its dead predecessor.
    ...(config.groupInstanceId ? { groupInstanceId: config.groupInstanceId } : {}),
    autocommit: false,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
  })
}

/** A group consumer (`createConsumer`) and the `ConsumerPort` over it, with the pipeline's group settings. */
export function createGroupConsumer(config: GroupConsumerConfig): {
  readonly client: Consumer
  readonly port: PlatformaticConsumer
} {
  const client = createConsumer(config)
  const port = new PlatformaticConsumer(client, createAdmin(config), groupSettings(config), config.connection)
  return { client, port }
}

/**
 * The consumer and producer ports of one hop, sharing the group (the producer adds the consumer's group
 * metadata to every transaction). Hand them to `TransactionalLoop`; it closes them when it ends.
 */
export function createTransactionalPorts(config: TransactionalConfig): TransactionalPorts {
  const { client, port } = createGroupConsumer(config)
  const producerPort = new PlatformaticProducer(() => createTransactionalProducer(config), client)
  return { consumer: port, producer: producerPort }
}

/** A topic the application needs. */
export interface TopicSpec {
  readonly topic: string
  /** Partitions the topic is created with. */
  readonly partitions: number
  /**
   * The fewest partitions an existing topic may have; default `partitions`. A consumer keyed by
   * partition needs its count; a plain producer (the simulator) takes any.
   */
  readonly minPartitions?: number
  /** Default: the broker's `default.replication.factor`. */
  readonly replicas?: number
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>
}

/**
 * Creates the topics that do not exist and waits until every partition has a leader. An existing topic
 * with fewer partitions than asked stops start-up: keyed ordering depends on the partition count.
 */
export async function ensureTopics(
  admin: Admin,
  topics: readonly TopicSpec[],
  timeoutMs = 30_000,
): Promise<void> {
  const existing = new Set(
    await admin.listTopics().catch((e) => Promise.reject(classifyKafkaError(e, 'list topics'))),
  )
  for (const spec of topics.filter((t) => !existing.has(t.topic))) await createTopic(admin, spec)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const pending = await topicsNotReady(admin, topics)
    if (pending.length === 0) return
    if (Date.now() > deadline) {
      throw new KafkaLoopError(
        KafkaErrorCode.TRANSIENT,
        `topics without leaders after ${timeoutMs} ms: ${pending.join(', ')}`,
      )
    }
    await sleep(200)
  }
}

async function createTopic(admin: Admin, spec: TopicSpec): Promise<void> {
  const configs = Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value }))
  try {
    await admin.createTopics({
      topics: [spec.topic],
      partitions: spec.partitions,
      // -1: the broker's default.replication.factor (3 on a production cluster), never a lone copy
      replicas: spec.replicas ?? -1,
      configs,
    })
  } catch (error) {
    // Another instance created it in the meantime: fine
    if (!hasKafkaError(error, 'TOPIC_ALREADY_EXISTS'))
      throw classifyKafkaError(error, `create topic ${spec.topic}`)
  }
}

async function topicsNotReady(admin: Admin, topics: readonly TopicSpec[]): Promise<string[]> {
  let metadata: Awaited<ReturnType<Admin['metadata']>>
  try {
    metadata = await admin.metadata({ topics: topics.map((t) => t.topic), forceUpdate: true })
  } catch (error) {
    // Not visible yet right after creation; but an ACL that refuses them will not change while we wait
    const classified = classifyKafkaError(error, `metadata of ${topics.map((t) => t.topic).join(', ')}`)
    if (!classified.canRetry) throw classified
    return topics.map((t) => t.topic)
  }
  const pending: string[] = []
  for (const spec of topics) {
    const topic = metadata.topics.get(spec.topic)
    const required = spec.minPartitions ?? spec.partitions
    if (topic !== undefined && topic.partitionsCount < required) {
      throw new KafkaLoopError(
        KafkaErrorCode.FATAL,
        `topic ${spec.topic} has ${topic.partitionsCount} partitions, ${required} are required`,
      )
    }
    if (topic === undefined || topic.partitions.some((p) => p === undefined || p.leader < 0))
      pending.push(spec.topic)
  }
  return pending
}
