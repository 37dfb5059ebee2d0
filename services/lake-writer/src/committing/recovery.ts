/**
 * Recovering a table's position from its rows, pure. Every row carries the Kafka coordinates it was
 * read from (`kafka_partition`, `kafka_offset`), and a commit adds, per partition, exactly the rows of
 * the offsets it moves past. So the table holds, per partition, every row below its recorded offset
 * and none above; the largest offset it holds plus one is a position from which reading again writes
 * no row twice and skips none (the records between it and the lost position were not this table's,
 * and are skipped again). A partition without rows is read from the log start, for the same reason.
 * See docs/exactly-once.md, section 3.
 */
import type { PartitionOffset } from '@healthstream/shared/kafka'
import { partitionKey } from '@healthstream/shared/kafka'
import type { TopicNames } from '@healthstream/shared/topics'
import type { RecordedState } from './offsets.ts'
import { type Row, TableNames } from './tables.ts'

/** Where a row was read from (undefined: not from Kafka, e.g. appended by another tool). */
export type Lineage = (row: Row) => PartitionOffset | undefined

/** The stage of the dead letters the lake-writer writes itself (their source is the record read). */
const OWN_STAGE = 'lake-writer'

const coordinates = (topic: string, row: Row): PartitionOffset | undefined => {
  const partition = row.kafka_partition
  const offset = row.kafka_offset
  if (typeof partition !== 'number' || (typeof offset !== 'bigint' && typeof offset !== 'number'))
    return undefined
  return { topic, partition, offset: BigInt(offset) }
}

/**
 * The lineage of the lake-writer's tables: each reads its own topic, and `health_data_errors` also
 * holds the lake-writer's own dead letters, read from the topic their `source_topic` names.
 */
export function tableLineage(table: string, topics: TopicNames): Lineage {
  switch (table) {
    case TableNames.raw:
      return (row) => coordinates(topics.validated, row)
    case TableNames.errors:
      return (row) =>
        coordinates(
          row.stage === OWN_STAGE && typeof row.source_topic === 'string' ? row.source_topic : topics.errors,
          row,
        )
    default:
      return (row) => coordinates(topics.aggregates, row)
  }
}

/** The state the rows imply: per partition the largest offset plus one, and the largest event time. */
export async function stateFromRows(
  files: readonly (() => Promise<readonly Row[]>)[],
  lineage: Lineage,
  eventTime: string,
): Promise<RecordedState> {
  const offsets = new Map<string, PartitionOffset>()
  let watermark: bigint | undefined
  // One file at a time: a table's rows need not fit in memory together
  for (const read of files) {
    for (const row of await read()) {
      const at = lineage(row)
      if (at !== undefined) {
        const key = partitionKey(at.topic, at.partition)
        if ((offsets.get(key)?.offset ?? -1n) <= at.offset)
          offsets.set(key, { ...at, offset: at.offset + 1n })
      }
      const t = row[eventTime]
      if (typeof t === 'bigint' || typeof t === 'number') {
        const micros = BigInt(t)
        if (watermark === undefined || micros > watermark) watermark = micros
      }
    }
  }
  return { offsets, watermark, source: 'rows' }
}
