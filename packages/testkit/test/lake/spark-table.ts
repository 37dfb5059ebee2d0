/**
 * The table the Spark tests write with our own library (@healthstream/iceberg): every common column
 * kind, partitioned by day, written in three appends (so there are several files and snapshots for
 * Spark's maintenance to work on), and the rows every reader must give back for it.
 */
import { readdirSync, statSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import {
  type Catalog,
  type ObjectStore,
  partitionSpecOf,
  Table,
  type TableIdentifier,
} from '@healthstream/iceberg'
import { FIELDS, row } from '../../src/lake/contract-table.ts'
import type { Row } from '../../src/lake/reader.ts'

export { expected, expectedRows, FIELDS, row } from '../../src/lake/contract-table.ts'

/** Three appends over two day partitions: five data files. */
export const BATCHES: readonly (readonly Row[])[] = [
  [
    row('a', 0, 1.5, {
      count: 2n ** 62n + 7n,
      day: 20782,
      ok: true,
      tags: ['x', 'y'],
      src: { topic: 't', partition: 3 },
    }),
    row('b', 1, null, { count: -1n, tags: [], src: { topic: 'u', partition: null } }),
  ],
  [row('c', 0, Number.NaN, { ok: false }), row('d', 1, -0.25, { day: -1 })],
  [row('e', 1, 1e300, { count: 9_007_199_254_740_991n })],
]

/** Creates the table and appends the batches, one snapshot each. */
export async function writeTable(catalog: Catalog, store: ObjectStore, id: TableIdentifier): Promise<Table> {
  const table = await Table.create(catalog, store, id, {
    schema: FIELDS,
    partitionSpec: partitionSpecOf(FIELDS, [{ source: 'start', transform: 'day' }]),
  })
  for (const batch of BATCHES) await table.append(batch)
  return table
}

/** Sets the modification time of every file under `dir` to `ms` (orphan removal looks at it). */
export function backdate(dir: string, ms: number): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) backdate(path, ms)
    else if (statSync(path).isFile()) utimesSync(path, ms / 1000, ms / 1000)
  }
}
