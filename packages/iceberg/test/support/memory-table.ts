/** A table on an in-memory store and a SQLite catalog in memory, for fast tests. */

import { MemoryObjectStore } from '@healthstream/testkit/memory'
import { SqlCatalog } from '../../src/catalog/sql-catalog.ts'
import { openNodeSqlite } from '../../src/catalog/sqlite-node.ts'
import { partitionSpecOf } from '../../src/spec/new-table.ts'
import type { NestedField } from '../../src/spec/types.ts'
import { Table } from '../../src/table/table.ts'

export const SAMPLE_FIELDS: NestedField[] = [
  { id: 1, name: 'user_id', type: 'string', required: true },
  { id: 2, name: 'start', type: 'timestamptz', required: true },
  { id: 3, name: 'value', type: 'double', required: false },
]

export const DAY_US = 86_400_000_000n
/** 2026-11-25T00:00:00Z in microseconds. */
export const T0 = BigInt(Date.parse('2026-11-25T00:00:00Z')) * 1000n

/** A sample row on day `day` after T0. */
export function sample(
  user: string,
  day: number,
  value: number | null,
  offsetUs = 0n,
): Record<string, unknown> {
  return { user_id: user, start: T0 + BigInt(day) * DAY_US + offsetUs, value }
}

export interface MemoryLake {
  readonly store: MemoryObjectStore
  readonly catalog: SqlCatalog
  readonly table: Table
}

/** A fresh table `health.samples` partitioned by day(start). */
export async function memoryLake(): Promise<MemoryLake> {
  const store = new MemoryObjectStore()
  const catalog = new SqlCatalog({
    name: 'test',
    db: openNodeSqlite(':memory:'),
    store,
    warehouse: 'mem://wh',
  })
  await catalog.createNamespace(['health'])
  const table = await Table.create(
    catalog,
    store,
    { namespace: ['health'], name: 'samples' },
    {
      schema: SAMPLE_FIELDS,
      partitionSpec: partitionSpecOf(SAMPLE_FIELDS, [{ source: 'start', transform: 'day' }]),
    },
  )
  return { store, catalog, table }
}

/** Rows sorted by user then start, for order-free comparison. */
export function sorted<T extends Record<string, unknown>>(rows: readonly T[]): T[] {
  return [...rows].sort(
    (a, b) =>
      String(a.user_id).localeCompare(String(b.user_id)) || Number((a.start as bigint) - (b.start as bigint)),
  )
}
