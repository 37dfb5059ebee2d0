import type {
  ConsumedRecord,
  GroupSession,
  OutputRecord,
  PartitionOffset,
  TopicPartition,
} from '@healthstream/shared/kafka'
import { KafkaErrorCode, KafkaLoopError, Notifier, partitionKey } from '@healthstream/shared/kafka'

/** A record in a partition log with the fate of the transaction that wrote it. */
interface LogEntry {
  readonly record: ConsumedRecord
  state: 'open' | 'committed' | 'aborted'
  readonly txn: number | undefined
}

interface Group {
  generationId: number
  readonly members: string[]
  assignments: Map<string, TopicPartition[]>
  readonly committed: Map<string, bigint>
  /** Offsets sent by transactions still open, by transaction number (`require_stable` waits on them). */
  readonly pending: Map<number, Map<string, PartitionOffset>>
  readonly listeners: Map<string, (session: GroupSession) => void>
  readonly topics: Set<string>
}

interface OpenTransaction {
  readonly id: number
  readonly entries: LogEntry[]
  readonly groups: Set<string>
}

/**
 * A single-process Kafka with just enough semantics for the loop's unit tests: partitioned logs,
 * transactions (read_committed readers see committed records only, and nothing past an open
 * transaction), epochs per transactional id (a newer producer fences and aborts the older one), and
 * consumer groups with generations (offsets from an older generation are rejected, KIP-447).
 */
export class MemoryBroker {
  readonly #logs = new Map<string, LogEntry[][]>()
  readonly #groups = new Map<string, Group>()
  readonly #epochs = new Map<string, number>()
  readonly #open = new Map<string, OpenTransaction>()
  readonly #appended = new Notifier()
  #txnCounter = 0
  #memberCounter = 0

  createTopic(topic: string, partitions: number): void {
    if (!this.#logs.has(topic))
      this.#logs.set(
        topic,
        Array.from({ length: partitions }, () => []),
      )
  }

  /** Appends committed records outside any transaction (what phones and gateways do). */
  append(records: readonly OutputRecord[]): void {
    for (const entry of this.#write(records, undefined)) entry.state = 'committed'
    this.#appended.notify()
  }

  /** What a read_committed reader sees in a topic, partition by partition in offset order. */
  readCommitted(topic: string): ConsumedRecord[] {
    return (this.#logs.get(topic) ?? []).flatMap((log) =>
      log.filter((entry) => entry.state === 'committed').map((entry) => entry.record),
    )
  }

  /** The group's committed offset of a partition (next record to read), or undefined. */
  committedOffset(groupId: string, topic: string, partition: number): bigint | undefined {
    return this.#groups.get(groupId)?.committed.get(partitionKey(topic, partition))
  }

  /**
   * The end a read_committed reader can reach (last stable offset): the first offset of a transaction
   * still open, or the log end. Aborted records count, as they take offsets in a real log too.
   */
  lastStableOffset(topic: string, partition: number): bigint {
    const log = this.#logs.get(topic)?.[partition] ?? []
    const open = log.findIndex((entry) => entry.state === 'open')
    return BigInt(open < 0 ? log.length : open)
  }

  // --- group membership -------------------------------------------------------------------------

  join(groupId: string, topics: readonly string[], listener: (session: GroupSession) => void): string {
    const group = this.#group(groupId)
    const memberId = `member-${++this.#memberCounter}`
    group.members.push(memberId)
    group.listeners.set(memberId, listener)
    for (const topic of topics) group.topics.add(topic)
    this.rebalance(groupId)
    return memberId
  }

  /** Removes a member (leave or session timeout) and rebalances the rest. */
  leave(groupId: string, memberId: string): void {
    const group = this.#group(groupId)
    const index = group.members.indexOf(memberId)
    if (index < 0) return
    group.members.splice(index, 1)
    group.listeners.delete(memberId)
    this.rebalance(groupId)
  }

  /** Starts a new generation: partitions dealt round-robin to members, every member told. */
  rebalance(groupId: string): void {
    const group = this.#group(groupId)
    group.generationId++
    group.assignments = new Map(group.members.map((member) => [member, []]))
    const partitions = [...group.topics].sort().flatMap((topic) => this.#partitionsOf(topic))
    for (const [i, tp] of partitions.entries()) {
      group.assignments.get(group.members[i % group.members.length]!)?.push(tp)
    }
    for (const member of group.members) group.listeners.get(member)?.(this.session(groupId, member)!)
  }

  session(groupId: string, memberId: string): GroupSession | undefined {
    const group = this.#group(groupId)
    const assignment = group.assignments.get(memberId)
    if (assignment === undefined) return undefined
    return { groupId, memberId, generationId: group.generationId, assignment }
  }

  isCurrent(session: GroupSession): boolean {
    const group = this.#group(session.groupId)
    return group.generationId === session.generationId && group.members.includes(session.memberId)
  }

  /** Committed offsets or the log start; throws while an open transaction holds offsets (require_stable). */
  startOffsets(groupId: string, partitions: readonly TopicPartition[]): PartitionOffset[] {
    const group = this.#group(groupId)
    for (const pending of group.pending.values()) {
      for (const tp of partitions) {
        if (pending.has(partitionKey(tp.topic, tp.partition))) {
          throw new KafkaLoopError(
            KafkaErrorCode.TRANSIENT,
            `unstable offset commit on ${tp.topic}[${tp.partition}]`,
          )
        }
      }
    }
    return partitions.map(({ topic, partition }) => {
      const offset = group.committed.get(partitionKey(topic, partition)) ?? 0n
      return { topic, partition, offset }
    })
  }

  // --- fetching ---------------------------------------------------------------------------------

  /** Committed records from the positions, stopping at the first open transaction of each partition. */
  async fetch(positions: readonly PartitionOffset[], maxRecords: number, maxWaitMs: number) {
    let result = this.#collect(positions, maxRecords)
    if (result.records.length === 0 && maxWaitMs > 0) {
      await this.#appended.wait(undefined, maxWaitMs)
      result = this.#collect(positions, maxRecords)
    }
    return result
  }

  #collect(positions: readonly PartitionOffset[], maxRecords: number) {
    const records: ConsumedRecord[] = []
    const next: PartitionOffset[] = []
    for (const { topic, partition, offset } of positions) {
      const log = this.#logs.get(topic)?.[partition] ?? []
      let position = offset
      while (position < BigInt(log.length) && records.length < maxRecords) {
        const entry = log[Number(position)]!
        if (entry.state === 'open') break
        if (entry.state === 'committed') records.push(entry.record)
        position++
      }
      if (position !== offset) next.push({ topic, partition, offset: position })
    }
    return { records, next }
  }

  // --- transactions -----------------------------------------------------------------------------

  /** Registers a producer (InitProducerId): bumps the epoch, which fences and aborts the older one. */
  initProducer(transactionalId: string): number {
    this.#finish(transactionalId, 'aborted')
    const epoch = (this.#epochs.get(transactionalId) ?? -1) + 1
    this.#epochs.set(transactionalId, epoch)
    return epoch
  }

  begin(transactionalId: string, epoch: number): void {
    this.#checkEpoch(transactionalId, epoch)
    if (this.#open.has(transactionalId)) throw new Error(`${transactionalId} already has an open transaction`)
    this.#open.set(transactionalId, { id: ++this.#txnCounter, entries: [], groups: new Set() })
  }

  send(transactionalId: string, epoch: number, records: readonly OutputRecord[]): void {
    const txn = this.#transaction(transactionalId, epoch)
    txn.entries.push(...this.#write(records, txn.id))
  }

  sendOffsets(
    transactionalId: string,
    epoch: number,
    offsets: readonly PartitionOffset[],
    session: GroupSession,
  ) {
    const txn = this.#transaction(transactionalId, epoch)
    if (!this.isCurrent(session)) {
      throw new KafkaLoopError(KafkaErrorCode.REBALANCED, `illegal generation ${session.generationId}`)
    }
    const group = this.#group(session.groupId)
    const pending = group.pending.get(txn.id) ?? new Map<string, PartitionOffset>()
    for (const offset of offsets) pending.set(partitionKey(offset.topic, offset.partition), offset)
    group.pending.set(txn.id, pending)
    txn.groups.add(session.groupId)
  }

  end(transactionalId: string, epoch: number, commit: boolean): void {
    this.#transaction(transactionalId, epoch)
    this.#finish(transactionalId, commit ? 'committed' : 'aborted')
  }

  #finish(transactionalId: string, state: 'committed' | 'aborted'): void {
    const txn = this.#open.get(transactionalId)
    if (txn === undefined) return
    this.#open.delete(transactionalId)
    for (const entry of txn.entries) entry.state = state
    for (const groupId of txn.groups) {
      const group = this.#group(groupId)
      const pending = group.pending.get(txn.id)
      group.pending.delete(txn.id)
      if (state === 'committed') for (const [key, po] of pending ?? []) group.committed.set(key, po.offset)
    }
    this.#appended.notify()
  }

  #transaction(transactionalId: string, epoch: number): OpenTransaction {
    this.#checkEpoch(transactionalId, epoch)
    const txn = this.#open.get(transactionalId)
    if (txn === undefined) throw new Error(`${transactionalId} has no open transaction`)
    return txn
  }

  #checkEpoch(transactionalId: string, epoch: number): void {
    if (this.#epochs.get(transactionalId) !== epoch) {
      throw new KafkaLoopError(KafkaErrorCode.PRODUCER_FENCED, `${transactionalId} epoch ${epoch} is fenced`)
    }
  }

  #write(records: readonly OutputRecord[], txn: number | undefined): LogEntry[] {
    return records.map((output) => {
      const logs = this.#logs.get(output.topic)
      if (logs === undefined) throw new Error(`unknown topic ${output.topic}`)
      const partition = output.partition ?? partitionFor(output.key ?? null, logs.length)
      const log = logs[partition]!
      const record: ConsumedRecord = {
        topic: output.topic,
        partition,
        offset: BigInt(log.length),
        key: output.key ?? null,
        value: output.value,
        headers: output.headers ?? new Map(),
        timestamp: output.timestamp ?? Date.now(),
      }
      const entry: LogEntry = { record, state: 'open', txn }
      log.push(entry)
      return entry
    })
  }

  #partitionsOf(topic: string): TopicPartition[] {
    return (this.#logs.get(topic) ?? []).map((_, partition) => ({ topic, partition }))
  }

  #group(groupId: string): Group {
    let group = this.#groups.get(groupId)
    if (group === undefined) {
      group = {
        generationId: 0,
        members: [],
        assignments: new Map(),
        committed: new Map(),
        pending: new Map(),
        listeners: new Map(),
        topics: new Set(),
      }
      this.#groups.set(groupId, group)
    }
    return group
  }
}

/** Same key → same partition (a simple FNV-1a hash; keyless records go to partition 0). */
function partitionFor(key: Buffer | null, partitions: number): number {
  if (key === null) return 0
  let hash = 0x811c9dc5
  for (const byte of key) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0
  return hash % partitions
}
