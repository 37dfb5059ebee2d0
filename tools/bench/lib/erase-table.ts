/**
 * The table the erase benchmark works on, and the two ways of changing rows it compares: position
 * delete files (merge-on-read) and rewriting the affected data files (copy-on-write).
 */
import {
  type DataFile,
  fileUri,
  LocalObjectStore,
  type NestedField,
  openNodeSqlite,
  partitionSpecOf,
  readLiveRows,
  readParquet,
  SqlCatalog,
  Table,
  writePositionDeletes,
} from '@healthstream/iceberg'

type Row = Record<string, unknown>

export const FIELDS: NestedField[] = [
  { id: 1, name: 'sample_id', type: 'string', required: true },
  { id: 2, name: 'user_id', type: 'string', required: true },
  { id: 3, name: 'start', type: 'timestamptz', required: true },
  { id: 4, name: 'data_type', type: 'string', required: true },
  { id: 5, name: 'value', type: 'double', required: false },
  { id: 6, name: 'kafka_offset', type: 'long', required: true },
]

const DAY_US = 86_400_000_000n
const T0 = BigInt(Date.parse('2026-11-01T00:00:00Z')) * 1000n
const TYPES = ['heart_rate', 'steps', 'sleep', 'spo2', 'weight']

/** The shape of the table: rows spread evenly over days, users random within a day. */
export interface TableShape {
  readonly rows: number
  readonly users: number
  readonly days: number
  readonly filesPerDay: number
}

function dayRows(shape: TableShape, day: number, seed: { offset: bigint }): Row[] {
  const perDay = Math.ceil(shape.rows / shape.days)
  const out: Row[] = []
  for (let i = 0; i < perDay; i++) {
    const offset = seed.offset++
    out.push({
      sample_id: `s-${day}-${i}`,
      user_id: `u${Math.floor(Math.random() * shape.users)}`,
      start: T0 + BigInt(day) * DAY_US + BigInt(Math.floor(Math.random() * 86_400)) * 1_000_000n,
      data_type: TYPES[i % TYPES.length]!,
      value: Math.round(Math.random() * 10_000) / 10,
      kafka_offset: offset,
    })
  }
  return out
}

/** Creates `health.samples` under `dir` and fills it (one append of every file). */
export async function buildTable(dir: string, shape: TableShape): Promise<Table> {
  const store = new LocalObjectStore()
  const catalog = new SqlCatalog({
    name: 'bench',
    db: openNodeSqlite(`${dir}/catalog.db`),
    store,
    warehouse: fileUri(`${dir}/wh`),
  })
  await catalog.createNamespace(['health'])
  const table = await Table.create(
    catalog,
    store,
    { namespace: ['health'], name: 'samples' },
    { schema: FIELDS, partitionSpec: partitionSpecOf(FIELDS, [{ source: 'start', transform: 'day' }]) },
  )
  const seed = { offset: 0n }
  const files: DataFile[] = []
  for (let day = 0; day < shape.days; day++) {
    const rows = dayRows(shape, day, seed)
    const maxRowsPerFile = Math.ceil(rows.length / shape.filesPerDay)
    files.push(...(await table.writeDataFiles(rows, { maxRowsPerFile })))
  }
  await table.newAppend().appendFiles(files).commit()
  return table
}

/** Erases a user by rewriting every data file holding one of their rows (copy-on-write). */
export async function eraseByRewrite(table: Table, user: string): Promise<{ rows: number; files: number }> {
  const only = { schemaId: 0, fields: [FIELDS[1]!] }
  const added: DataFile[] = []
  const deleted: string[] = []
  let rows = 0
  for (const task of await table.scanTasks()) {
    const ids = await readParquet(await table.store.get(task.data.dataFile.filePath), only)
    if (!ids.some((r) => r.user_id === user)) continue
    const live = await readLiveRows(table.store, table.schema, task)
    const kept = live.filter((r) => r.user_id !== user)
    rows += live.length - kept.length
    added.push(...(await table.writeDataFiles(kept)))
    deleted.push(task.data.dataFile.filePath)
  }
  await table.commitChange(() => ({ operation: 'overwrite', added, deleted, deletesApplied: true }))
  return { rows, files: deleted.length }
}

const keyOf = (r: Row): string => `${r.user_id}|${r.start}`

/** Rows of the newest `days` partitions to replace: `count` of them, value changed. */
export async function upsertBatch(table: Table, days: number, count: number): Promise<Row[]> {
  const tasks = await table.scanTasks()
  const newest = [...new Set(tasks.map((t) => Number(t.data.dataFile.partition[0])))].sort((a, b) => b - a)
  const recent = new Set(newest.slice(0, days))
  const candidates = tasks.filter((t) => recent.has(Number(t.data.dataFile.partition[0])))
  const rows = (await Promise.all(candidates.map((t) => readLiveRows(table.store, table.schema, t)))).flat()
  const picked = new Map<string, Row>()
  while (picked.size < Math.min(count, rows.length)) {
    const r = rows[Math.floor(Math.random() * rows.length)]!
    picked.set(keyOf(r), { ...r, value: -1 })
  }
  return [...picked.values()]
}

function touchedDays(rows: readonly Row[]): Set<number> {
  return new Set(rows.map((r) => Number((r.start as bigint) / DAY_US)))
}

/** Upsert by copy-on-write: every file of a touched day holding a key is rewritten with the new rows. */
export async function upsertByRewrite(table: Table, batch: readonly Row[]): Promise<{ files: number }> {
  const incoming = new Map(batch.map((r) => [keyOf(r), r]))
  const days = touchedDays(batch)
  const keys = { schemaId: 0, fields: [FIELDS[1]!, FIELDS[2]!] }
  const deleted: string[] = []
  const out: Row[] = []
  for (const task of await table.scanTasks()) {
    if (!days.has(Number(task.data.dataFile.partition[0]))) continue
    const ks = await readParquet(await table.store.get(task.data.dataFile.filePath), keys)
    if (!ks.some((r) => incoming.has(keyOf(r)))) continue
    const live = await readLiveRows(table.store, table.schema, task)
    out.push(...live.filter((r) => !incoming.has(keyOf(r))))
    deleted.push(task.data.dataFile.filePath)
  }
  const added = await table.writeDataFiles([...out, ...batch])
  await table.commitChange(() => ({ operation: 'overwrite', added, deleted, deletesApplied: true }))
  return { files: deleted.length }
}

/** Upsert by merge-on-read: position deletes for the replaced rows plus one new file of the new rows. */
export async function upsertByDeletes(table: Table, batch: readonly Row[]): Promise<{ files: number }> {
  const incoming = new Set(batch.map(keyOf))
  const days = touchedDays(batch)
  const keys = { schemaId: 0, fields: [FIELDS[1]!, FIELDS[2]!] }
  const deletes: DataFile[] = []
  for (const task of await table.scanTasks()) {
    if (!days.has(Number(task.data.dataFile.partition[0]))) continue
    const ks = await readParquet(await table.store.get(task.data.dataFile.filePath), keys)
    const positions: number[] = []
    ks.forEach((r, pos) => {
      if (incoming.has(keyOf(r))) positions.push(pos)
    })
    if (positions.length > 0)
      deletes.push(await writePositionDeletes(table.store, table.metadata, task.data.dataFile, positions))
  }
  const added = await table.writeDataFiles(batch)
  await table.commitChange(() => ({ operation: 'overwrite', added, addedDeletes: deletes }))
  return { files: deletes.length }
}
