/**
 * Issue 19's schema-evolution test: its uploads (the v3 schema and `evolved` come from the testkit) and
 * the SQL catalog's view of a table's metadata.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { rawBatch } from '@healthstream/testkit/upstream'

export { evolved, UPSTREAM_V3 as V3 } from '@healthstream/testkit/upstream'
export const USER = 'user-evolve'
/** An upload of USER whose samples are a second apart, an hour old, each overridden by its entry. */
export const batch = (
  batchId: string,
  samples: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
) =>
  rawBatch(
    batchId,
    USER,
    samples.map((s, i) => ({
      value: 60 + i,
      startTime: new Date(Date.now() - 3_600_000 + i * 1000).toISOString(),
      ...s,
    })),
    { appVersion: '6.0.0', ...extra },
  )

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
