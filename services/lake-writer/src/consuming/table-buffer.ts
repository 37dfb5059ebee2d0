/**
 * One table's side of consuming, pure: the rows waiting for the next commit, the offsets the table
 * holds for the partitions this writer owns (as read from the table), and the offsets consumed since.
 * A record below what the table holds is not wanted (it is already in the table), so a replay after a
 * crash, or a partition re-read for another table, never lands twice.
 */
import { type AnyColumn, ColumnBatch, type Schema } from '@healthstream/iceberg'
import { partitionKey, type TopicPartition, type WatermarkMark } from '@healthstream/shared/kafka'
import type { CommitWork } from '../committing/commit-work.ts'
import type { ExpectedOffset, OffsetMap } from '../committing/offsets.ts'
import type { PartitionRows } from '../committing/row-counts.ts'
import type { Row, TableDef } from '../committing/tables.ts'
import { PartitionProgress } from './partition-progress.ts'

/** The most rows a new batch reserves room for up front (a burst must not keep its size reserved). */
const MAX_RESERVED_ROWS = 100_000

/** The buffer of one table. */
export class TableBuffer {
  readonly def: TableDef
  /** The columns rows are buffered with: the definition's, then the table's others (extras' columns). */
  #schema: Schema
  #rows: Row[] = []
  /** Append tables keep their rows as columns; undefined for upsert tables. */
  #batch: ColumnBatch | undefined
  #recorded = new Map<string, ExpectedOffset>()
  /** Per partition consumed since the last take: the next offset (entries updated in place). */
  #next = new Map<string, { topic: string; partition: number; offset: bigint }>()
  /** Per partition consumed since the last take: the rows its records added (entries updated in place). */
  #added = new Map<string, { topic: string; partition: number; rows: number }>()
  /** `rowCount` at the last `advance`: the rows since then are the advancing partition's. */
  #rowsAtAdvance = 0
  /** Per partition since the last take: largest event time of its rows, marks read. */
  readonly #progress = new PartitionProgress()
  /** Largest event time among the rows: numbers and bigints apart, so no bigint is made per row. */
  #maxNumber = Number.NEGATIVE_INFINITY
  #maxBigint: bigint | undefined
  #dirtySince: number | undefined
  /** The key of the partition asked about last (records come in runs of one partition). */
  #lastKey = { topic: '', partition: -1, key: '' }

  constructor(def: TableDef) {
    this.def = def
    this.#schema = def.schema
    this.#batch = this.#newBatch()
  }

  /** Rows the last commit took: room the next batch reserves, so filling it rarely copies a column. */
  #lastRowCount = 0

  #newBatch(): ColumnBatch | undefined {
    return this.def.key === undefined ? ColumnBatch.of(this.#schema, this.#lastRowCount) : undefined
  }

  get schema(): Schema {
    return this.#schema
  }

  /**
   * Starts over from what the table holds, for the partitions this writer now owns, buffering rows
   * with `schema` from now on (the table's columns as `bufferSchema` orders them).
   */
  reset(recorded: OffsetMap, owned: readonly TopicPartition[], schema: Schema = this.def.schema): void {
    this.#schema = schema
    this.#rows = []
    this.#batch = this.#newBatch()
    this.#next.clear()
    this.#added.clear()
    this.#rowsAtAdvance = 0
    this.#progress.clear()
    this.#recorded.clear()
    this.#clearWatermark()
    this.#dirtySince = undefined
    for (const { topic, partition } of owned) {
      const offset = recorded.get(partitionKey(topic, partition))?.offset ?? null
      this.#recorded.set(partitionKey(topic, partition), { topic, partition, offset })
    }
  }

  /** Where this table needs a partition read from: its recorded offset, or null for the log start. */
  startOf(topic: string, partition: number): bigint | null {
    return this.#recorded.get(partitionKey(topic, partition))?.offset ?? null
  }

  #key(topic: string, partition: number): string {
    const last = this.#lastKey
    if (last.partition !== partition || last.topic !== topic)
      this.#lastKey = { topic, partition, key: partitionKey(topic, partition) }
    return this.#lastKey.key
  }

  /**
   * The first offset of a partition not yet in the table (nor in this buffer): null when the table
   * needs it from the log start, undefined for a partition this writer does not own.
   */
  neededFrom(topic: string, partition: number): bigint | null | undefined {
    const key = this.#key(topic, partition)
    const recorded = this.#recorded.get(key)
    if (recorded === undefined) return undefined
    return this.#next.get(key)?.offset ?? recorded.offset
  }

  /**
   * Takes a row (the offsets come with `advance`). A row whose values do not fit the table's columns
   * throws and nothing is taken.
   */
  add(row: Row): void {
    if (this.#batch !== undefined) this.#batch.push(row)
    else {
      this.#rows.push(row)
      this.#seeEventTime(row[this.def.eventTime])
    }
  }

  /**
   * Takes a row that `fill` writes straight into this append table's columns (see
   * `ColumnBatch.append`); false, with nothing taken, when `fill` returns false or the table keeps rows.
   */
  fill(fill: (columns: readonly AnyColumn[]) => boolean): boolean {
    return this.#batch?.append(fill) === true
  }

  /**
   * The table took every record of the partition up to `offset` (as rows or, when not its own, skipped);
   * the rows added since the last advance were read from this partition (records come in runs of one).
   */
  advance(topic: string, partition: number, offset: bigint, now: number): void {
    const key = this.#key(topic, partition)
    const next = this.#next.get(key)
    if (next === undefined) this.#next.set(key, { topic, partition, offset: offset + 1n })
    else next.offset = offset + 1n
    this.#progress.see(topic, partition, this.#largestSince(this.#rowsAtAdvance))
    const rows = this.rowCount - this.#rowsAtAdvance
    this.#rowsAtAdvance = this.rowCount
    const added = this.#added.get(key)
    if (added === undefined) this.#added.set(key, { topic, partition, rows })
    else added.rows += rows
    this.#dirtySince ??= now
  }

  /** A watermark mark was read on the partition (its offset comes with `advance`). */
  mark(topic: string, partition: number, mark: WatermarkMark): void {
    this.#progress.mark(topic, partition, mark)
  }

  /** Largest event time of the rows from index `from` on. */
  #largestSince(from: number): unknown {
    if (this.#batch !== undefined) return this.#batch.largest(this.def.eventTime, from)
    let max: number | bigint | undefined
    for (let i = from; i < this.#rows.length; i++) {
      const t = this.#rows[i]![this.def.eventTime]
      if (typeof t !== 'number' && typeof t !== 'bigint') continue
      if (max === undefined || t > max) max = t
    }
    return max
  }

  #seeEventTime(t: unknown): void {
    if (typeof t === 'number') {
      if (t > this.#maxNumber) this.#maxNumber = t
    } else if (typeof t === 'bigint' && (this.#maxBigint === undefined || t > this.#maxBigint))
      this.#maxBigint = t
  }

  /** Largest event time among the rows taken since the last `take`, in micros. */
  #watermark(): bigint | undefined {
    // An append table's rows are columns: its largest event time is read off the column once
    if (this.#batch !== undefined) this.#seeEventTime(this.#batch.largest(this.def.eventTime))
    const n = this.#maxNumber === Number.NEGATIVE_INFINITY ? undefined : BigInt(this.#maxNumber)
    if (n === undefined || this.#maxBigint === undefined) return n ?? this.#maxBigint
    return n > this.#maxBigint ? n : this.#maxBigint
  }

  #clearWatermark(): void {
    this.#maxNumber = Number.NEGATIVE_INFINITY
    this.#maxBigint = undefined
  }

  get rowCount(): number {
    return this.#batch?.length ?? this.#rows.length
  }

  /** When the oldest uncommitted record arrived; undefined when there is nothing to commit. */
  get dirtySince(): number | undefined {
    return this.#dirtySince
  }

  /** The rows and offsets to commit; the buffer is empty afterwards until the next `advance`. */
  take(): CommitWork {
    const next = [...this.#next.values()]
    const expected = next.map((n) => this.#recorded.get(partitionKey(n.topic, n.partition))!)
    const batch = this.#batch
    const rowCount = this.rowCount
    this.#lastRowCount = Math.min(rowCount, MAX_RESERVED_ROWS)
    const added: PartitionRows[] = [...this.#added.values()]
    const times = this.#progress.take()
    const work = {
      rows: this.#rows,
      batch,
      rowCount,
      expected,
      next,
      added,
      times,
      watermark: this.#watermark(),
    }
    this.#rows = []
    this.#batch = this.#newBatch()
    this.#next.clear()
    this.#added = new Map()
    this.#rowsAtAdvance = 0
    this.#clearWatermark()
    this.#dirtySince = undefined
    return work
  }

  /** The commit of `work` landed: the table now holds its offsets. */
  committed(work: CommitWork): void {
    for (const n of work.next) this.#recorded.set(partitionKey(n.topic, n.partition), { ...n })
  }
}
