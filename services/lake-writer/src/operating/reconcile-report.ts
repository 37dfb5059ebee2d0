/**
 * Reconciliation of the lake with its topics, pure: per table and topic partition, the last stable
 * offset (LSO: the end a read_committed reader reaches), the offset the table records, the rows it
 * holds, and how many records it does not hold yet.
 *
 * "Behind" counts records, not offsets: the committed records (what a read_committed reader gets:
 * no transaction markers, no aborted records) at offsets from the table's recorded offset (the log
 * start when it records none) up to the LSO. So it is 0 once the table holds everything, although the
 * LSO stands past the commit markers that follow the last records and no recorded offset reaches it.
 * Counting needs the records' offsets (`ScanResult`); a scan cut short by its bound gives a lower
 * bound (`exact: false`), and the offset span `behindAtMost` an upper one.
 */
import { partitionKey } from '@healthstream/shared/kafka'
import type { OffsetMap } from '../committing/offsets.ts'
import type { RowCounts } from '../committing/row-counts.ts'

/** The log start and the last stable offset of a topic partition. */
export interface LogEdges {
  readonly topic: string
  readonly partition: number
  readonly start: bigint
  /** The last stable offset (read_committed end). */
  readonly end: bigint
}

/** What one table records, as read from its current metadata. */
export interface TableState {
  readonly table: string
  /** `upsert`: newer revisions replace rows, so the table holds fewer rows than it took records. */
  readonly mode: 'append' | 'upsert'
  /** The topics that feed the table. */
  readonly topics: readonly string[]
  readonly offsets: OffsetMap
  /** Rows held per partition read from; undefined when the table keeps no counts (older tables). */
  readonly rows: RowCounts | undefined
  /** The whole table's rows (the current snapshot's `total-records`), other engines' rows included. */
  readonly totalRows: number | undefined
}

/** A stretch of a partition whose committed records' offsets are wanted. */
export interface ScanRequest {
  readonly topic: string
  readonly partition: number
  readonly from: bigint
  readonly end: bigint
}

/** The offsets of the committed records in `[from, reached)`, ascending; `reached` is `end` unless cut short. */
export interface ScanResult {
  readonly topic: string
  readonly partition: number
  readonly offsets: readonly bigint[]
  readonly reached: bigint
}

/** One table's view of one topic partition (offsets as strings: JSON numbers cannot hold every int64). */
export interface PartitionReport {
  readonly topic: string
  readonly partition: number
  /** The LSO when reconciled. */
  readonly end: string
  /** The next offset the table records; null: none (it reads the partition from the log start). */
  readonly recorded: string | null
  /** Rows the table holds that were read from this partition; null when the table keeps no counts. */
  readonly rows: number | null
  /** Committed records at or past `recorded` (or the log start) and below `end`. */
  readonly behind: number
  /** False when the scan was cut short: `behind` is then a lower bound and `behindAtMost` an upper one. */
  readonly exact: boolean
  readonly behindAtMost?: number
  /** Offsets between `recorded` and the log start: deleted by retention before the table took them. */
  readonly expired?: number
}

/** One table. */
export interface TableReport {
  readonly table: string
  readonly mode: 'append' | 'upsert'
  readonly totalRows: number | null
  readonly behind: number
  readonly partitions: readonly PartitionReport[]
}

/** The whole lake at one moment. */
export interface ReconcileReport {
  readonly at: string
  /** True when every table holds every committed record of its topics (every count exact and 0). */
  readonly complete: boolean
  readonly behind: number
  readonly tables: readonly TableReport[]
}

const clamp = (x: bigint, lo: bigint, hi: bigint): bigint => (x < lo ? lo : x > hi ? hi : x)

/** The smaller of two offsets (Math.min takes no bigints). */
export function smaller(a: bigint, b: bigint): bigint {
  if (b < a) return b
  return a
}

/** Where a table's records of a partition start: its recorded offset (or the log start), within the log. */
function startOf(state: TableState, edges: LogEdges): bigint {
  const recorded = state.offsets.get(partitionKey(edges.topic, edges.partition))?.offset
  return clamp(recorded ?? edges.start, edges.start, edges.end)
}

/** The stretches to scan: per partition, from the smallest start of the tables it feeds to the LSO. */
export function scanRequests(tables: readonly TableState[], edges: readonly LogEdges[]): ScanRequest[] {
  const out: ScanRequest[] = []
  for (const e of edges) {
    const starts = tables.filter((t) => t.topics.includes(e.topic)).map((t) => startOf(t, e))
    if (starts.length === 0) continue
    const from = starts.reduce(smaller)
    if (from < e.end) out.push({ topic: e.topic, partition: e.partition, from, end: e.end })
  }
  return out
}

/** How many of the ascending `offsets` are at or past `from`. */
function countFrom(offsets: readonly bigint[], from: bigint): number {
  let lo = 0
  let hi = offsets.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (offsets[mid]! < from) lo = mid + 1
    else hi = mid
  }
  return offsets.length - lo
}

/** One table's report on one partition. */
export function partitionReport(
  state: TableState,
  e: LogEdges,
  scan: ScanResult | undefined,
): PartitionReport {
  const key = partitionKey(e.topic, e.partition)
  const recorded = state.offsets.get(key)?.offset
  const from = startOf(state, e)
  const rows = state.rows === undefined ? null : (state.rows.get(key)?.rows ?? 0)
  const expired = recorded !== undefined && recorded < e.start ? Number(e.start - recorded) : 0
  const base = {
    topic: e.topic,
    partition: e.partition,
    end: String(e.end),
    recorded: recorded === undefined ? null : String(recorded),
    rows,
    ...(expired > 0 ? { expired } : {}),
  }
  if (from >= e.end) return { ...base, behind: 0, exact: true }
  const offsets = (scan?.offsets ?? []).filter((o) => o < e.end)
  const behind = countFrom(offsets, from)
  const exact = scan !== undefined && scan.reached >= e.end
  return exact ? { ...base, behind, exact } : { ...base, behind, exact, behindAtMost: Number(e.end - from) }
}

/** The report of every table over every partition of the topics feeding it. */
export function reconcileReport(
  tables: readonly TableState[],
  edges: readonly LogEdges[],
  scans: readonly ScanResult[],
  now: Date,
): ReconcileReport {
  const scanOf = new Map(scans.map((s) => [partitionKey(s.topic, s.partition), s]))
  const ordered = [...edges].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
  const reports = tables.map((t): TableReport => {
    const partitions = ordered
      .filter((e) => t.topics.includes(e.topic))
      .map((e) => partitionReport(t, e, scanOf.get(partitionKey(e.topic, e.partition))))
    const behind = partitions.reduce((n, p) => n + p.behind, 0)
    return { table: t.table, mode: t.mode, totalRows: t.totalRows ?? null, behind, partitions }
  })
  const behind = reports.reduce((n, t) => n + t.behind, 0)
  const exact = reports.every((t) => t.partitions.every((p) => p.exact))
  return { at: now.toISOString(), complete: exact && behind === 0, behind, tables: reports }
}
