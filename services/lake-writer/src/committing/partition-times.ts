/**
 * Per Kafka partition, how far in event time a table has come, pure: the largest event time of the rows
 * it holds from each input partition (`healthstream.partition-event-times`), and for the aggregate
 * tables the latest aggregator watermark mark read on each partition of `health-data-aggregates`, per
 * aggregator input partition (`healthstream.partition-watermarks`). Both are kept in the snapshot
 * summary and the table properties beside the offsets, by the same commit, merged with what other
 * writers recorded (the larger value wins), so a restarted writer, or one that owns other partitions,
 * carries them on. `completeness.ts` turns them into `healthstream.complete-before`.
 */
import { parseJson } from '@healthstream/iceberg'

/** One partition's progress. */
export interface PartitionTime {
  readonly topic: string
  readonly partition: number
  /** A mark's aggregator input partition; absent for an event time. */
  readonly source?: number
  /** Epoch microseconds: the largest event time of the partition's rows, or the mark's watermark. */
  readonly micros: bigint
}

/** Progress by `timeKey`. */
export type PartitionTimes = ReadonlyMap<string, PartitionTime>

/** A partition time's key. */
export const timeKey = (t: Pick<PartitionTime, 'topic' | 'partition' | 'source'>): string =>
  t.source === undefined
    ? `${t.topic}\u0000${t.partition}`
    : `${t.topic}\u0000${t.partition}\u0000${t.source}`

/** A progress property that is not what this writer writes. */
export class PartitionTimesFormatError extends Error {
  readonly code = 'LAKE_PARTITION_TIMES_MALFORMED'
  readonly canRetry = false
  constructor(key: string, text: string, options?: ErrorOptions) {
    super(
      `${key} is not {"<topic>": {"<partition>": <micros> or {"<source>": <micros>}}}: ${text.slice(0, 80)}`,
      options,
    )
    this.name = 'PartitionTimesFormatError'
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
const isInteger = (v: unknown): v is number | bigint => typeof v === 'bigint' || Number.isSafeInteger(v)

/** Parses one of the two properties (`key` names it in errors); absent means none recorded. */
export function parseTimes(key: string, text: string | undefined): Map<string, PartitionTime> {
  const out = new Map<string, PartitionTime>()
  if (text === undefined) return out
  let json: unknown
  try {
    json = parseJson(text)
  } catch (error) {
    throw new PartitionTimesFormatError(key, text, { cause: error })
  }
  if (!isObject(json)) throw new PartitionTimesFormatError(key, text)
  const add = (t: PartitionTime) => out.set(timeKey(t), t)
  for (const [topic, partitions] of Object.entries(json)) {
    if (!isObject(partitions)) throw new PartitionTimesFormatError(key, text)
    for (const [p, value] of Object.entries(partitions)) {
      const partition = Number(p)
      if (isInteger(value)) add({ topic, partition, micros: BigInt(value) })
      else if (isObject(value)) {
        for (const [s, micros] of Object.entries(value)) {
          if (!isInteger(micros)) throw new PartitionTimesFormatError(key, text)
          add({ topic, partition, source: Number(s), micros: BigInt(micros) })
        }
      } else throw new PartitionTimesFormatError(key, text)
    }
  }
  return out
}

/** Writes times as JSON: topics, partitions and sources in order, micros as exact integers. */
export function formatTimes(times: Iterable<PartitionTime>): string {
  const tree = new Map<string, Map<number, bigint | Map<number, bigint>>>()
  for (const t of times) {
    const partitions = tree.get(t.topic) ?? new Map<number, bigint | Map<number, bigint>>()
    tree.set(t.topic, partitions)
    if (t.source === undefined) partitions.set(t.partition, t.micros)
    else {
      const sources = partitions.get(t.partition)
      const map = sources instanceof Map ? sources : new Map<number, bigint>()
      partitions.set(t.partition, map.set(t.source, t.micros))
    }
  }
  const sorted = <K, V>(m: Map<K, V>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const value = (v: bigint | Map<number, bigint>): string =>
    typeof v === 'bigint'
      ? String(v)
      : `{${sorted(v)
          .map(([s, m]) => `"${s}":${m}`)
          .join(',')}}`
  const topics = sorted(tree).map(
    ([topic, ps]) =>
      `${JSON.stringify(topic)}:{${sorted(ps)
        .map(([p, v]) => `"${p}":${value(v)}`)
        .join(',')}}`,
  )
  return `{${topics.join(',')}}`
}

/** The base's times with `mine` merged in: per partition (and source) the larger value. */
export function mergeTimes(base: PartitionTimes, mine: Iterable<PartitionTime>): Map<string, PartitionTime> {
  const out = new Map(base)
  for (const t of mine) {
    const key = timeKey(t)
    const known = out.get(key)
    if (known === undefined || t.micros > known.micros) out.set(key, t)
  }
  return out
}
