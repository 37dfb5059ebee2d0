/**
 * The lake-writer's state in Iceberg metadata, pure. Each commit stores the next Kafka offset of every
 * topic-partition the table has consumed (all writers' partitions, merged) and the largest event time
 * written, twice, in the same metadata commit as the snapshot that adds the rows:
 * - in the table's properties, read first: no maintenance any engine runs (Spark's rewrite and expiry
 *   procedures, pyiceberg, Trino) removes properties, while expiry removes old snapshots;
 * - in that snapshot's summary, for people and tools reading the history (and tables written before
 *   the properties were).
 * Reading them back is how the writer knows where to resume: the table is the only truth.
 * Why that is exactly once: docs/exactly-once.md, section 3.
 */
import { type JsonValue, parseJson, type Snapshot, type TableMetadata } from '@healthstream/iceberg'
import { type PartitionOffset, partitionKey } from '@healthstream/shared/kafka'
import {
  type CompletenessRule,
  completeBefore,
  formatInstant,
  laterOf,
  parseInstant,
} from './completeness.ts'
import {
  formatTimes,
  mergeTimes,
  type PartitionTime,
  type PartitionTimes,
  parseTimes,
} from './partition-times.ts'

/** Summary property names. */
export const SummaryKeys = {
  /** `{"<topic>": {"<partition>": <next offset>}}`, offsets as exact JSON integers. */
  offsets: 'healthstream.kafka-offsets',
  /** Largest event time (epoch micros) of any row the table holds from this writer. */
  watermark: 'healthstream.event-time-watermark',
  /** Instance that made the snapshot (for people reading the history). */
  writer: 'healthstream.writer',
  /** Unique per commit: a retry after an unanswered commit finds out whether it landed. */
  commitId: 'healthstream.commit-id',
  /** `{"<topic>": {"<partition>": <micros>}}`: largest event time of the rows held per input partition. */
  eventTimes: 'healthstream.partition-event-times',
  /** `{"<topic>": {"<partition>": {"<aggregator input partition>": <micros>}}}`: the last marks read. */
  marks: 'healthstream.partition-watermarks',
  /** `2026-01-21T00:00:00Z`: the table is complete before this instant (completeness.ts). */
  completeBefore: 'healthstream.complete-before',
} as const

/** Positions by `partitionKey(topic, partition)`. */
export type OffsetMap = ReadonlyMap<string, PartitionOffset>

/** The table properties that hold the state (the same names and values as in the summary). */
const PROPERTY_KEYS = [
  SummaryKeys.offsets,
  SummaryKeys.watermark,
  SummaryKeys.commitId,
  SummaryKeys.eventTimes,
  SummaryKeys.marks,
  SummaryKeys.completeBefore,
] as const

/**
 * Where a table's state was found: its properties, a snapshot summary (tables from before the
 * properties), its rows (neither: recovered from `kafka_partition`/`kafka_offset`), or nowhere (an
 * empty table).
 */
export type StateSource = 'properties' | 'snapshot' | 'rows' | 'none'

/** What a table records about the Kafka input it has consumed. */
export interface RecordedState {
  readonly offsets: OffsetMap
  readonly watermark: bigint | undefined
  readonly source: StateSource
  /** Event times and marks per partition (partition-times.ts); absent: none recorded. */
  readonly times?: PartitionTimes
  /** The completeness watermark recorded (micros, to the second); absent: none yet. */
  readonly completeBefore?: bigint | undefined
}

/** Parses the offsets property; absent means nothing consumed yet. Malformed text throws. */
export function parseOffsets(text: string | undefined): Map<string, PartitionOffset> {
  const out = new Map<string, PartitionOffset>()
  if (text === undefined) return out
  const json = parseJson(text)
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new Error(`${SummaryKeys.offsets} is not a JSON object: ${text.slice(0, 80)}`)
  for (const [topic, partitions] of Object.entries(json)) {
    for (const [p, offset] of Object.entries(partitions as Record<string, JsonValue>)) {
      if (typeof offset !== 'number' && typeof offset !== 'bigint')
        throw new Error(`${SummaryKeys.offsets} has a non-integer offset for ${topic}[${p}]`)
      const partition = Number(p)
      out.set(partitionKey(topic, partition), { topic, partition, offset: BigInt(offset) })
    }
  }
  return out
}

/** Writes offsets as JSON, topics and partitions in order, offsets as exact integers. */
export function formatOffsets(offsets: Iterable<PartitionOffset>): string {
  const byTopic = new Map<string, PartitionOffset[]>()
  for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o])
  const topics = [...byTopic.keys()].sort()
  const parts = topics.map((topic) => {
    const ps = byTopic.get(topic)!.sort((a, b) => a.partition - b.partition)
    return `${JSON.stringify(topic)}:{${ps.map((o) => `"${o.partition}":${o.offset}`).join(',')}}`
  })
  return `{${parts.join(',')}}`
}

/** The base's offsets with this writer's partitions replaced: other writers' partitions are kept. */
export function mergeOffsets(base: OffsetMap, mine: Iterable<PartitionOffset>): Map<string, PartitionOffset> {
  const out = new Map(base)
  for (const o of mine) out.set(partitionKey(o.topic, o.partition), o)
  return out
}

/** A partition's position as this writer last knew the table to hold it (null: never recorded). */
export interface ExpectedOffset {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint | null
}

/**
 * Partitions whose recorded offset moved since this writer read it: another writer (e.g. the new
 * owner after a rebalance, or this writer's zombie) committed them. Committing on top would write
 * those records twice, so a non-empty answer means: give up this commit and resync from the table.
 */
export function fenceViolations(base: OffsetMap, expected: Iterable<ExpectedOffset>): string[] {
  const out: string[] = []
  for (const e of expected) {
    const found = base.get(partitionKey(e.topic, e.partition))?.offset ?? null
    if (found !== e.offset)
      out.push(`${e.topic}[${e.partition}] is at ${found ?? 'nothing'}, not ${e.offset ?? 'nothing'}`)
  }
  return out
}

/**
 * The snapshots `recordedState` walks: from the current one back to the newest that records offsets
 * (that one last; all of them when none does). Expiry must keep them, or the offsets are lost.
 */
export function stateChain(m: TableMetadata): Snapshot[] {
  const byId = new Map<bigint, Snapshot>(m.snapshots.map((s) => [s.snapshotId, s]))
  const chain: Snapshot[] = []
  let s = m.currentSnapshotId === null ? undefined : byId.get(m.currentSnapshotId)
  while (s !== undefined) {
    chain.push(s)
    if (s.summary[SummaryKeys.offsets] !== undefined) break
    s = s.parentSnapshotId === undefined ? undefined : byId.get(s.parentSnapshotId)
  }
  return chain
}

/**
 * The state the table records: its properties, unless a snapshot newer than the commit that set them
 * records offsets (a writer from before the properties committed since, as in a rolling upgrade).
 * Otherwise the newest snapshot that records it, walking back from the current one: snapshots made by
 * other tools (a compaction by Spark, an append by pyiceberg) carry no offsets and must not reset them.
 */
export function recordedState(m: TableMetadata): RecordedState {
  const s = stateChain(m).at(-1)
  // Writers' commits carry a commit id (carried summaries of compactions do not)
  const id = s?.summary[SummaryKeys.commitId]
  const newer = id !== undefined && id !== m.properties[SummaryKeys.commitId]
  const [from, source]: [Readonly<Record<string, string>> | undefined, StateSource] =
    m.properties[SummaryKeys.offsets] !== undefined && !newer
      ? [m.properties, 'properties']
      : s?.summary[SummaryKeys.offsets] !== undefined
        ? [s.summary, 'snapshot']
        : [undefined, 'none']
  const watermark = from?.[SummaryKeys.watermark]
  const state = {
    offsets: parseOffsets(from?.[SummaryKeys.offsets]),
    watermark: watermark === undefined ? undefined : BigInt(watermark),
    source,
  }
  return { ...state, ...recordedProgress(from) }
}

/** The partition times and the completeness watermark of a summary or the properties, when any. */
function recordedProgress(from: Readonly<Record<string, string>> | undefined) {
  const times = new Map([
    ...parseTimes(SummaryKeys.eventTimes, from?.[SummaryKeys.eventTimes]),
    ...parseTimes(SummaryKeys.marks, from?.[SummaryKeys.marks]),
  ])
  const before = parseInstant(from?.[SummaryKeys.completeBefore])
  return { ...(times.size > 0 ? { times } : {}), ...(before === undefined ? {} : { completeBefore: before }) }
}

/** The table properties a commit sets: the state of its summary, so expiry cannot take it away. */
export function stateProperties(summary: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of PROPERTY_KEYS) if (summary[key] !== undefined) out[key] = summary[key]
  return out
}

/** What a commit adds to a table's progress, and how the table's completeness is computed. */
export interface Progress {
  readonly times: Iterable<PartitionTime>
  readonly rule?: CompletenessRule | undefined
}

/**
 * The summary properties of a commit on top of `base`: merged offsets, the larger watermark, merged
 * partition times and the completeness watermark (never below the base's).
 */
export function stateSummary(
  base: Pick<RecordedState, 'offsets' | 'watermark' | 'times' | 'completeBefore'>,
  next: Iterable<PartitionOffset>,
  watermark: bigint | undefined,
  writer: string,
  progress?: Progress,
): Record<string, string> {
  const wm =
    base.watermark === undefined || (watermark !== undefined && watermark > base.watermark)
      ? watermark
      : base.watermark
  const offsets = mergeOffsets(base.offsets, next)
  return {
    [SummaryKeys.offsets]: formatOffsets(offsets.values()),
    ...(wm === undefined ? {} : { [SummaryKeys.watermark]: String(wm) }),
    [SummaryKeys.writer]: writer,
    ...progressSummary(base, offsets, progress),
  }
}

/** The progress keys of a commit: partition times merged into the base's, and complete-before. */
function progressSummary(
  base: Pick<RecordedState, 'times' | 'completeBefore'>,
  offsets: OffsetMap,
  progress: Progress | undefined,
): Record<string, string> {
  // Marks count only for a table whose rule reads them (the errors table reads the aggregates topic too)
  const mine = [...(progress?.times ?? [])].filter(
    (t) => t.source === undefined || progress?.rule?.kind === 'marks',
  )
  const times = mergeTimes(base.times ?? new Map(), mine)
  const all = [...times.values()]
  const eventTimes = all.filter((t) => t.source === undefined)
  const marks = all.filter((t) => t.source !== undefined)
  const rule = progress?.rule
  const before = laterOf(base.completeBefore, rule && completeBefore(rule, times, offsets))
  const text = before === undefined ? undefined : formatInstant(before)
  return {
    ...(eventTimes.length > 0 ? { [SummaryKeys.eventTimes]: formatTimes(eventTimes) } : {}),
    ...(marks.length > 0 ? { [SummaryKeys.marks]: formatTimes(marks) } : {}),
    ...(text === undefined ? {} : { [SummaryKeys.completeBefore]: text }),
  }
}

/**
 * The state of `base` again, for snapshots that change files but not what was consumed (compaction):
 * the current snapshot must always carry the offsets, or snapshot expiry could take them away.
 */
export function carriedSummary(base: TableMetadata, writer: string): Record<string, string> {
  const state = recordedState(base)
  if (state.offsets.size === 0 && state.watermark === undefined && state.times === undefined) return {}
  return stateSummary(state, [], undefined, writer)
}
