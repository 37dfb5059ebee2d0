/**
 * The lake-writer's loop: read the owned partitions from the offsets the tables record, buffer rows
 * per table, and commit every table with pending work in one snapshot each, on an interval or when a
 * buffer is full. The Iceberg commit is the transaction: rows and consumed offsets land together or
 * not at all. Any error (a fenced commit, a catalog or broker failure) drops every buffer and resyncs
 * from the tables, the same path as a start after kill -9, so there is one recovery and it is tested.
 * Except a Kafka error no retry can fix (`canRetry: false`: the broker refuses the credentials or an
 * ACL): that stops the loop, and `run()` rejects with it, so the process exits saying why.
 *
 * Commit order, per table: write Parquet files (unique names) → write manifests and manifest list →
 * swap the catalog's metadata pointer (compare-and-swap; table properties and summary hold the offsets) → report the
 * position to the consumer group (for lag monitoring only; never read back).
 *
 * A commit runs beside the reading: its rows leave the buffers when it starts, and the loop goes on
 * filling fresh buffers while the commit writes files and talks to the catalog (and, with an encode
 * pool, while another thread encodes the Parquet). One commit at a time, so each fences on the
 * offsets the one before recorded; a buffer that fills up while a commit runs waits for it. A failed
 * commit makes the loop resync, as any error does. The argument in full: docs/exactly-once.md, section 3.
 */
import {
  backoffDelay,
  type ConsumedRecord,
  DEFAULT_FETCH_MAX_BYTES,
  type GroupSession,
  isKafkaLoopError,
  type PartitionOffset,
  sleep,
} from '@healthstream/shared/kafka'
import { BackgroundTask } from './background-task.ts'
import { MissingColumnsError } from './committing/errors.ts'
import { bufferSchema } from './committing/extra-columns.ts'
import { buffersFull, commitDue, countByTopic } from './consuming/commit-due.ts'
import { Fetcher } from './consuming/fetcher.ts'
import { positionsFor, recordedPositions, routeRecords } from './consuming/positions.ts'
import { TableBuffer } from './consuming/table-buffer.ts'
import { FlushRequests } from './flush-requests.ts'
import type { LakeLoopOptions } from './loop-options.ts'
import { type LakeEvent, type LakeStats, LoopCounters } from './loop-stats.ts'
import { Mutex } from './mutex.ts'
import { CommitTracing } from './tracing/commit-spans.ts'

/** The consume → buffer → commit loop of one lake-writer instance. */
export class LakeLoop {
  readonly #o: LakeLoopOptions
  readonly #buffers: Map<string, TableBuffer>
  readonly #fetcher: Fetcher
  readonly #mutex = new Mutex()
  readonly #stop = new AbortController()
  #synced: GroupSession | undefined
  readonly #flushes = new FlushRequests()
  #state: LakeStats['state'] = 'created'
  readonly #counters = new LoopCounters()
  #running: Promise<void> | undefined
  #paused = false
  /** The commit running beside the reading. */
  readonly #commits = new BackgroundTask()
  /** The trace contexts of the buffered rows, and the spans of each table's commit. */
  readonly #tracing = new CommitTracing()

  constructor(options: LakeLoopOptions) {
    this.#o = options
    this.#buffers = new Map(options.sinks.map((s) => [s.def.name, new TableBuffer(s.def)]))
    const fetchMaxWaitMs = Math.max(50, Math.min(500, Math.floor(options.commitIntervalMs / 2)))
    this.#fetcher = new Fetcher(options.consumer, {
      maxWaitMs: fetchMaxWaitMs,
      maxBytes: options.fetchMaxBytes ?? DEFAULT_FETCH_MAX_BYTES,
    })
  }

  /** Runs until `stop()`; commits what is buffered before it returns. */
  run(): Promise<void> {
    this.#running ??= this.#run()
    return this.#running
  }

  /** Commits what is buffered, leaves the group, closes the consumer. */
  async stop(): Promise<void> {
    this.#stop.abort()
    await this.#running?.catch(() => undefined)
  }

  /** Commits every table with pending work now; resolves once that commit is done. */
  flush(): Promise<void> {
    return this.#flushes.wait()
  }

  /** Stops reading (buffered rows are still committed on the interval); the group membership is kept. */
  pause(): void {
    this.#paused = true
  }

  resume(): void {
    this.#paused = false
  }

  /** Where each owned partition is read next; empty while not synced. */
  readPositions(): PartitionOffset[] {
    return this.#synced === undefined ? [] : this.#fetcher.positions()
  }

  /** Runs table maintenance between commits, never beside one of this writer's own commits. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#mutex.run(fn)
  }

  get stats(): LakeStats {
    return {
      state: this.#state,
      paused: this.#paused,
      assignment: this.#synced?.assignment ?? [],
      synced: this.#synced !== undefined,
      buffered: Object.fromEntries([...this.#buffers].map(([name, b]) => [name, b.rowCount])),
      ...this.#counters.view(),
    }
  }

  async #run(): Promise<void> {
    const { consumer } = this.#o
    await consumer.subscribe(this.#o.routes.map((r) => r.topic))
    this.#state = 'running'
    let fatal: unknown
    for (let attempt = 0; !this.#stop.signal.aborted; ) {
      try {
        await this.#step()
        attempt = 0
      } catch (error) {
        attempt++
        this.#synced = undefined
        this.#counters.failed(error)
        this.#flushes.rejectAll(error)
        if (isKafkaLoopError(error) && !error.canRetry) {
          fatal = error
          break
        }
        this.#counters.resyncs++
        this.#emit({ type: 'resync', error, attempt })
        await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 10_000 }), this.#stop.signal)
      }
    }
    this.#state = 'stopping'
    try {
      await this.#commits.settled()
      if (this.#synced !== undefined && !this.#commits.failed) await this.#commit()
    } finally {
      this.#flushes.rejectAll(new Error('the lake-writer stopped'))
      await consumer.close().catch(() => undefined)
      this.#state = 'stopped'
    }
    if (fatal !== undefined) throw fatal
  }

  async #step(): Promise<void> {
    const session = await this.#sync()
    if (session === undefined) {
      await sleep(200, this.#stop.signal)
      return
    }
    const records = this.#paused
      ? await sleep(200, this.#stop.signal).then(() => [])
      : await this.#fetcher.next()
    if (records.length === 0) this.#counters.progressed()
    // A fetch may bring far more than COMMIT_MAX_ROWS: take it in slices so buffers stay bounded.
    const slice = Math.min(this.#o.commitMaxRows, 5000)
    for (let i = 0; i < records.length; i += slice) await this.#take(records.slice(i, i + slice))
    await this.#maybeCommit()
  }

  async #take(records: readonly ConsumedRecord[]): Promise<void> {
    const skipped = await routeRecords(records, this.#o.routes, this.#buffers, Date.now(), (t, r) =>
      this.#tracing.see(t.def.name, r.headers),
    ).catch(async (error: unknown) => {
      // Rows bring extras without columns: add them, then resync (the error) to read them again
      if (error instanceof MissingColumnsError) await this.#addColumns(error)
      throw error
    })
    for (const s of skipped) this.#emit({ type: 'skipped', ...s })
    for (const [topic, n] of countByTopic(records)) this.#emit({ type: 'consumed', topic, records: n })
    await this.#maybeCommit()
  }

  /**
   * Adds the columns rows asked for (schema evolution: a metadata commit, no data file touched). Other
   * instances may add them at the same time: the catalog's compare-and-swap lets one win, the others
   * reload and find the columns there (`ifNotExists`); a column added meanwhile with another kind is
   * a conflict the rows then meet as a dead letter.
   */
  async #addColumns(missing: MissingColumnsError): Promise<void> {
    const sink = this.#o.sinks.find((s) => s.def.name === missing.table)
    if (sink === undefined) return
    await this.#commits.settled()
    await this.#mutex.run(() => sink.addColumns(missing.columns))
  }

  /**
   * Starts a commit when one is due. While another runs, reading goes on; only a full buffer or a
   * flush waits for it. Throws the error of a commit that failed (→ resync).
   */
  async #maybeCommit(): Promise<void> {
    this.#commits.throwFailed()
    const flush = this.#flushes.pending
    if (!flush && !commitDue(this.#buffers.values(), this.#o, Date.now())) return
    if (this.#commits.running) {
      if (!flush && !buffersFull(this.#buffers.values(), this.#o.commitMaxRows)) return
      await this.#commits.settled()
      this.#commits.throwFailed()
    }
    const waiting = this.#flushes.pending
    const ended = this.#commits.start(() => this.#commit())
    if (waiting) {
      await ended
      this.#commits.throwFailed()
    }
  }

  /** When the session changed (or after an error): re-read every table and start from what it holds. */
  async #sync(): Promise<GroupSession | undefined> {
    const { consumer } = this.#o
    if (this.#synced !== undefined && consumer.isCurrent(this.#synced)) return this.#synced
    this.#synced = undefined
    // A commit still running belongs to the old session: let it end (landed or fenced) first, and
    // report its failure like any other (the caller resyncs again)
    await this.#commits.settled()
    this.#commits.throwFailed()
    const session = consumer.session()
    if (session === undefined || !consumer.isCurrent(session)) return undefined
    const positions = await this.#mutex.run(async () => {
      const states = await Promise.all(
        this.#o.sinks.map(async (s) => [s.def.name, await s.refresh()] as const),
      )
      this.#tracing.clear()
      for (const [table, state] of states) {
        const topics = new Set(this.#o.routes.filter((r) => r.tables.includes(table)).map((r) => r.topic))
        const sink = this.#o.sinks.find((s) => s.def.name === table)!
        this.#buffers.get(table)!.reset(
          state.offsets,
          session.assignment.filter((tp) => topics.has(tp.topic)),
          bufferSchema(sink.def, sink.table.schema),
        )
        if (state.source === 'rows') this.#counters.recovered(table)
        this.#emit({ type: 'recorded', table, watermark: state.watermark, source: state.source })
      }
      return positionsFor(session.assignment, this.#o.routes, this.#buffers, (tps) =>
        consumer.logStartOffsets(tps),
      )
    })
    if (!consumer.isCurrent(session)) return undefined
    this.#fetcher.reset(positions)
    this.#synced = session
    this.#counters.progressed()
    this.#emit({ type: 'assigned', session, positions })
    return session
  }

  /**
   * One snapshot per table with pending work. The rows leave the buffers at once (they fill again
   * meanwhile); a failure throws (→ resync from the tables, which drops whatever was read since).
   */
  async #commit(): Promise<void> {
    const flushes = this.#flushes.take()
    const dirty = [...this.#buffers.values()].filter((b) => b.dirtySince !== undefined)
    const taken = dirty.map((b) => ({ b, work: b.take(), traces: this.#tracing.take(b.def.name) }))
    try {
      await this.#mutex.run(async () => {
        const sinks = new Map(this.#o.sinks.map((s) => [s.def.name, s]))
        // One table after the other: catalogs backed by one database take parallel commits badly.
        for (const { b, work, traces } of taken) {
          const sink = sinks.get(b.def.name)!
          const table = { name: b.def.name, snapshotId: () => sink.table.metadata.currentSnapshotId }
          const result = await this.#tracing.traced(table, work, traces, () => sink.commit(work))
          b.committed(work)
          this.#emit({ type: 'committed', result, watermark: work.watermark })
        }
        if (taken.length > 0) this.#committed()
      })
      flushes.resolve()
    } catch (error) {
      flushes.reject(error)
      throw error
    }
  }

  #committed(): void {
    this.#counters.committed()
    const positions = this.#synced
      ? recordedPositions(this.#synced.assignment, this.#o.routes, this.#buffers)
      : []
    if (positions.length === 0) return
    this.#emit({ type: 'progress', positions })
    void this.#o.consumer.reportProgress(positions).catch(() => undefined)
  }

  #emit(event: LakeEvent): void {
    try {
      this.#o.onEvent?.(event)
    } catch {
      // A broken listener must not break the commit protocol
    }
  }
}
