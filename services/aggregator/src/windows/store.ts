// The port of the aggregation state (Redis in production, memory in tests) and the model it keeps:
// the state of each window, and per partition the bookkeeping that makes a batch apply exactly once.
import type { Micros } from '@healthstream/shared/domain'
import type { Granularity, Window } from './definitions.ts'
import type { Stats } from './stats.ts'

/** The state of one window of one (user, data type) series, as the state store keeps it. */
export interface WindowState {
  /** `windowId(userId, dataType, window)` */
  readonly id: string
  readonly userId: string
  readonly dataType: string
  /** Unit of the first sample that opened the window (canonical for known data types). */
  readonly unit: string
  readonly window: Window
  readonly stats: Stats
  /** The watermark has passed the end: every further change is emitted at once. */
  readonly fired: boolean
  /** Lateness has expired: the result is final; the state only lingers for queries. */
  readonly final: boolean
  /** Revision of the last emitted row (0: none yet). */
  readonly revision: number
  /** Processing time of the last change. */
  readonly updatedAt: Micros
}

/** Offsets [from, to] of one partition whose effects were applied together, and whose outputs are kept. */
export interface OffsetGroup {
  readonly from: number
  readonly to: number
}

/** Per-partition bookkeeping stored beside the windows. */
export interface PartitionMeta {
  /** Consumer-group generation of the last claim; 0 before the first. */
  readonly generation: number
  /**
   * Incremented by every claim: the owner's fencing token. The generation alone cannot tell a
   * restarted instance from its zombie (a static group member keeps its generation across restarts).
   */
  readonly epoch: number
  /** Incremented by every commit (compare-and-set). */
  readonly version: number
  /** The last applied group; its outputs are in the outbox. */
  readonly group: OffsetGroup | null
  /** Largest event time applied (`NO_WATERMARK` before the first). */
  readonly maxEventTime: Micros
  /** Watermark the windows last fired by; never decreases. */
  readonly fireWatermark: Micros
  /** Processing time of the last early firing. */
  readonly earlyFiredAt: Micros
  /** Processing time of the last claim or commit. */
  readonly writtenAt: Micros
}

/** What to read for one batch of one partition. */
export interface LoadRequest {
  readonly partition: number
  /** The epoch the owner's claim returned. */
  readonly epoch: number
  /** Windows the batch's samples fall in. */
  readonly ids: readonly string[]
  /** Largest event time in the batch (`NO_WATERMARK` when it has no samples). */
  readonly batchMaxEventTime: Micros
  /** Watermark of the instance's other active partitions (`UNBOUNDED` when none). */
  readonly othersWatermark: Micros
  readonly outOfOrderness: Micros
  readonly earlyFireInterval: Micros
  readonly now: Micros
  /** First offset of the batch: the outbox is returned when it starts the stored group (a replay). */
  readonly firstOffset: number
  /**
   * The partition delivered nothing for longer than the idle timeout: its own watermark does not hold
   * its windows back, they fire by `othersWatermark` alone (which must then be bounded).
   */
  readonly idle?: boolean
}

/** The state a batch works on, read in one atomic step. */
export interface LoadResult {
  readonly meta: PartitionMeta
  /** `firingWatermark(meta.fireWatermark, own watermark after the batch, othersWatermark)` */
  readonly fireWatermark: Micros
  /** Existing states of the requested, due and (when early firing is due) dirty windows. */
  readonly states: ReadonlyMap<string, WindowState>
  /** Windows whose timer (end, or end + lateness once fired) is at or below `fireWatermark`. */
  readonly due: readonly string[]
  /** Open windows changed since the last early firing, or null when no early firing is due. */
  readonly dirty: readonly string[] | null
  /** The stored outputs of `meta.group` when `firstOffset === meta.group.from`; otherwise null. */
  readonly outbox: Uint8Array | null
}

/** Everything one batch changes, applied atomically, if the partition is still at `expectedVersion`. */
export interface CommitRequest {
  readonly partition: number
  readonly epoch: number
  readonly expectedVersion: number
  readonly meta: Pick<PartitionMeta, 'group' | 'maxEventTime' | 'fireWatermark' | 'earlyFiredAt'>
  /** Open or fired windows to store. */
  readonly put: readonly WindowState[]
  /** Windows that became final: kept for `retention`, then gone. */
  readonly finals: readonly WindowState[]
  /** Windows (in `put` or `finals`) new in this batch: they join their user's query index. */
  readonly created: readonly string[]
  readonly retention: Micros
  /** Timers to set (window id → watermark at which it is due). */
  readonly timers: ReadonlyMap<string, Micros>
  readonly cancelTimers: readonly string[]
  readonly dirtyAdd: readonly string[]
  readonly dirtyRemove: readonly string[]
  /** Empty the dirty set before adding `dirtyAdd` (after an early firing). */
  readonly dirtyClear: boolean
  /** The outputs of `meta.group`, returned again if the batch is replayed; absent: kept as it is. */
  readonly outbox?: Uint8Array
  /**
   * Outputs of a commit without records of this partition (due windows fired by the other partitions'
   * progress), stored under the partition (`anchor`) whose offsets carried them; see `readTick`.
   */
  readonly tick?: { readonly anchor: number; readonly data: Uint8Array }
  readonly now: Micros
}

/** Which windows of a user to read. Bounds apply to the window start: from ≤ start < to. */
export interface AggregateQuery {
  readonly userId: string
  readonly dataType?: string
  readonly granularity?: Granularity
  readonly from?: Micros
  readonly to?: Micros
}

/**
 * Port of the aggregation state (Redis in production, memory in tests). Each method is atomic for
 * one partition; the claim's epoch fences a previous owner's late writes.
 */
export interface AggregateStore {
  /**
   * Takes a partition for a consumer-group generation: a new epoch, which fences every earlier claim,
   * and the partition's state. Fails with `FENCED` when a newer generation already holds it (unless
   * that claim lies unused beyond the store's reset horizon: the group was deleted and started over).
   */
  claim(partition: number, generation: number, now: Micros): Promise<PartitionMeta>
  /** Reads what a batch needs; `FENCED` unless `epoch` is the partition's latest claim. */
  load(request: LoadRequest): Promise<LoadResult>
  /** Applies a batch's changes; `FENCED` or `CONFLICT` (changed since the load) apply nothing. */
  commit(request: CommitRequest): Promise<void>
  /**
   * The last `tick` that `partition` committed under `anchor` (null when none). Not fenced: the owner of
   * the anchor reads it to re-emit it, whoever owns `partition` now.
   */
  readTick(partition: number, anchor: number): Promise<Uint8Array | null>
  /** Current windows of a user (open, fired and final ones still retained), by window start. */
  query(query: AggregateQuery): Promise<WindowState[]>
}

/** Stable codes of `AggregateStoreError`. */
export type AggregateStoreErrorCode = 'FENCED' | 'CONFLICT' | 'UNAVAILABLE' | 'FORBIDDEN'

/**
 * A state-store failure. `FENCED`: a later claim owns the partition (this instance is behind a
 * rebalance or was replaced; the batch is redone by the owner). `CONFLICT`: the partition changed between
 * load and commit. `UNAVAILABLE`: the store cannot be reached. These can be retried. `FORBIDDEN`: the
 * store refused this service's credentials, a command or a key (its ACL): not retried, the loop stops
 * and the service exits saying so, for no retry passes until the credentials or the ACL change.
 */
export class AggregateStoreError extends Error {
  readonly code: AggregateStoreErrorCode
  readonly canRetry: boolean
  constructor(code: AggregateStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AggregateStoreError'
    this.code = code
    this.canRetry = code !== 'FORBIDDEN'
  }
}

/**
 * A claim older than this (processing time) may be taken by a lower generation: the group was reset.
 * Every store implementation uses it, so they agree on when a reset group may start over.
 */
export const DEFAULT_RESET_AFTER: Micros = 3_600_000_000

/** The meta of a partition nobody has written yet. */
export function emptyMeta(noWatermark: Micros): PartitionMeta {
  return {
    generation: 0,
    epoch: 0,
    version: 0,
    group: null,
    maxEventTime: noWatermark,
    fireWatermark: noWatermark,
    earlyFiredAt: 0,
    writtenAt: 0,
  }
}
