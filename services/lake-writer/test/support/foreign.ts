/** What other engines see of a lake the writer fills: the exactly-once invariants and per-engine digests. */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import type { SparkSession } from '@healthstream/testkit/lake'
import { type Row, readTable } from '@healthstream/testkit/lake'
import { TableNames } from '../../src/committing/tables.ts'
import type { LakeTarget } from './stack.ts'

/** What the tables must hold, built up as the test sends. */
export interface Invariants {
  /** Sample ids sent to health-data-validated. */
  readonly samples: Set<string>
  /** `table|user|window_start` → the newest revision sent. */
  readonly windows: Map<string, number>
  /** Dead letters: error records sent plus poison records. */
  deadLetters: number
}

/** Rows another tool appended (copies marked `foreign-<i>`) are theirs, not the pipeline's. */
const ours = (id: unknown): boolean => typeof id === 'string' && !id.startsWith('foreign-')

const AGG_TABLES = [TableNames.daily, TableNames.weekly, TableNames.monthly]

function counted(ids: readonly unknown[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const id of ids) out.set(String(id), (out.get(String(id)) ?? 0) + 1)
  return out
}

/** Asserts, through pyiceberg, that every table holds exactly what was sent, once. */
export async function lakeInvariants(target: LakeTarget, expected: Invariants): Promise<void> {
  const read = (table: string, columns: string[]) => readTable({ ...target.ref(table), columns })
  const samples = (await read(TableNames.raw, ['sample_id'])).map((r) => r.sample_id).filter(ours)
  const twice = [...counted(samples)].filter(([, n]) => n > 1)
  assert.deepEqual(twice.slice(0, 5), [], `${twice.length} samples in ${TableNames.raw} more than once`)
  assert.equal(samples.length, expected.samples.size, 'every sample sent is in the table')
  assert.ok(
    samples.every((id) => expected.samples.has(id as string)),
    'no sample that was not sent',
  )

  const windows = new Map<string, number>()
  for (const table of AGG_TABLES) {
    for (const r of await read(table, ['user_id', 'window_start', 'revision'])) {
      if (!ours(r.user_id)) continue
      const key = `${table}|${r.user_id}|${r.window_start}`
      assert.equal(windows.has(key), false, `window ${key} has more than one row`)
      windows.set(key, Number(r.revision))
    }
  }
  assert.deepEqual(new Map([...windows].sort()), new Map([...expected.windows].sort()))

  const errors = (await read(TableNames.errors, ['error_id'])).map((r) => r.error_id).filter(ours)
  const repeated = [...counted(errors)].filter(([, n]) => n > 1)
  assert.deepEqual(repeated.slice(0, 5), [], `${repeated.length} dead letters more than once`)
  assert.equal(errors.length, expected.deadLetters, 'one row per dead letter')
}

/** The columns compared across engines: keys, lineage, and values of each type the tables use. */
const COMPARED: Readonly<Record<string, readonly string[]>> = {
  [TableNames.raw]: ['sample_id', 'user_id', 'value', 'start_time', 'kafka_partition', 'kafka_offset'],
  [TableNames.errors]: ['error_id', 'stage', 'reason_code', 'source_offset', 'error_time', 'kafka_offset'],
  ...Object.fromEntries(
    AGG_TABLES.map((t) => [
      t,
      ['user_id', 'window_start', 'revision', 'count', 'sum', 'is_final', 'kafka_offset'],
    ]),
  ),
}

/** Rows, order-free: their count and a SHA-256 over their sorted JSON lines. */
export interface Digest {
  readonly count: number
  readonly sha256: string
}

function digest(rows: readonly Row[], columns: readonly string[]): Digest {
  const lines = rows.map((r) => JSON.stringify(columns.map((c) => normalized(r[c])))).sort()
  return { count: rows.length, sha256: createHash('sha256').update(lines.join('\n')).digest('hex') }
}

/** Longs come as numbers or (beyond 2^53) strings, doubles as numbers: one form for all engines. */
function normalized(v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return String(v)
  return v
}

/** Per table, per engine (Spark, pyiceberg, and DuckDB where it reads the catalog): the digest of its rows. */
export async function engineDigests(
  target: LakeTarget,
  spark: SparkSession,
  tables: readonly string[],
): Promise<Map<string, Map<string, Digest>>> {
  const out = new Map<string, Map<string, Digest>>()
  for (const table of tables) {
    const columns = COMPARED[table]!
    const byEngine = new Map<string, Digest>()
    for (const engine of target.engines)
      byEngine.set(
        engine,
        digest(await readTable({ ...target.ref(table), engine, columns: [...columns] }), columns),
      )
    const rows = await spark.sql(`SELECT ${columns.join(', ')} FROM ${spark.table(target.ref(table))}`)
    byEngine.set('spark', digest(rows, columns))
    out.set(table, byEngine)
  }
  return out
}
