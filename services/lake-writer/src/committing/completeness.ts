/**
 * The completeness watermark of a table, pure: `healthstream.complete-before`, the event time before
 * which the table holds everything the pipeline's watermarks say has happened. What it promises, per
 * table (services/lake-writer/README.md, "Completeness"):
 * - `health_data_raw`: every validated sample whose event time (start_time) is before T and that was
 *   not later than the out-of-orderness (`OUT_OF_ORDERNESS`, as the aggregator's watermark) is in the
 *   table. Per partition of health-data-validated: the largest event time of the rows the table holds
 *   from it, minus the out-of-orderness; T = the minimum over all partitions of the topic.
 * - `health_data_errors`: the same rule over health-data-errors and error_time (when the dead letter
 *   was made): every dead letter from that topic with an error time before T is in the table.
 * - the aggregate tables: every window whose end is at or before T has its row (the first firing,
 *   perhaps still provisional) in the table; it is final once T ≥ end + its allowed lateness. Per
 *   partition of health-data-aggregates and per aggregator input partition: the watermark of the last
 *   mark the table has read (`@healthstream/shared/kafka` watermark-mark.ts); T = the minimum over all.
 * A partition (or aggregator input partition) with nothing recorded yet holds T back: there is no T
 * until every one has delivered, and a silent partition keeps T where it is. T never moves back.
 */
import type { TopicPartition } from '@healthstream/shared/kafka'
import type { TopicNames } from '@healthstream/shared/topics'
import type { PartitionTimes } from './partition-times.ts'
import { TableNames } from './tables.ts'

/** How a table's completeness is computed. */
export type CompletenessRule =
  | {
      /** Per partition of `topic`: the largest event time of the rows held, minus `outOfOrderness`. */
      readonly kind: 'event-time'
      readonly topic: string
      /** Partitions of `topic` (0 … n−1); partitions the table saw beyond these count too. */
      readonly partitions: number
      /** Microseconds. */
      readonly outOfOrderness: bigint
    }
  | {
      /** Per partition of `topic` and per aggregator input partition: the last mark's watermark. */
      readonly kind: 'marks'
      readonly topic: string
      readonly partitions: number
      /** Partitions of the aggregator's input topic (0 … n−1). */
      readonly sources: number
    }

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

/**
 * The completeness watermark the recorded state supports (epoch micros), or undefined while a
 * partition the rule counts has recorded nothing.
 */
export function completeBefore(
  rule: CompletenessRule,
  times: PartitionTimes,
  /** The offsets the table records (a partition with an offset counts, whatever `rule.partitions`). */
  offsets: ReadonlyMap<string, TopicPartition>,
): bigint | undefined {
  const ofTopic = [...times.values()].filter((t) => t.topic === rule.topic)
  const partitions = new Set([
    ...range(rule.partitions),
    ...ofTopic.map((t) => t.partition),
    ...[...offsets.values()].filter((o) => o.topic === rule.topic).map((o) => o.partition),
  ])
  const lookup = new Map(ofTopic.map((t) => [`${t.partition}/${t.source ?? ''}`, t.micros]))
  const sources =
    rule.kind === 'marks'
      ? [
          ...new Set([
            ...range(rule.sources),
            ...ofTopic.flatMap((t) => (t.source === undefined ? [] : [t.source])),
          ]),
        ]
      : ['']
  let min: bigint | undefined
  for (const p of partitions) {
    for (const s of sources) {
      const micros = lookup.get(`${p}/${s}`)
      if (micros === undefined) return undefined
      const t = rule.kind === 'event-time' ? micros - rule.outOfOrderness : micros
      if (min === undefined || t < min) min = t
    }
  }
  return min
}

/**
 * `2026-01-21T00:00:00Z`: ISO 8601 in UTC to the second, rounded down (so it never says more than
 * the state supports). Always 20 characters, so strings compare in time order: a reader compares with
 * a literal, no parsing. Undefined outside years 0000–9999.
 */
export function formatInstant(micros: bigint): string | undefined {
  const seconds = micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n)
  const date = new Date(Number(seconds) * 1000)
  const iso = Number.isNaN(date.getTime()) ? '' : date.toISOString()
  return /^\d{4}-/.test(iso) ? `${iso.slice(0, 19)}Z` : undefined
}

/** The micros of a `formatInstant` text; undefined for anything else. */
export function parseInstant(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(text)) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : BigInt(ms) * 1000n
}

/** The later of two completeness watermarks (either may be missing): it never moves back. */
export function laterOf(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return a > b ? a : b
}

/**
 * The rule of each table: raw by health-data-validated's event times, errors by health-data-errors'
 * error times, the aggregate tables by the marks on health-data-aggregates for every partition of
 * health-data-validated. `partitions`: of every input topic (TOPIC_PARTITIONS).
 */
export function tableCompleteness(
  table: string,
  topics: Pick<TopicNames, 'validated' | 'aggregates' | 'errors'>,
  partitions: number,
  outOfOrdernessMs: number,
): CompletenessRule | undefined {
  const outOfOrderness = BigInt(outOfOrdernessMs) * 1000n
  switch (table) {
    case TableNames.raw:
      return { kind: 'event-time', topic: topics.validated, partitions, outOfOrderness }
    case TableNames.errors:
      return { kind: 'event-time', topic: topics.errors, partitions, outOfOrderness }
    case TableNames.daily:
    case TableNames.weekly:
    case TableNames.monthly:
      return { kind: 'marks', topic: topics.aggregates, partitions, sources: partitions }
    default:
      return undefined
  }
}
