/**
 * What the transactional loop needs from a Kafka client, and nothing more. The loop is written against
 * these interfaces so it runs unchanged over @platformatic/kafka (`platformatic.ts`) or the in-memory
 * broker (`memory.ts`) used by unit tests.
 */

/** Kafka record headers by name. Tracing context (`traceparent`, `tracestate`) travels here. */
export type RecordHeaders = ReadonlyMap<string, Buffer>

/** One record read from an input topic. */
export interface ConsumedRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: RecordHeaders
  /** Milliseconds since the epoch (producer create time or broker append time). */
  readonly timestamp: number
  /**
   * Set when this record stands for a whole record batch that could not be read: its key and value are
   * null and its offset is the batch's last, so committing it moves the partition past the batch. The
   * services turn it into a dead letter (`docs`: packages/shared/README.md, "Decompression bombs").
   */
  readonly unreadable?: UnreadableBatch
}

/** A fetched record batch whose records cannot be handed out, and why. */
export interface UnreadableBatch {
  /** `inflate_limit`: compressed, it inflates beyond the bound (`FETCH_MAX_INFLATED_BYTES`). */
  readonly reason: 'inflate_limit'
  /** The offsets the batch covers from the fetch position on (inclusive). */
  readonly firstOffset: bigint
  readonly lastOffset: bigint
  readonly codec: string
  /** Size of the batch's compressed records. */
  readonly compressedBytes: number
  /** The inflate bound the batch passed. */
  readonly limit: number
}

/** One record the transform wants written; without `partition` the client partitions by key. */
export interface OutputRecord {
  readonly topic: string
  readonly key?: Buffer | null
  readonly value: Buffer | null
  readonly headers?: RecordHeaders
  readonly partition?: number
  readonly timestamp?: number
}

/** A partition of a topic. */
export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

/** A position in a partition: the offset of the next record to read. */
export interface PartitionOffset extends TopicPartition {
  readonly offset: bigint
}

/**
 * The consumer-group membership a batch was read under (KIP-447). Offsets sent to a transaction
 * carry it, so the group coordinator rejects them once the group has moved to a newer generation.
 */
export interface GroupSession {
  readonly groupId: string
  readonly memberId: string
  readonly generationId: number
  readonly assignment: readonly TopicPartition[]
}

/** The result of one fetch round trip. */
export interface FetchResult {
  /** Committed records only (read_committed), in offset order per partition. */
  readonly records: readonly ConsumedRecord[]
  /**
   * The next offset to fetch per partition that moved. It can move without records (transaction
   * markers, aborted data) or jump (an out-of-range position reset to the log start).
   */
  readonly next: readonly PartitionOffset[]
}

/** Limits of one fetch round trip. */
export interface FetchOptions {
  /** Longest time the broker may hold the request when there is no data. */
  readonly maxWaitMs: number
  /** Most bytes in the response (the broker still returns one batch when the first is larger). */
  readonly maxBytes: number
}

/** The consuming side: group membership, start positions and fetching. */
export interface ConsumerPort {
  /** Subscribes to the topics and joins the group; resolves once the first session is known. */
  subscribe(topics: readonly string[]): Promise<void>
  /** The last complete session (generation and assignment together), if the member has one. */
  session(): GroupSession | undefined
  /** True while `session` is current: no rejoin has started since it was handed out. */
  isCurrent(session: GroupSession): boolean
  /** Called after every completed (re)join with the new session. Returns an unsubscribe function. */
  onSession(listener: (session: GroupSession) => void): () => void
  /**
   * Where to resume each partition: the group's committed offset, read so that offsets of pending
   * transactions are waited for (`require_stable`), or the log start when the group has none.
   */
  startOffsets(partitions: readonly TopicPartition[]): Promise<PartitionOffset[]>
  /** Reads from the given positions (read_committed). */
  fetch(positions: readonly PartitionOffset[], options: FetchOptions): Promise<FetchResult>
  /** Leaves the group and closes the connections. */
  close(): Promise<void>
}

/** One open Kafka transaction. */
export interface TransactionPort {
  /** Writes records as part of the transaction (not visible to read_committed readers until commit). */
  send(records: readonly OutputRecord[]): Promise<void>
  /**
   * Adds consumed positions (the offset of the next record to read) to the transaction, fenced by the
   * session's generation (KIP-447 TxnOffsetCommit).
   */
  sendOffsets(offsets: readonly PartitionOffset[], session: GroupSession): Promise<void>
  commit(): Promise<void>
  abort(): Promise<void>
}

/** The producing side: one transactional producer (one `transactional.id`) per loop instance. */
export interface TransactionalProducerPort {
  /**
   * Registers the transactional id (InitProducerId): bumps its epoch, which fences any older producer
   * with the id and aborts the transaction it left open. Called once before consuming, so a zombie's
   * pending offsets do not keep the group's offsets unstable until its transaction times out.
   */
  init(): Promise<void>
  /** Starts a transaction (registering the transactional id first if `init` was not called). */
  begin(): Promise<TransactionPort>
  /**
   * Drops the producer's state and registers the same transactional id again, now: that bumps the
   * epoch, which makes the coordinator abort whatever transaction it still holds open for the id. Used
   * when an abort failed and the broker-side state of the transaction is unknown.
   */
  reset(): Promise<void>
  close(): Promise<void>
}

/** Stable key of a partition in maps and logs. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`
}
