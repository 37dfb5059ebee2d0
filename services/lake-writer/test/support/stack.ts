/** Feeding the real stack and watching the lake it fills: producers, lake targets, drain checks. */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Table } from '@healthstream/iceberg'
import { AvroSerializer, HttpSchemaRegistry } from '@healthstream/shared/avro'
import { createConsumer } from '@healthstream/shared/kafka'
import { loadConfig } from '@healthstream/shared/platform'
import { type TopicNames, TopicSchemas } from '@healthstream/shared/topics'
import type { TableRef } from '@healthstream/testkit/lake'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import { FetchIsolationLevels, ListOffsetTimestamps, Producer } from '@platformatic/kafka'
import { recordedState } from '../../src/committing/offsets.ts'
import { type LakeSettings, openLake } from '../../src/committing/open-lake.ts'
import { lakeWriterConfig } from '../../src/config.ts'

type Input = 'validated' | 'aggregates' | 'errors'

/** Serializers registered on the stack's registry for a pipeline's input topics. */
export async function serializers(topics: TopicNames): Promise<Record<Input, AvroSerializer<unknown>>> {
  const registry = new HttpSchemaRegistry({ url: endpoint('SCHEMA_REGISTRY_URL') })
  const make = (t: Input) =>
    AvroSerializer.create<unknown>({ registry, topic: topics[t], schema: TopicSchemas[t] })
  return {
    validated: await make('validated'),
    aggregates: await make('aggregates'),
    errors: await make('errors'),
  }
}

/** An idempotent producer; `send` resolves once every record is acknowledged. */
export class InputProducer {
  readonly #producer = new Producer({
    clientId: 'lake-writer-test',
    bootstrapBrokers: [endpoint('KAFKA_BROKERS')],
    idempotent: true,
    autocreateTopics: false,
  })

  /** Sends records in order; a null value is a tombstone. */
  async send(
    topic: string,
    records: readonly { key: string; value: Buffer | null }[],
    chunk = 500,
  ): Promise<void> {
    for (let i = 0; i < records.length; i += chunk) {
      const messages = records
        .slice(i, i + chunk)
        .map((r) => ({ topic, key: Buffer.from(r.key), ...(r.value === null ? {} : { value: r.value }) }))
      await this.#producer.send({ messages })
    }
  }

  close(): Promise<void> {
    return this.#producer.close()
  }
}

/** Where a test's lake-writer writes, and how readers find it. */
export interface LakeTarget {
  readonly label: string
  /** Service environment (LAKE_*, S3_*). */
  readonly env: Record<string, string>
  readonly settings: LakeSettings
  ref(table: string): TableRef
  /** The readers that can open it (DuckDB reads SQL catalogs from SQLite files only). */
  readonly engines: readonly ('pyiceberg' | 'duckdb')[]
}

function target(
  label: string,
  env: Record<string, string>,
  ref: (table: string) => TableRef,
  engines: LakeTarget['engines'] = ['pyiceberg', 'duckdb'],
): LakeTarget {
  return { label, env, settings: loadConfig(lakeWriterConfig, env), ref, engines }
}

/** SQL catalog (SQLite file) and a local warehouse directory under `dir`. */
export function localTarget(dir: string): LakeTarget {
  const [db, wh] = [join(dir, 'catalog.db'), join(dir, 'warehouse')]
  return target('SQL catalog, local directory', { LAKE_CATALOG_URI: db, LAKE_WAREHOUSE: wh }, (table) => ({
    catalog: 'sql',
    uri: `sqlite:///${db}`,
    warehouse: pathToFileURL(wh).href,
    namespace: 'health',
    table,
  }))
}

/** SQL catalog (SQLite file under `dir`) and a warehouse on the stack's S3 server. */
export function s3Target(dir: string): LakeTarget {
  const db = join(dir, 'catalog.db')
  const wh = `s3://${endpoint('S3_BUCKET')}/${uniqueName('lake-writer')}`
  const s3 = {
    S3_ENDPOINT: endpoint('S3_ENDPOINT'),
    S3_REGION: endpoint('S3_REGION'),
    S3_ACCESS_KEY_ID: endpoint('S3_ACCESS_KEY_ID'),
    S3_SECRET_ACCESS_KEY: endpoint('S3_SECRET_ACCESS_KEY'),
  }
  return target('SQL catalog, S3', { LAKE_CATALOG_URI: db, LAKE_WAREHOUSE: wh, ...s3 }, (table) => ({
    catalog: 'sql',
    uri: `sqlite:///${db}`,
    warehouse: wh,
    namespace: 'health',
    table,
    s3: { endpoint: s3.S3_ENDPOINT, region: s3.S3_REGION },
  }))
}

/**
 * SQL catalog on the stack's PostgreSQL (LAKE_POSTGRES_URL) under a catalog name of its own, and a
 * local warehouse directory under `dir`; pyiceberg reads it through psycopg2.
 */
export function postgresTarget(dir: string): LakeTarget {
  const url = endpoint('LAKE_POSTGRES_URL')
  const name = uniqueName('lw').replaceAll('-', '_')
  const env = { LAKE_CATALOG_URI: url, LAKE_CATALOG_NAME: name, LAKE_WAREHOUSE: join(dir, 'warehouse') }
  const uri = url.replace(/^postgres(ql)?:\/\//, 'postgresql+psycopg2://')
  return target(
    'SQL catalog on PostgreSQL',
    env,
    (table) => ({ catalog: 'sql', uri, catalogName: name, namespace: 'health', table }),
    ['pyiceberg'],
  )
}

/** The stack's Iceberg REST fixture, in a namespace of its own. */
export function restTarget(): LakeTarget {
  const namespace = uniqueName('lw').replaceAll('-', '_')
  const uri = endpoint('ICEBERG_REST_URI')
  return target(
    'REST catalog',
    { LAKE_CATALOG: 'rest', LAKE_CATALOG_URI: uri, LAKE_NAMESPACE: namespace },
    (table) => ({
      catalog: 'rest',
      uri,
      namespace,
      table,
    }),
  )
}

/** The next offset of every partition of a topic (what a drained reader has recorded). */
export async function endOffsets(topic: string): Promise<Map<number, bigint>> {
  const consumer = createConsumer({
    bootstrapBrokers: [endpoint('KAFKA_BROKERS')],
    clientId: 'lake-writer-test-offsets',
    groupId: 'lake-writer-test-unused',
  })
  try {
    const listed = await consumer.listOffsets({
      topics: [topic],
      timestamp: ListOffsetTimestamps.LATEST,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    })
    return new Map((listed.get(topic) ?? []).map((o, p) => [p, o]))
  } finally {
    await consumer.close()
  }
}

/** True when the table records, for every non-empty partition of `topic`, its end offset. */
export async function drained(t: LakeTarget, table: string, topic: string): Promise<boolean> {
  const ends = await endOffsets(topic)
  const lake = openLake(t.settings)
  try {
    const loaded = await Table.load(lake.catalog, lake.store, { namespace: lake.namespace, name: table })
    const recorded = recordedState(loaded.metadata).offsets
    return [...ends].every(([p, end]) => end === 0n || recorded.get(`${topic}:${p}`)?.offset === end)
  } finally {
    await lake.close()
  }
}
