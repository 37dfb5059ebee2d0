/**
 * How many rows a table holds per Kafka partition they were read from, pure: a cumulative count the
 * writer keeps beside the offsets (`healthstream.kafka-rows`, in the snapshot summary and the table
 * properties, the same commit that adds or replaces the rows), so reconciliation reads it from the
 * metadata instead of scanning Parquet. An append commit adds the rows it appends per partition; an
 * upsert commit adds the rows it writes and subtracts those of the files it replaces (by each row's
 * own partition), so an upsert table's count is the rows it holds, not the records it took.
 *
 * Counted since the table was created by this writer: a table that held rows before the counts existed
 * (or whose state was recovered from its rows) has none, and never gets wrong ones. Rows other engines
 * append or delete are not counted (their compactions keep the count: same rows, other files).
 */
import { parseJson, type TableMetadata } from '@healthstream/iceberg'
import { partitionKey } from '@healthstream/shared/kafka'
import { recordedState, stateChain } from './offsets.ts'
import type { Lineage } from './recovery.ts'
import type { Row } from './tables.ts'

/** The summary and property key: `{"<topic>": {"<partition>": <rows>}}`. */
export const ROWS_KEY = 'healthstream.kafka-rows'

/** Rows of one topic partition (held by a table, or added by a commit: then possibly negative). */
export interface PartitionRows {
  readonly topic: string
  readonly partition: number
  readonly rows: number
}

/** Row counts by `partitionKey(topic, partition)`. */
export type RowCounts = ReadonlyMap<string, PartitionRows>

/** A row-count property that is not what this writer writes. */
export class RowCountsFormatError extends Error {
  readonly code = 'LAKE_ROW_COUNTS_MALFORMED'
  readonly canRetry = false
  constructor(text: string, options?: ErrorOptions) {
    super(`${ROWS_KEY} is not {"<topic>": {"<partition>": <rows>}}: ${text.slice(0, 80)}`, options)
    this.name = 'RowCountsFormatError'
  }
}

/** Parses the property; throws `RowCountsFormatError` on anything else. */
export function parseRowCounts(text: string): Map<string, PartitionRows> {
  let json: unknown
  try {
    json = parseJson(text)
  } catch (error) {
    throw new RowCountsFormatError(text, { cause: error })
  }
  const out = new Map<string, PartitionRows>()
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new RowCountsFormatError(text)
  for (const [topic, partitions] of Object.entries(json)) {
    if (partitions === null || typeof partitions !== 'object') throw new RowCountsFormatError(text)
    for (const [p, rows] of Object.entries(partitions as Record<string, unknown>)) {
      if (typeof rows !== 'number' && typeof rows !== 'bigint') throw new RowCountsFormatError(text)
      const partition = Number(p)
      out.set(partitionKey(topic, partition), { topic, partition, rows: Number(rows) })
    }
  }
  return out
}

/** Writes the counts as JSON, topics and partitions in order. */
export function formatRowCounts(counts: Iterable<PartitionRows>): string {
  const byTopic = new Map<string, PartitionRows[]>()
  for (const c of counts) byTopic.set(c.topic, [...(byTopic.get(c.topic) ?? []), c])
  const parts = [...byTopic.keys()].sort().map((topic) => {
    const ps = byTopic.get(topic)!.sort((a, b) => a.partition - b.partition)
    return `${JSON.stringify(topic)}:{${ps.map((c) => `"${c.partition}":${c.rows}`).join(',')}}`
  })
  return `{${parts.join(',')}}`
}

/** `counts` plus `delta`, per partition. */
export function addRows(counts: RowCounts, delta: Iterable<PartitionRows>): Map<string, PartitionRows> {
  const out = new Map(counts)
  for (const d of delta) {
    const key = partitionKey(d.topic, d.partition)
    out.set(key, { topic: d.topic, partition: d.partition, rows: (out.get(key)?.rows ?? 0) + d.rows })
  }
  return out
}

/** Rows per partition their lineage names; rows without one (another engine's) are left out. */
export function countRows(rows: Iterable<Row>, lineage: Lineage): Map<string, PartitionRows> {
  const out = new Map<string, PartitionRows>()
  for (const row of rows) {
    const at = lineage(row)
    if (at === undefined) continue
    const key = partitionKey(at.topic, at.partition)
    out.set(key, { topic: at.topic, partition: at.partition, rows: (out.get(key)?.rows ?? 0) + 1 })
  }
  return out
}

/** `after` minus `before`, per partition (what an upsert commit changes). */
export function rowDelta(before: RowCounts, after: RowCounts): PartitionRows[] {
  const out = new Map(after)
  for (const [key, b] of before)
    out.set(key, { topic: b.topic, partition: b.partition, rows: (after.get(key)?.rows ?? 0) - b.rows })
  return [...out.values()].filter((d) => d.rows !== 0)
}

/**
 * The counts the table records, read from where its offsets are read (`recordedState`: the properties,
 * or the newest snapshot summary recording them); undefined when it records none.
 */
export function recordedRows(m: TableMetadata): Map<string, PartitionRows> | undefined {
  const source = recordedState(m).source
  const text =
    source === 'properties'
      ? m.properties[ROWS_KEY]
      : source === 'snapshot'
        ? stateChain(m).at(-1)?.summary[ROWS_KEY]
        : undefined
  if (text !== undefined) return parseRowCounts(text)
  return holdsNoRows(m) ? new Map() : undefined
}

/** True for a table without a snapshot or whose current snapshot has no rows. */
function holdsNoRows(m: TableMetadata): boolean {
  if (m.currentSnapshotId === null) return true
  const current = m.snapshots.find((s) => s.snapshotId === m.currentSnapshotId)
  return current?.summary['total-records'] === '0'
}

/**
 * The summary (and property) entry of a commit on top of `base` that changes the rows by `delta`;
 * empty when the base keeps no counts (they would be wrong from here on).
 */
export function rowsSummary(base: TableMetadata, delta: Iterable<PartitionRows>): Record<string, string> {
  const counts = recordedRows(base)
  if (counts === undefined) return {}
  return { [ROWS_KEY]: formatRowCounts(addRows(counts, delta).values()) }
}

/** The counts of `base` again, for snapshots that rewrite files without changing rows (compaction). */
export function carriedRows(base: TableMetadata): Record<string, string> {
  const counts = recordedRows(base)
  return counts === undefined ? {} : { [ROWS_KEY]: formatRowCounts(counts.values()) }
}
