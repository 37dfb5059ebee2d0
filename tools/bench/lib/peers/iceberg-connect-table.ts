/**
 * The Iceberg Kafka Connect peer's table: created as the lake-writer creates health_data_raw, and
 * read back through the catalog row and the metadata file alone while the sink commits to it.
 */
import { readFileSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { parseTableMetadata, Table } from '@healthstream/iceberg'
import { type LakeSettings, openLake } from '@healthstream/lake-writer/lake'
import { TABLE_PROPERTIES, TABLES, TableNames } from '@healthstream/lake-writer/tables'

/** Creates the table as the lake-writer would (its TableDef and properties), under another name if asked. */
export async function createTable(lake: LakeSettings, name: string): Promise<void> {
  const opened = openLake(lake)
  try {
    const def = TABLES.find((t) => t.name === TableNames.raw)!
    await opened.catalog.createNamespace(opened.namespace).catch(() => undefined) // may exist
    const request = { schema: def.schema, partitionSpec: def.spec, properties: TABLE_PROPERTIES }
    await Table.create(opened.catalog, opened.store, { namespace: opened.namespace, name }, request)
  } finally {
    await opened.close()
  }
}

export interface TableState {
  rows: number
  snapshots: number
  dataFiles: number
  bytes: number
  firstCommitMs: number
  lastCommitMs: number
}

/**
 * The table as its metadata file says, found through the catalog row read only: opening our
 * SqlCatalog would run its set-up statements, which take write locks the sink's commits wait for.
 */
export function tableState(lake: LakeSettings, name: string): TableState {
  const db = new DatabaseSync(lake.LAKE_CATALOG_URI, { readOnly: true })
  let location: string
  try {
    db.exec('PRAGMA busy_timeout = 5000')
    const row = db
      .prepare(
        'SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?',
      )
      .get(lake.LAKE_CATALOG_NAME, lake.LAKE_NAMESPACE, name)
    location = String(row?.metadata_location)
  } finally {
    db.close()
  }
  const metadata = parseTableMetadata(readFileSync(fileURLToPath(location), 'utf8'))
  const current = metadata.snapshots.find((s) => s.snapshotId === metadata.currentSnapshotId)
  const summary: Record<string, string | undefined> = current?.summary ?? {}
  const times = metadata.snapshots.map((s) => s.timestampMs)
  return {
    rows: Number(summary['total-records'] ?? 0),
    snapshots: times.length,
    dataFiles: Number(summary['total-data-files'] ?? 0),
    bytes: Number(summary['total-files-size'] ?? 0),
    firstCommitMs: Math.min(...times),
    lastCommitMs: current?.timestampMs ?? 0,
  }
}
