/** What the readers (packages/testkit/src/lake/read_table.py) print for a row we wrote: the comparison form. */
import type { IcebergType } from '@healthstream/iceberg'
import { AvroDeserializer, HttpSchemaRegistry } from '@healthstream/shared/avro'
import { readCommittedTopic } from '@healthstream/shared/kafka'
import { endpoint } from '@healthstream/testkit/stack'
import type { Row, TableDef } from '../../src/committing/tables.ts'
import type { KafkaCoordinates } from '../../src/consuming/rows.ts'

const TIMESTAMPS = new Set(['timestamptz', 'timestamp', 'long'])

function readerValue(type: IcebergType, v: unknown): unknown {
  if (v === null || v === undefined) return null
  if (typeof type === 'string') {
    if (TIMESTAMPS.has(type)) return Number(v)
    if (type === 'binary') return Buffer.from(v as Uint8Array).toString('base64')
    return v
  }
  if (type.type === 'map')
    return (v instanceof Map ? [...v] : Object.entries(v as object)).map(([k, x]) => [k, x])
  if (type.type === 'list') return [...(v as unknown[])]
  return v
}

/** A row as read_table.py prints it (timestamps and longs as numbers, maps as pairs, binary as base64). */
export function readerForm(def: TableDef, row: Row): Row {
  return Object.fromEntries(def.schema.fields.map((f) => [f.name, readerValue(f.type, row[f.name])]))
}

/** Every record of an input topic decoded, with its coordinates (read_committed, from the log start). */
export async function topicValues<T>(
  topic: string,
  schema: object,
): Promise<{ value: T; at: KafkaCoordinates }[]> {
  const registry = new HttpSchemaRegistry({ url: endpoint('SCHEMA_REGISTRY_URL') })
  const decoder = new AvroDeserializer<T>({ registry, readerSchema: schema })
  const kafka = { bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'lake-writer-test-reader' }
  const out: { value: T; at: KafkaCoordinates }[] = []
  for (const r of await readCommittedTopic(kafka, topic)) {
    const d = await decoder.decode(r.value ?? Buffer.alloc(0))
    if (!d.ok) throw new Error(`undecodable record at ${topic}[${r.partition}]@${r.offset}`)
    out.push({ value: d.value, at: { partition: r.partition, offset: r.offset } })
  }
  return out
}

/** Rows sorted by the given columns (as read_table.py sorts by --sort first). */
export function sortedBy(rows: Row[], ...columns: string[]): Row[] {
  const key = (r: Row) => JSON.stringify(columns.map((c) => r[c]))
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}
