/** Where to read each owned partition from, and handing records to the tables that still want them. */
import { ReasonCode } from '@healthstream/shared/domain'
import type { ConsumedRecord, PartitionOffset, TopicPartition } from '@healthstream/shared/kafka'
import { withExtras } from './extras-row.ts'
import { type DirectRead, deadLetterRow, type TopicRoute } from './routing.ts'
import type { TableBuffer } from './table-buffer.ts'

/** A record that became a dead letter instead of a row of its own table (undecodable, unknown granularity, tombstone). */
export interface Skipped {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
  readonly reason: string
  readonly detail: string
}

function tablesOf(topic: string, routes: readonly TopicRoute[], buffers: ReadonlyMap<string, TableBuffer>) {
  return (routes.find((r) => r.topic === topic)?.tables ?? []).map((t) => buffers.get(t)!)
}

/**
 * Start positions of the owned partitions: per partition the smallest offset any table it feeds still
 * needs; a table that never recorded the partition needs it from the log start.
 */
export async function positionsFor(
  assignment: readonly TopicPartition[],
  routes: readonly TopicRoute[],
  buffers: ReadonlyMap<string, TableBuffer>,
  logStart: (partitions: readonly TopicPartition[]) => Promise<PartitionOffset[]>,
): Promise<PartitionOffset[]> {
  const needsStart = assignment.filter(({ topic, partition }) =>
    tablesOf(topic, routes, buffers).some((b) => b.startOf(topic, partition) === null),
  )
  const starts = new Map(
    (needsStart.length > 0 ? await logStart(needsStart) : []).map((p) => [
      `${p.topic}:${p.partition}`,
      p.offset,
    ]),
  )
  return assignment.map(({ topic, partition }) => {
    const offsets = tablesOf(topic, routes, buffers).map(
      (b) => b.startOf(topic, partition) ?? starts.get(`${topic}:${partition}`) ?? 0n,
    )
    return { topic, partition, offset: smallest(offsets) ?? 0n }
  })
}

/** The smallest recorded position of each owned partition over the tables it feeds (for lag reports). */
export function recordedPositions(
  assignment: readonly TopicPartition[],
  routes: readonly TopicRoute[],
  buffers: ReadonlyMap<string, TableBuffer>,
): PartitionOffset[] {
  const out: PartitionOffset[] = []
  for (const { topic, partition } of assignment) {
    const starts = tablesOf(topic, routes, buffers).map((b) => b.startOf(topic, partition))
    const offset = starts.includes(null) ? undefined : smallest(starts as bigint[])
    if (offset !== undefined) out.push({ topic, partition, offset })
  }
  return out
}

function smallest(values: readonly bigint[]): bigint | undefined {
  let min: bigint | undefined
  for (const v of values) if (min === undefined || v < min) min = v
  return min
}

/**
 * True when the direct read put the record's row into `table`. Anything it cannot do, it leaves to
 * `decode` (the batch is as it was): a row it got wrong must not stop the partition.
 */
function filled(table: TableBuffer, direct: DirectRead, r: ConsumedRecord): boolean {
  try {
    return table.fill((columns) => direct.read(r, columns))
  } catch {
    return false
  }
}

/**
 * Runs of consecutive records of one partition with rising offsets (a fetch returns each partition's
 * records together, in log order; a record that would break the order starts a run of its own).
 */
function* partitionRuns(records: readonly ConsumedRecord[]): Generator<{ start: number; end: number }> {
  let start = 0
  for (let i = 1; i <= records.length; i++) {
    const [a, b] = [records[start]!, records[i]]
    if (
      b === undefined ||
      b.partition !== a.partition ||
      b.topic !== a.topic ||
      b.offset <= records[i - 1]!.offset
    ) {
      yield { start, end: i }
      start = i
    }
  }
}

/** The index of the first record in `[start, end)` at or past `from`; `end` when none (not owned). */
function firstAtOrPast(
  from: bigint | null | undefined,
  records: readonly ConsumedRecord[],
  start: number,
  end: number,
): number {
  if (from === undefined) return end
  if (from === null) return start
  let i = start
  while (i < end && records[i]!.offset < from) i++
  return i
}

/**
 * Gives each record to every table its topic feeds that does not hold it yet: its row to the table it
 * routes to; the others only move past its offset (once per run of a partition, after its last record).
 * Records no table wants are not even decoded. `onRow` hears of each row and the table that took it
 * (the commit's spans link the rows' trace contexts).
 */
export async function routeRecords(
  records: readonly ConsumedRecord[],
  routes: readonly TopicRoute[],
  buffers: ReadonlyMap<string, TableBuffer>,
  now: number,
  onRow?: (table: TableBuffer, record: ConsumedRecord) => void,
): Promise<Skipped[]> {
  const skipped: Skipped[] = []
  for (const { start, end } of partitionRuns(records)) {
    const { topic, partition } = records[start]!
    const route = routes.find((r) => r.topic === topic)
    if (route === undefined) continue
    const tables = tablesOf(topic, routes, buffers)
    // Offsets rise within a run, so each table wants a tail of it: from its first wanted record on
    const firsts = tables.map((t) => firstAtOrPast(t.neededFrom(topic, partition), records, start, end))
    const first = Math.min(...firsts)
    if (first >= end) continue
    await route.prepare(records.slice(first, end))
    const wanting = (table: string | null | undefined, i: number): TableBuffer | undefined => {
      const at = tables.findIndex((t) => t.def.name === table)
      return at >= 0 && firsts[at]! <= i ? tables[at] : undefined
    }
    const direct = route.direct
    const directTable = direct === undefined ? undefined : tables.find((t) => t.def.name === direct.table)
    const directFrom = directTable === undefined ? end : firsts[tables.indexOf(directTable)]!
    for (let i = first; i < end; i++) {
      const r = records[i]!
      if (i >= directFrom && filled(directTable!, direct!, r)) {
        onRow?.(directTable!, r)
        continue
      }
      let x = route.decode(r)
      if (x.extras !== undefined) x = withExtras(x, r, wanting(x.table, i), now)
      if (x.mark !== undefined)
        for (const [at, t] of tables.entries()) if (firsts[at]! <= i) t.mark(topic, partition, x.mark)
      try {
        wanting(x.table, i)?.add(x.row)
      } catch (error) {
        // Decoded, yet a value does not fit its column: the record becomes a dead letter
        const detail = `row does not fit ${x.table}: ${error instanceof Error ? error.message : String(error)}`
        x = deadLetterRow(r, { reason: ReasonCode.DECODE_FAILED, detail }, now)
        wanting(x.table, i)?.add(x.row)
      }
      const took = onRow === undefined ? undefined : wanting(x.table, i)
      if (took !== undefined) onRow?.(took, r)
      if (x.deadLetter !== undefined) skipped.push({ topic, partition, offset: r.offset, ...x.deadLetter })
    }
    // Only now do the tables move past the run. Should anything above throw, the rows added so far
    // have no offsets: the loop then resyncs, which resets every buffer to what the tables hold.
    const last = records[end - 1]!.offset
    for (const [at, t] of tables.entries()) if (firsts[at]! < end) t.advance(topic, partition, last, now)
  }
  return skipped
}
