import type {
  ConsumerPort,
  FetchOptions,
  FetchResult,
  GroupSession,
  LogEdge,
  LogOffsetsPort,
  OutputRecord,
  PartitionOffset,
  TopicPartition,
  TransactionalProducerPort,
  TransactionPort,
} from '@healthstream/shared/kafka'
import { MemoryBroker } from './kafka-broker.ts'

export { MemoryBroker }

/** Operations a test can make fail once, to drive the loop's error paths. */
export type FaultPoint =
  | 'fetch'
  | 'startOffsets'
  | 'logOffsets'
  | 'begin'
  | 'send'
  | 'sendOffsets'
  | 'commit'
  | 'abort'

/** Marker for `Faults.hangNext`: the call never settles, like a process frozen or killed mid-call. */
const HANG = Symbol('hang')
const PASS = Symbol('pass')

/** Errors (or hangs) queued per operation; each call takes the first one queued for it. */
export class Faults {
  readonly #queued = new Map<FaultPoint, unknown[]>()

  /** The next call of `point` throws `error`. */
  failNext(point: FaultPoint, error: unknown): void {
    this.#queued.set(point, [...(this.#queued.get(point) ?? []), error])
  }

  /** After `passing` more calls of `point` go through, the next one never returns (a crash there). */
  hangAfter(point: FaultPoint, passing = 0): void {
    for (let i = 0; i < passing; i++) this.failNext(point, PASS)
    this.failNext(point, HANG)
  }

  async check(point: FaultPoint): Promise<void> {
    const queued = this.#queued.get(point)
    if (queued === undefined || queued.length === 0) return
    const fault = queued.shift()
    if (fault === PASS) return
    if (fault === HANG) await new Promise<never>(() => undefined)
    throw fault
  }
}

/** A `ConsumerPort` over a `MemoryBroker`. Each instance is one group member once subscribed. */
export class MemoryConsumer implements ConsumerPort, LogOffsetsPort {
  readonly faults = new Faults()
  readonly #broker: MemoryBroker
  readonly #groupId: string
  readonly #listeners = new Set<(session: GroupSession) => void>()
  #memberId: string | undefined
  #session: GroupSession | undefined

  constructor(broker: MemoryBroker, groupId: string) {
    this.#broker = broker
    this.#groupId = groupId
  }

  async subscribe(topics: readonly string[]): Promise<void> {
    this.#memberId = this.#broker.join(this.#groupId, topics, (session) => {
      this.#session = session
      for (const listener of this.#listeners) listener(session)
    })
  }

  session(): GroupSession | undefined {
    return this.#session
  }

  isCurrent(session: GroupSession): boolean {
    return this.#memberId !== undefined && this.#broker.isCurrent(session)
  }

  onSession(listener: (session: GroupSession) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async startOffsets(partitions: readonly TopicPartition[]): Promise<PartitionOffset[]> {
    await this.faults.check('startOffsets')
    return this.#broker.startOffsets(this.#groupId, partitions)
  }

  /** Log start (always 0: nothing is ever deleted) or last stable offset, as ListOffsets read_committed. */
  async logOffsets(partitions: readonly TopicPartition[], edge: LogEdge): Promise<PartitionOffset[]> {
    await this.faults.check('logOffsets')
    return partitions.map(({ topic, partition }) => ({
      topic,
      partition,
      offset: edge === 'earliest' ? 0n : this.#broker.lastStableOffset(topic, partition),
    }))
  }

  async fetch(positions: readonly PartitionOffset[], options: FetchOptions): Promise<FetchResult> {
    await this.faults.check('fetch')
    // One "byte" per record keeps the limit meaningful without measuring payloads
    return this.#broker.fetch(positions, Math.max(1, Math.floor(options.maxBytes / 1024)), options.maxWaitMs)
  }

  /** Leaves the group. A crashed process never gets here: tests call `broker.leave` to expire it. */
  async close(): Promise<void> {
    if (this.#memberId !== undefined) this.#broker.leave(this.#groupId, this.#memberId)
    this.#memberId = undefined
    this.#session = undefined
  }

  get memberId(): string | undefined {
    return this.#memberId
  }
}

/** A `TransactionalProducerPort` over a `MemoryBroker`, with one transactional id. */
export class MemoryProducer implements TransactionalProducerPort {
  readonly faults = new Faults()
  readonly #broker: MemoryBroker
  readonly #transactionalId: string
  #epoch: number | undefined
  resets = 0

  constructor(broker: MemoryBroker, transactionalId: string) {
    this.#broker = broker
    this.#transactionalId = transactionalId
  }

  async begin(): Promise<TransactionPort> {
    await this.faults.check('begin')
    this.#epoch ??= this.#broker.initProducer(this.#transactionalId)
    const epoch = this.#epoch
    this.#broker.begin(this.#transactionalId, epoch)
    return this.#transaction(epoch)
  }

  async init(): Promise<void> {
    this.#epoch = this.#broker.initProducer(this.#transactionalId)
  }

  async reset(): Promise<void> {
    this.resets++
    this.#epoch = this.#broker.initProducer(this.#transactionalId)
  }

  async close(): Promise<void> {
    this.#epoch = undefined
  }

  #transaction(epoch: number): TransactionPort {
    const id = this.#transactionalId
    const broker = this.#broker
    const faults = this.faults
    return {
      async send(records: readonly OutputRecord[]) {
        await faults.check('send')
        broker.send(id, epoch, records)
      },
      async sendOffsets(offsets: readonly PartitionOffset[], session: GroupSession) {
        await faults.check('sendOffsets')
        broker.sendOffsets(id, epoch, offsets, session)
      },
      async commit() {
        await faults.check('commit')
        broker.end(id, epoch, true)
      },
      async abort() {
        await faults.check('abort')
        broker.end(id, epoch, false)
      },
    }
  }
}
