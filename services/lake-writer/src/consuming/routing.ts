/**
 * Which topic feeds which tables, and how a record becomes a row. Every table a topic feeds records
 * that topic's offsets, even when a record went to a sibling table (an aggregate goes to the table of
 * its granularity only), so each table knows exactly which records it has seen.
 *
 * Nothing is dropped: a record that cannot become a row of its own table (undecodable bytes, a
 * tombstone, an unknown granularity) becomes a dead letter in `health_data_errors`, which every input
 * topic therefore feeds. The dead letter lands in the errors table's commit that also records the
 * record's offset, so it lands exactly once, like any row.
 */
import { Buffer } from 'node:buffer'
import { type AvroDeserializer, compileColumnReader, type ValueSink } from '@healthstream/shared/avro'
import {
  type ErrorRecord,
  type Extras,
  errorRecord,
  parseExtras,
  ReasonCode,
  unreadableBatchError,
  type ValidatedSample,
} from '@healthstream/shared/domain'
import {
  type ConsumedRecord,
  readWatermarkMark,
  type UnreadableBatch,
  type WatermarkMark,
} from '@healthstream/shared/kafka'
import { readReplayMark } from '@healthstream/shared/replay'
import type { TopicNames } from '@healthstream/shared/topics'
import { RAW_FIELDS, type Row, TableNames } from '../committing/tables.ts'
import {
  type AggregateRecord,
  aggregateRow,
  errorRow,
  type KafkaCoordinates,
  RAW_COLUMN_OF,
  rawRow,
} from './rows.ts'

/** Why a record became a dead letter instead of a row of its own table (for metrics and logs). */
export interface DeadLetter {
  readonly reason: ReasonCode
  readonly detail: string
}

/**
 * A record's row and the table it goes to; `deadLetter` when the row is its dead letter. `table` null:
 * the record is consumed without a row (a replayed aggregator dead letter: its sample is in
 * `health_data_raw` already).
 */
export interface Routed {
  readonly table: string | null
  readonly row: Row
  readonly deadLetter?: DeadLetter
  /** An aggregator watermark mark (table null): every table the topic feeds records it. */
  readonly mark?: WatermarkMark
  /** Fields of a newer upstream schema: columns of the row's table, added when it lacks them. */
  readonly extras?: Extras
}

/** One input topic. */
export interface TopicRoute {
  readonly topic: string
  /** Names of the tables this topic feeds. */
  readonly tables: readonly string[]
  /** Loads what decoding these records needs (writer schemas); throws on infrastructure errors. */
  prepare(records: readonly ConsumedRecord[]): Promise<void>
  /** The row of one prepared record and the table it goes to (its dead letter when it has no row). */
  decode(record: ConsumedRecord): Routed
  /** Reading prepared records straight into their table's columns, where this topic can. */
  readonly direct?: DirectRead
}

/** Reads a record's row straight into the columns of `table`'s batch, with no row object between. */
export interface DirectRead {
  readonly table: string
  /**
   * Appends the record's row to `columns`; false, or a throw (a value that does not fit its column),
   * when it cannot: the caller undoes what was appended and decodes the record instead.
   */
  read(record: ConsumedRecord, columns: readonly ValueSink[]): boolean
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

/**
 * The `health_data_errors` row of a record that no table can hold: stage `lake-writer`, the record's
 * own coordinates (its id is deterministic), its bytes as they were consumed.
 */
export function deadLetterRow(
  record: ConsumedRecord,
  why: DeadLetter & { readonly schemaId?: number },
  nowMs: number,
): Routed {
  const value = record.value ?? Buffer.alloc(0)
  const dead = errorRecord({
    stage: 'lake-writer',
    reasonCode: why.reason,
    message: why.detail,
    source: {
      topic: record.topic,
      partition: record.partition,
      offset: Number(record.offset),
      writerSchemaId: why.schemaId ?? -1,
    },
    sourceIndex: null,
    payloadFormat: 'raw',
    payload: Buffer.from(value.buffer, value.byteOffset, value.byteLength),
    errorTime: nowMs * 1000,
  })
  const at = { partition: record.partition, offset: record.offset }
  return { table: TableNames.errors, row: errorRow(dead, at), deadLetter: why }
}

/**
 * The `health_data_errors` row of a record standing for a batch the consumer could not read (beyond the
 * inflate bound): its dead letter names the batch's offsets; the row sits at the record's own offset
 * (the batch's last), which moves the table past the batch.
 */
function unreadableRow(record: ConsumedRecord, batch: UnreadableBatch, nowMs: number): Routed {
  const dead = unreadableBatchError('lake-writer', { ...batch, ...record }, nowMs * 1000)
  const at = { partition: record.partition, offset: record.offset }
  return {
    table: TableNames.errors,
    row: errorRow(dead, at),
    deadLetter: { reason: ReasonCode.BATCH_INFLATE_LIMIT, detail: dead.message },
  }
}

function route<T>(
  topic: string,
  tables: readonly string[],
  decoder: AvroDeserializer<T>,
  toRow: (value: T, at: KafkaCoordinates) => Routed | DeadLetter,
  now: () => number,
): TopicRoute {
  return {
    topic,
    tables,
    prepare: (records) => decoder.load(records.map((r) => r.value)),
    decode(r) {
      if (r.unreadable !== undefined) return unreadableRow(r, r.unreadable, now())
      if (r.value === null)
        return deadLetterRow(r, { reason: ReasonCode.TOMBSTONE, detail: 'null value (tombstone)' }, now())
      const d = decoder.decodeLoaded(r.value)
      if (d === undefined)
        throw new Error(`writer schema of ${r.topic}/${r.partition}@${r.offset} is not loaded`)
      if (!d.ok) return deadLetterRow(r, d, now())
      const routed = toRow(d.value, { partition: r.partition, offset: r.offset })
      return 'row' in routed ? routed : deadLetterRow(r, { ...routed, schemaId: d.schemaId }, now())
    },
  }
}

/**
 * validated → `health_data_raw`: a record written with the reader schema itself (the usual case) is
 * read straight into the table's columns (`compileColumnReader`: no sample object, no row object, no
 * separate bounds walk); any other writer version, and any record that does not read or fit that way,
 * goes through `decode`: avsc's schema resolution and `rawRow`, or its dead letter.
 */
function rawRoute(topic: string, decoder: AvroDeserializer<ValidatedSample>, now: () => number): TopicRoute {
  const generic = route(topic, [TableNames.raw, TableNames.errors], decoder, rawRouted, now)
  const decode = (r: ConsumedRecord): Routed =>
    isAggregatorReplay(r) ? { table: null, row: {} } : generic.decode(r)
  const direct = directRawRead(decoder)
  return direct === undefined ? { ...generic, decode } : { ...generic, decode, direct }
}

/** A validated sample's row, with its extras when it has any. */
function rawRouted(v: ValidatedSample, at: KafkaCoordinates): Routed | DeadLetter {
  const row = rawRow(v, at)
  if (v.extras === null || v.extras === undefined) return { table: TableNames.raw, row }
  const parsed = parseExtras(v.extras)
  if (!parsed.ok) return { reason: ReasonCode.DECODE_FAILED, detail: parsed.detail }
  return { table: TableNames.raw, row, extras: parsed.extras }
}

/** A sample the aggregator rejected, sent to it again by a replay: the raw table took it the first time. */
const isAggregatorReplay = (r: ConsumedRecord): boolean => readReplayMark(r.headers)?.stage === 'aggregator'

/**
 * The direct read of validated samples into `health_data_raw`, when every column of the table's own
 * gets exactly one field. A sample with extras is left to `decode` (its extras need columns checked,
 * perhaps added); the `extras` field is read into a probe that says so. Columns after the table's own
 * (extras' columns) are null for a sample without extras.
 */
function directRawRead(decoder: AvroDeserializer<ValidatedSample>): DirectRead | undefined {
  const columns = RAW_FIELDS.map((f) => f.name)
  const indexOf = (column: string | undefined) => (column === undefined ? -1 : columns.indexOf(column))
  const probeAt = columns.length
  const reader = compileColumnReader(decoder.readerType, (field) => {
    if (field === 'extras') return probeAt
    const at = indexOf(RAW_COLUMN_OF[field])
    return at < 0 ? undefined : at
  })
  if (reader === undefined) return undefined
  const partitionAt = indexOf('kafka_partition')
  const offsetAt = indexOf('kafka_offset')
  const fields = (decoder.readerType as unknown as { fields: { name: string }[] }).fields
  const filled = [...fields.map((f) => indexOf(RAW_COLUMN_OF[f.name])), partitionAt, offsetAt].filter(
    (i) => i >= 0,
  )
  if (filled.length !== columns.length || new Set(filled).size !== columns.length) return undefined
  const probe = new ExtrasProbe()
  // The table's own columns and the probe, made again only when the buffer's batch changes
  let own: readonly ValueSink[] = []
  let withProbe: ValueSink[] = []
  return {
    table: TableNames.raw,
    read(r, sinks) {
      if (r.value === null || isAggregatorReplay(r)) return false
      if (sinks !== own) {
        own = sinks
        withProbe = [...sinks.slice(0, probeAt), probe]
      }
      probe.value = null
      const read = decoder.readLoadedInto(r.value, withProbe, reader)
      if (read === undefined || !read.ok || probe.value !== null) return false
      for (let i = probeAt; i < sinks.length; i++) sinks[i]!.push(null)
      sinks[partitionAt]!.push(r.partition)
      sinks[offsetAt]!.push(r.offset)
      return true
    },
  }
}

/** Where the direct read puts a sample's `extras`: only to look at it. */
class ExtrasProbe implements ValueSink {
  value: unknown = null
  push(value: unknown): void {
    this.value = value
  }
}

/**
 * A route whose topic also carries the aggregator's watermark marks: a mark has no row (and its null
 * value is no tombstone to dead-letter); the tables record its watermark (completeness.ts).
 */
function withMarks<T>(...args: Parameters<typeof route<T>>): TopicRoute {
  const generic = route(...args)
  return {
    ...generic,
    decode(r) {
      const mark = r.unreadable === undefined ? readWatermarkMark(r.headers) : null
      return mark === null ? generic.decode(r) : { table: null, row: {}, mark }
    },
  }
}

/**
 * The lake-writer's topic routes: validated → raw, aggregates → the table of their granularity,
 * errors → errors; each topic also feeds the errors table with its dead letters.
 */
export function topicRoutes(
  topics: TopicNames,
  decoders: Decoders,
  now: () => number = Date.now,
): TopicRoute[] {
  const aggTables = [...new Set(Object.values(AGG_TABLES))]
  return [
    rawRoute(topics.validated, decoders.validated, now),
    withMarks(
      topics.aggregates,
      [...aggTables, TableNames.errors],
      decoders.aggregates,
      (a, at) => {
        const table = AGG_TABLES[a.granularity]
        if (table === undefined)
          return { reason: ReasonCode.UNKNOWN_GRANULARITY, detail: `granularity ${a.granularity}` }
        return { table, row: aggregateRow(a, at) }
      },
      now,
    ),
    route(
      topics.errors,
      [TableNames.errors],
      decoders.errors,
      (e, at) => ({ table: TableNames.errors, row: errorRow(e, at) }),
      now,
    ),
  ]
}
