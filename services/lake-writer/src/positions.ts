/** Where to read each owned partition from, and handing records to the tables that still want them. */
import { ReasonCode } from '@healthstream/shared/domain'
import type { ConsumedRecord, PartitionOffset, TopicPartition } from '@healthstream/shared/kafka'
import { type DirectRead, deadLetterRow, type Routed, type TopicRoute } from './routes.ts'
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
function filled(table: TableBuffer, direct: DirectRead, r: ConsumedRecord, now: number): boolean {
  try {
    return table.fill(r.topic, r.partition, r.offset, (columns) => direct.read(r, columns), now)
  } catch {
    return false
  }
}

/**
 * Gives a record to the tables of its topic that still want it, other than `done` (which took it
 * already): the routed row to the table it belongs to, its offset alone to the others.
 */
function toOtherTables(
  tables: readonly TableBuffer[],
  done: TableBuffer | undefined,
  r: ConsumedRecord,
  now: number,
  routed?: Routed,
): void {
  for (const t of tables) {
    if (t === done || !t.wants(r.topic, r.partition, r.offset)) continue
    t.consume(r.topic, r.partition, r.offset, t.def.name === routed?.table ? routed.row : undefined, now)
  }
}

/**
 * Gives each record to every table its topic feeds that does not hold it yet: as a row to the table
 * it routes to, as an offset to the others. Records no table wants are not even decoded.
 */
export async function routeRecords(
  records: readonly ConsumedRecord[],
  routes: readonly TopicRoute[],
  buffers: ReadonlyMap<string, TableBuffer>,
  now: number,
): Promise<Skipped[]> {
  const byTopic = new Map<string, ConsumedRecord[]>()
  for (const r of records) {
    const list = byTopic.get(r.topic)
    if (list === undefined) byTopic.set(r.topic, [r])
    else list.push(r)
  }
  const skipped: Skipped[] = []
  for (const [topic, list] of byTopic) {
    const route = routes.find((r) => r.topic === topic)
    const tables = tablesOf(topic, routes, buffers)
    const wanted = list.filter((r) => tables.some((t) => t.wants(r.topic, r.partition, r.offset)))
    if (route === undefined || wanted.length === 0) continue
    await route.prepare(wanted)
    const direct = route.direct
    const directTable = direct === undefined ? undefined : buffers.get(direct.table)
    for (const r of wanted) {
      if (directTable?.wants(r.topic, r.partition, r.offset) && filled(directTable, direct!, r, now)) {
        toOtherTables(tables, directTable, r, now)
        continue
      }
      let x = route.decode(r)
      const own = buffers.get(x.table)
      if (own?.wants(r.topic, r.partition, r.offset)) {
        try {
          own.consume(r.topic, r.partition, r.offset, x.row, now)
        } catch (error) {
          // Decoded, yet a value does not fit its column: the record becomes a dead letter
          const detail = `row does not fit ${x.table}: ${error instanceof Error ? error.message : String(error)}`
          x = deadLetterRow(r, { reason: ReasonCode.DECODE_FAILED, detail }, now)
          own.consume(r.topic, r.partition, r.offset, x.table === own.def.name ? x.row : undefined, now)
        }
      }
      if (x.deadLetter !== undefined)
        skipped.push({ topic, partition: r.partition, offset: r.offset, ...x.deadLetter })
      toOtherTables(tables, own, r, now, x)
    }
  }
  return skipped
}
