import type { Micros } from '@healthstream/shared/domain'
import { accessError, type RedisErrorCount, type RedisOperation } from '@healthstream/shared/redis'
import type { Cluster, Redis } from 'ioredis'
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
} from '../windows/store.ts'
import { NO_WATERMARK } from '../windows/watermark.ts'
import { CLAIM_LUA, COMMIT_LUA, LOAD_LUA, QUERY_LUA } from './redis-scripts.ts'
import { decodeWindowState, encodeWindowState } from './window-codec.ts'

type Arg = string | number | Buffer
type Reply = Buffer | null | Reply[] | number
type ScriptCommand = (...args: (Arg | readonly Arg[])[]) => Promise<unknown>
type ScriptClient = (Redis | Cluster) & Record<string, ScriptCommand>

/** Options of `RedisAggregateStore`. */
export interface RedisAggregateStoreOptions {
  /** Prefix of every key (no braces: the hash tag must be the partition's). Default `healthstream`. */
  readonly namespace?: string
  /** A claim by a lower generation wins over one unused for this long (the group was reset). */
  readonly resetAfter?: Micros
  /** Counts a failed call, by operation (the error is thrown on as `AggregateStoreError`). */
  readonly onError?: RedisErrorCount
}

/**
 * `AggregateStore` on Redis (single node or Cluster). One partition's keys share the hash tag
 * `{agg-p<N>}`:
 * - `<ns>:agg:{agg-p<N>}:meta` hash: generation, epoch, version, group offsets, watermarks;
 * - `…:w:<window id>` the window state (JSON); final windows expire after the retention;
 * - `…:timers` sorted set of window ids by the watermark they are due at; `…:dirty` set;
 * - `…:outbox` the last group's outputs; `…:u:<user id>` sorted set of a user's windows by start;
 * - `…:tick:<anchor>` outputs of the last commit without records carried by partition `anchor`.
 * Load, commit and claim are each one Lua script (one round trip, atomic). `<ns>:agg:partitions`
 * lists the partitions ever claimed, for queries (a user's partition is not known to the reader).
 * Redis must not evict (`maxmemory-policy noeviction`) and should persist with AOF.
 */
export class RedisAggregateStore implements AggregateStore {
  readonly #redis: ScriptClient
  readonly #ns: string
  readonly #resetAfter: Micros
  readonly #onError: RedisErrorCount | undefined

  constructor(redis: Redis | Cluster, options: RedisAggregateStoreOptions = {}) {
    this.#ns = options.namespace ?? 'healthstream'
    if (/[{}]/.test(this.#ns)) throw new RangeError(`namespace must not contain braces: ${this.#ns}`)
    this.#resetAfter = options.resetAfter ?? DEFAULT_RESET_AFTER
    this.#redis = redis as ScriptClient
    this.#onError = options.onError
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, { lua })
    }
  }

  /** Prefix of partition `p`'s keys. */
  prefix(partition: number): string {
    return `${this.#ns}:agg:{agg-p${partition}}:`
  }

  async claim(partition: number, generation: number, now: Micros): Promise<PartitionMeta> {
    const p = this.prefix(partition)
    const flat = (await this.#call(
      'claim',
      'healthstreamAggClaimBuffer',
      [`${p}meta`],
      [generation, now, this.#resetAfter],
    )) as Buffer[]
    await this.#guard('claim', () => this.#redis.sadd(`${this.#ns}:agg:partitions`, String(partition)))
    return parseMeta(flat)
  }

  async load(request: LoadRequest): Promise<LoadResult> {
    const p = this.prefix(request.partition)
    const keys = [
      `${p}meta`,
      `${p}timers`,
      `${p}dirty`,
      `${p}outbox`,
      ...request.ids.map((id) => `${p}w:${id}`),
    ]
    const args = [
      `${p}w:`,
      request.epoch,
      request.batchMaxEventTime,
      request.othersWatermark,
      request.outOfOrderness,
      request.earlyFireInterval,
      request.now,
      request.firstOffset,
      request.idle ? '1' : '0',
    ]
    return parseLoad(
      request.ids,
      (await this.#call('load', 'healthstreamAggLoadBuffer', keys, args)) as Reply[],
    )
  }

  async commit(request: CommitRequest): Promise<void> {
    const { keys, args } = commitCommand(this.prefix(request.partition), request)
    await this.#call('commit', 'healthstreamAggCommit', keys, args)
  }

  async readTick(partition: number, anchor: number): Promise<Uint8Array | null> {
    const key = `${this.prefix(partition)}tick:${anchor}`
    const data = await this.#guard('read', () => this.#redis.getBuffer(key))
    return data === null ? null : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  }

  async query(query: AggregateQuery): Promise<WindowState[]> {
    const members = await this.#guard('query', () => this.#redis.smembers(`${this.#ns}:agg:partitions`))
    const from = query.from === undefined ? '-inf' : String(query.from)
    const to = query.to === undefined ? '+inf' : `(${query.to}`
    const replies = await Promise.all(
      members.map((partition) => {
        const p = this.prefix(Number(partition))
        return this.#call(
          'query',
          'healthstreamAggQuery',
          [`${p}u:${query.userId}`],
          [`${p}w:`, from, to],
        ) as Promise<string[]>
      }),
    )
    const found: WindowState[] = []
    for (const flat of replies) {
      for (let i = 0; i < flat.length; i += 2) {
        const state = decodeWindowState(flat[i]!, flat[i + 1]!)
        if (query.dataType !== undefined && state.dataType !== query.dataType) continue
        if (query.granularity !== undefined && state.window.granularity !== query.granularity) continue
        found.push(state)
      }
    }
    return found.sort((a, b) => a.window.start - b.window.start || (a.id < b.id ? -1 : 1))
  }

  async #call(
    operation: RedisOperation,
    command: string,
    keys: readonly string[],
    args: readonly Arg[],
  ): Promise<unknown> {
    // Arrays are flattened by ioredis; passing them whole avoids spreading 100k arguments into a call
    return this.#guard(operation, () => this.#redis[command]!(keys.length, keys, args))
  }

  /**
   * Counts a failure, then maps script errors to `FENCED` / `CONFLICT`, a refusal of the ACL or the
   * credentials to `FORBIDDEN`, everything else to `UNAVAILABLE`.
   */
  async #guard<T>(operation: RedisOperation, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      this.#onError?.(operation)
      const denied = accessError(error)
      if (denied) throw new AggregateStoreError('FORBIDDEN', `redis: ${denied.message}`, { cause: error })
      const message = error instanceof Error ? error.message : String(error)
      const code = /^(FENCED|CONFLICT)\b/.exec(message)?.[1] as 'FENCED' | 'CONFLICT' | undefined
      throw new AggregateStoreError(code ?? 'UNAVAILABLE', `redis: ${message}`, { cause: error })
    }
  }
}

const SCRIPTS = {
  healthstreamAggClaim: CLAIM_LUA,
  healthstreamAggLoad: LOAD_LUA,
  healthstreamAggCommit: COMMIT_LUA,
  healthstreamAggQuery: QUERY_LUA,
}

/** KEYS and ARGV of the commit script (the layout is documented at `COMMIT_LUA`). */
function commitCommand(p: string, request: CommitRequest): { keys: string[]; args: Arg[] } {
  const keys = [`${p}meta`, `${p}timers`, `${p}dirty`, `${p}outbox`]
  const positions = new Map<string, number>()
  const position = (key: string): number => {
    let i = positions.get(key)
    if (i === undefined) {
      i = keys.push(key) // 1-based, as KEYS in Lua
      positions.set(key, i)
    }
    return i
  }
  const created = new Set(request.created)
  const dropped = request.retention === 0
  // Index position 0: the window is in its user's index already (it joined when it was created)
  const windows = (states: readonly WindowState[], final: boolean): Arg[] => [
    states.length,
    ...states.flatMap((s) => {
      const index = created.has(s.id) || (final && dropped) ? position(`${p}u:${s.userId}`) : 0
      return [position(`${p}w:${s.id}`), encodeWindowState(s), index, s.window.start, s.id]
    }),
  ]
  const { meta } = request
  const metaPairs: Arg[] = [
    ...(meta.group === null ? [] : ['groupFrom', meta.group.from, 'groupTo', meta.group.to]),
    ...['maxEventTime', meta.maxEventTime, 'fireWatermark', meta.fireWatermark],
    ...['earlyFiredAt', meta.earlyFiredAt],
  ]
  const args: Arg[] = [
    ...[request.epoch, request.expectedVersion, request.now, Math.ceil(request.retention / 1000)],
    ...[metaPairs.length / 2, ...metaPairs],
    ...windows(request.put, false),
    ...windows(request.finals, true),
    ...[request.timers.size, ...[...request.timers].flatMap(([id, at]) => [at, id])],
    ...[request.cancelTimers.length, ...request.cancelTimers],
    request.dirtyClear ? '1' : '0',
    ...[request.dirtyRemove.length, ...request.dirtyRemove],
    ...[request.dirtyAdd.length, ...request.dirtyAdd],
    request.outbox === undefined ? '0' : '1',
    request.outbox === undefined ? '' : toBuffer(request.outbox),
    request.tick === undefined ? 0 : position(`${p}tick:${request.tick.anchor}`),
    request.tick === undefined ? '' : toBuffer(request.tick.data),
  ]
  return { keys, args }
}

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

type LoadReply = [
  Buffer[],
  Buffer,
  (Buffer | null)[],
  Buffer[],
  (Buffer | null)[],
  Buffer[] | null,
  (Buffer | null)[],
  Buffer | null,
]

function parseLoad(ids: readonly string[], reply: Reply[]): LoadResult {
  const [flat, fire, requested, due, dueStates, dirty, dirtyStates, outbox] = reply as LoadReply
  const states = new Map<string, WindowState>()
  const dueIds = due.map((b) => b.toString('utf8'))
  const dirtyIds = dirty === null ? null : dirty.map((b) => b.toString('utf8'))
  addStates(states, ids, requested)
  addStates(states, dueIds, dueStates)
  addStates(states, dirtyIds ?? [], dirtyStates)
  return {
    meta: parseMeta(flat),
    fireWatermark: Number(fire.toString('utf8')),
    states,
    due: dueIds,
    dirty: dirtyIds,
    outbox: outbox === null ? null : new Uint8Array(outbox.buffer, outbox.byteOffset, outbox.byteLength),
  }
}

function addStates(
  into: Map<string, WindowState>,
  ids: readonly string[],
  jsons: readonly (Buffer | null)[],
): void {
  for (let i = 0; i < ids.length; i++) {
    const json = jsons[i]
    if (json) into.set(ids[i]!, decodeWindowState(ids[i]!, json.toString('utf8')))
  }
}

/** Meta from a flat HGETALL reply; absent fields take the values of an unwritten partition. */
function parseMeta(flat: readonly Buffer[]): PartitionMeta {
  const fields = new Map<string, number>()
  for (let i = 0; i < flat.length; i += 2)
    fields.set(flat[i]!.toString('utf8'), Number(flat[i + 1]!.toString('utf8')))
  const empty = emptyMeta(NO_WATERMARK)
  const from = fields.get('groupFrom')
  const to = fields.get('groupTo')
  return {
    generation: fields.get('generation') ?? empty.generation,
    epoch: fields.get('epoch') ?? empty.epoch,
    version: fields.get('version') ?? empty.version,
    group: from === undefined || to === undefined ? null : { from, to },
    maxEventTime: fields.get('maxEventTime') ?? empty.maxEventTime,
    fireWatermark: fields.get('fireWatermark') ?? empty.fireWatermark,
    earlyFiredAt: fields.get('earlyFiredAt') ?? empty.earlyFiredAt,
    writtenAt: fields.get('writtenAt') ?? empty.writtenAt,
  }
}
