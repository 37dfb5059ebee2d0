// The aggregation state in memory, for unit tests and the benchmarks' CPU-only baseline; never for
// production (a test double ships apart from the product). The store contract tests
// (`store-contract.ts`) run against it and against Redis, so the two cannot drift apart.
import type { Micros } from '@healthstream/shared/domain'
import {
  type AggregateQuery,
  type AggregateStore,
  AggregateStoreError,
  type CommitRequest,
  DEFAULT_RESET_AFTER,
  emptyMeta,
  type LoadRequest,
  type LoadResult,
  type PartitionMeta,
  type WindowState,
} from '../../src/windows/store.ts'
import { firingWatermark, NO_WATERMARK, partitionWatermark, UNBOUNDED } from '../../src/windows/watermark.ts'

interface PartitionData {
  meta: PartitionMeta
  windows: Map<string, { state: WindowState; expiresAt: Micros }>
  timers: Map<string, Micros>
  dirty: Set<string>
  outbox: Uint8Array | null
  ticks: Map<number, Uint8Array>
}

/** True when early firing is on and its interval has passed since the last one. */
function earlyFireDue(meta: PartitionMeta, now: Micros, interval: Micros): boolean {
  return interval > 0 && now - meta.earlyFiredAt >= interval
}

/**
 * The firing watermark a load computes: the stored one, advanced by the partition's own watermark
 * after the batch, held back by the instance's other active partitions.
 */
function loadWatermark(meta: PartitionMeta, request: LoadRequest): Micros {
  const maxEventTime = Math.max(meta.maxEventTime, request.batchMaxEventTime)
  const own = request.idle ? UNBOUNDED : partitionWatermark(maxEventTime, request.outOfOrderness)
  return firingWatermark(meta.fireWatermark, own, request.othersWatermark)
}

/**
 * `AggregateStore` in memory, with the same semantics as the Redis store: for unit tests and tools.
 * Final windows expire `retention` after they become final, on the clock of the commit's `now`.
 */
export class InMemoryAggregateStore implements AggregateStore {
  readonly #partitions = new Map<number, PartitionData>()
  readonly #resetAfter: Micros
  /** Calls made, by method (tests count round trips with it). */
  readonly calls = { claim: 0, load: 0, commit: 0, query: 0 }

  constructor(options: { resetAfter?: Micros } = {}) {
    this.#resetAfter = options.resetAfter ?? DEFAULT_RESET_AFTER
  }

  async claim(partition: number, generation: number, now: Micros): Promise<PartitionMeta> {
    this.calls.claim++
    const data = this.#data(partition)
    const { meta } = data
    if (generation < meta.generation && now - meta.writtenAt <= this.#resetAfter) {
      throw new AggregateStoreError(
        'FENCED',
        `partition ${partition} is held by generation ${meta.generation}`,
      )
    }
    data.meta = { ...meta, generation, epoch: meta.epoch + 1, writtenAt: now }
    return data.meta
  }

  async load(request: LoadRequest): Promise<LoadResult> {
    this.calls.load++
    const data = this.#owned(request.partition, request.epoch)
    const { meta } = data
    const fireWatermark = loadWatermark(meta, request)
    const due = [...data.timers].filter(([, at]) => at <= fireWatermark).map(([id]) => id)
    const dirty = earlyFireDue(meta, request.now, request.earlyFireInterval) ? [...data.dirty] : null
    const states = new Map<string, WindowState>()
    for (const id of [...request.ids, ...due, ...(dirty ?? [])]) {
      const entry = data.windows.get(id)
      if (entry !== undefined && entry.expiresAt > request.now) states.set(id, entry.state)
    }
    const replay = meta.group !== null && meta.group.from === request.firstOffset
    return { meta, fireWatermark, states, due, dirty, outbox: replay ? data.outbox : null }
  }

  async commit(request: CommitRequest): Promise<void> {
    this.calls.commit++
    const data = this.#owned(request.partition, request.epoch)
    if (data.meta.version !== request.expectedVersion) {
      throw new AggregateStoreError('CONFLICT', `partition ${request.partition} changed since it was loaded`)
    }
    for (const state of request.put)
      data.windows.set(state.id, { state, expiresAt: Number.POSITIVE_INFINITY })
    for (const state of request.finals) {
      if (request.retention === 0) data.windows.delete(state.id)
      else data.windows.set(state.id, { state, expiresAt: request.now + request.retention })
    }
    for (const [id, at] of request.timers) data.timers.set(id, at)
    for (const id of request.cancelTimers) data.timers.delete(id)
    if (request.dirtyClear) data.dirty.clear()
    for (const id of request.dirtyRemove) data.dirty.delete(id)
    for (const id of request.dirtyAdd) data.dirty.add(id)
    if (request.outbox !== undefined) data.outbox = request.outbox
    if (request.tick !== undefined) data.ticks.set(request.tick.anchor, request.tick.data)
    data.meta = { ...data.meta, ...request.meta, version: data.meta.version + 1, writtenAt: request.now }
  }

  async readTick(partition: number, anchor: number): Promise<Uint8Array | null> {
    return this.#data(partition).ticks.get(anchor) ?? null
  }

  async query(query: AggregateQuery): Promise<WindowState[]> {
    this.calls.query++
    const found: WindowState[] = []
    for (const data of this.#partitions.values()) {
      for (const { state } of data.windows.values()) if (matches(state, query)) found.push(state)
    }
    return found.sort((a, b) => a.window.start - b.window.start || (a.id < b.id ? -1 : 1))
  }

  /** The partitions' metas (for assertions). */
  meta(partition: number): PartitionMeta {
    return this.#data(partition).meta
  }

  #data(partition: number): PartitionData {
    let data = this.#partitions.get(partition)
    if (data === undefined) {
      data = {
        meta: emptyMeta(NO_WATERMARK),
        windows: new Map(),
        timers: new Map(),
        dirty: new Set(),
        outbox: null,
        ticks: new Map(),
      }
      this.#partitions.set(partition, data)
    }
    return data
  }

  #owned(partition: number, epoch: number): PartitionData {
    const data = this.#data(partition)
    if (data.meta.epoch !== epoch) {
      throw new AggregateStoreError(
        'FENCED',
        `partition ${partition} is held by claim ${data.meta.epoch}, not ${epoch}`,
      )
    }
    return data
  }
}

/** Whether a window state answers a query (start within [from, to)). */
function matches(state: WindowState, query: AggregateQuery): boolean {
  if (state.userId !== query.userId) return false
  if (query.dataType !== undefined && state.dataType !== query.dataType) return false
  if (query.granularity !== undefined && state.window.granularity !== query.granularity) return false
  if (query.from !== undefined && state.window.start < query.from) return false
  return query.to === undefined || state.window.start < query.to
}
