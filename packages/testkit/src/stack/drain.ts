/**
 * Waiting for the whole chain to drain into the lake: the validator has written every valid sample,
 * the aggregator's group has committed past the last of them in every partition, and each table's
 * snapshot summary records offsets past the last record of its topic. (Not "lag 0": on transactional
 * topics the end offset also counts the commit marker after the last record, which no consumer
 * position or recorded offset ever reaches.)
 */
import { type ConsumedRecord, readCommittedTopic } from '@healthstream/shared/kafka'
import type { TopicNames } from '@healthstream/shared/topics'
import { snapshotSummary, type TableRef } from '../lake/reader.ts'
import { endpoint } from './endpoints.ts'
import { groupTopicKey, OffsetsProbe } from './kafka-offsets.ts'
import { eventually } from './services.ts'

const kafka = () => ({ bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'drain-reader' })

/** A consumer group's committed offset per partition of one topic. */
export async function committedOffsets(group: string, topic: string): Promise<Map<number, bigint>> {
  const probe = new OffsetsProbe(kafka().bootstrapBrokers, 'drain-offsets')
  try {
    const offsets = (await probe.committed([{ group, topic }])).get(groupTopicKey({ group, topic })) ?? []
    return new Map(offsets.map((o, p) => [p, o] as const).filter(([, o]) => o >= 0n))
  } finally {
    await probe.close()
  }
}

/** Per partition: the offset after the last record. */
export function nextOffsets(records: readonly ConsumedRecord[]): Map<number, bigint> {
  const out = new Map<number, bigint>()
  for (const r of records)
    if (r.offset + 1n > (out.get(r.partition) ?? 0n)) out.set(r.partition, r.offset + 1n)
  return out
}

const show = (offsets: Map<number, bigint>) => JSON.stringify([...offsets].map(([p, o]) => [p, String(o)]))

/** How long each stage may take; the stages run one after the other. */
export interface DrainTimeouts {
  readonly validated: number
  readonly aggregator: number
  readonly lake: number
}

/**
 * Resolves once the lake holds everything the topics hold; throws naming the stage that timed out
 * and where it stood (`progress` is told the same, for a run's log), and the last lines `services`
 * logged.
 */
export async function waitForLake(options: {
  readonly prefix: string
  readonly topics: TopicNames
  readonly validSamples: number
  readonly ref: (table: string) => TableRef
  readonly timeouts: DrainTimeouts
  readonly progress?: (state: string) => void
  readonly services?: readonly { readonly name: string; readonly lines: readonly string[] }[]
}): Promise<void> {
  const { topics, ref } = options
  let state = ''
  const at = (s: string) => {
    if (s !== state) options.progress?.(s)
    state = s
  }
  try {
    let validated: readonly ConsumedRecord[] = []
    await eventually(
      `${options.validSamples} validated samples`,
      async () => {
        validated = await readCommittedTopic(kafka(), topics.validated)
        at(`validated: ${validated.length} of ${options.validSamples}`)
        return validated.length >= options.validSamples
      },
      options.timeouts.validated,
    )
    const needed = nextOffsets(validated)
    await eventually(
      'the aggregator to commit past the last validated sample',
      async () => {
        const committed = await committedOffsets(`${options.prefix}healthstream-aggregator`, topics.validated)
        at(`aggregator committed ${show(committed)} of ${show(needed)}`)
        return [...needed].every(([p, o]) => (committed.get(p) ?? -1n) >= o)
      },
      options.timeouts.aggregator,
    )
    const aggregates = nextOffsets(await readCommittedTopic(kafka(), topics.aggregates))
    const wanted: [string, string, Map<number, bigint>][] = [
      ['health_data_raw', topics.validated, needed],
      ['health_data_errors', topics.errors, nextOffsets(await readCommittedTopic(kafka(), topics.errors))],
      ...(['daily', 'weekly', 'monthly'] as const).map((g): [string, string, Map<number, bigint>] => [
        `health_data_${g}_agg`,
        topics.aggregates,
        aggregates,
      ]),
    ]
    await eventually(
      'the lake to hold all of the topics',
      async () => {
        const behind: string[] = []
        for (const [table, topic, next] of wanted) {
          const summary = await snapshotSummary(ref(table))
          const recorded = JSON.parse(summary?.summary['healthstream.kafka-offsets'] ?? '{}') as Record<
            string,
            Record<string, number>
          >
          for (const [p, o] of next) {
            const offset = recorded[topic]?.[String(p)]
            if (offset === undefined || BigInt(offset) < o)
              behind.push(`${table} ${topic}[${p}] at ${offset} < ${o}`)
          }
        }
        at(`tables behind: ${behind.join(', ')}`)
        return behind.length === 0
      },
      options.timeouts.lake,
    )
  } catch (error) {
    const tails = (options.services ?? []).map((s) => `\n${s.name}:\n${s.lines.slice(-5).join('\n')}`)
    throw new Error(`${(error as Error).message}; last seen: ${state}${tails.join('')}`, { cause: error })
  }
}
