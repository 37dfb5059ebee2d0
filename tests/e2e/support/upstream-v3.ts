/**
 * The upstream v3 of issue 19's schema-evolution test: v2 plus a batch `deviceModel` and per-sample
 * `tags` and `sensorLocation`, uploads in its shape, and the SQL catalog's view of a table's metadata.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { healthDataBatchV2 } from '@healthstream/shared/avro'

export const USER = 'user-evolve'
export type Field = { name: string; type: unknown; default?: unknown }
type RecordSchema = { fields: Field[] }

/** v2 plus the given batch and sample fields. */
export function evolved(batchFields: Field[], sampleFields: Field[]): object {
  const schema = structuredClone(healthDataBatchV2) as RecordSchema
  schema.fields.push(...batchFields)
  const samples = schema.fields.find((f) => f.name === 'samples')!
  ;(samples.type as { items: RecordSchema }).items.fields.push(...sampleFields)
  return schema
}

/** The v3 of the issue: what a newer app sends. */
export const V3 = evolved(
  [{ name: 'deviceModel', type: ['null', 'string'], default: null }],
  [
    { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
    { name: 'sensorLocation', type: ['null', 'string'], default: null },
  ],
)

export function batch(
  batchId: string,
  samples: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
) {
  return {
    batchId,
    userId: USER,
    deviceId: 'd-1',
    platform: 'ANDROID',
    appVersion: '6.0.0',
    uploadedAt: new Date().toISOString(),
    timeZone: 'Europe/Berlin',
    samples: samples.map((s, i) => ({
      sampleId: `${batchId}-${i}`,
      dataType: 'heart_rate',
      value: 60 + i,
      unit: 'count/min',
      startTime: new Date(Date.now() - 3_600_000 + i * 1000).toISOString(),
      endTime: null,
      sourceApp: null,
      confidence: null,
      metadata: {},
      ...s,
    })),
    metadata: {},
    ...extra,
  }
}

/** The table's current metadata file, as the SQL catalog records it. */
export function metadataOf(dir: string, table: string) {
  const db = new DatabaseSync(join(dir, 'lake', 'catalog.db'))
  try {
    const row = db
      .prepare('SELECT metadata_location FROM iceberg_tables WHERE table_name = ?')
      .get(table) as { metadata_location: string }
    const path = row.metadata_location.startsWith('file:')
      ? fileURLToPath(row.metadata_location)
      : row.metadata_location
    return JSON.parse(readFileSync(path, 'utf8')) as {
      'last-column-id': number
      'current-schema-id': number
      schemas: {
        'schema-id': number
        fields: { id: number; name: string; required: boolean; type: unknown; doc?: string }[]
      }[]
    }
  } finally {
    db.close()
  }
}
