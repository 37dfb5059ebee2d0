/**
 * Which topic feeds which tables, and how a record becomes a row. Every table a topic feeds records
 * that topic's offsets, even when a record went to a sibling table (an aggregate goes to the table of
 * its granularity only), so each table knows exactly which records it has seen.
 */
import type { AvroDeserializer, DecodeResult } from '@healthstream/shared/avro'
import type { ErrorRecord, ValidatedSample } from '@healthstream/shared/domain'
import type { ConsumedRecord } from '@healthstream/shared/kafka'
import type { TopicNames } from '@healthstream/shared/topics'
import {
  type AggregateRecord,
  aggregateRow,
  errorRow,
  type KafkaCoordinates,
  type Row,
  rawRow,
} from './rows.ts'
import { TableNames } from './tables.ts'

/** A record's row and the table it goes to, or why it has none. */
export type Routed =
  | { readonly table: string; readonly row: Row }
  | { readonly skip: string; readonly detail: string }

/** One input topic. */
export interface TopicRoute {
  readonly topic: string
  /** Names of the tables this topic feeds. */
  readonly tables: readonly string[]
  /** Rows of a batch of its records, in order; throws on infrastructure errors (registry down). */
  decode(records: readonly ConsumedRecord[]): Promise<Routed[]>
}

/** Decoders of the three input topics. */
export interface Decoders {
  readonly validated: AvroDeserializer<ValidatedSample>
  readonly aggregates: AvroDeserializer<AggregateRecord>
  readonly errors: AvroDeserializer<ErrorRecord>
}

const AGG_TABLES: Readonly<Record<string, string>> = {
  daily: TableNames.daily,
  weekly: TableNames.weekly,
  monthly: TableNames.monthly,
}

function route<T>(
  topic: string,
  tables: readonly string[],
  decoder: AvroDeserializer<T>,
  toRow: (value: T, at: KafkaCoordinates) => Routed,
): TopicRoute {
  return {
    topic,
    tables,
    async decode(records) {
      const values = records.map((r) => r.value ?? Buffer.alloc(0))
      const decoded: DecodeResult<T>[] = await decoder.decodeAll(values)
      return decoded.map((d, i) => {
        const r = records[i]!
        if (r.value === null) return { skip: 'TOMBSTONE', detail: 'null value' }
        if (!d.ok) return { skip: d.reason, detail: d.detail }
        return toRow(d.value, { partition: r.partition, offset: r.offset })
      })
    },
  }
}

/** The lake-writer's routes: validated → raw, aggregates → the table of their granularity, errors → errors. */
export function lakeRoutes(topics: TopicNames, decoders: Decoders): TopicRoute[] {
  return [
    route(topics.validated, [TableNames.raw], decoders.validated, (v, at) => ({
      table: TableNames.raw,
      row: rawRow(v, at),
    })),
    route(topics.aggregates, Object.values(AGG_TABLES), decoders.aggregates, (a, at) => {
      const table = AGG_TABLES[a.granularity]
      if (table === undefined) return { skip: 'UNKNOWN_GRANULARITY', detail: `granularity ${a.granularity}` }
      return { table, row: aggregateRow(a, at) }
    }),
    route(topics.errors, [TableNames.errors], decoders.errors, (e, at) => ({
      table: TableNames.errors,
      row: errorRow(e, at),
    })),
  ]
}
