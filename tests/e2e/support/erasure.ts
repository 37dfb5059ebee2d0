/** What the erasure test does and reads beside the chain: the CLI, Redis keys, the catalog, Spark. */
import assert from 'node:assert/strict'
import { DatabaseSync } from 'node:sqlite'
import { TableNames } from '@healthstream/lake-writer/tables'
import { type ErasureReport, main as ops } from '@healthstream/ops'
import { type Row, startSpark, type TableRef } from '@healthstream/testkit/lake'
import { TEST_ADMIN_TOKEN } from '@healthstream/testkit/stack'
import type { Redis } from 'ioredis'

/** All five tables hold people's data. */
export const ERASABLE_TABLES = Object.values(TableNames)

/** A row as compared before and after: identity and statistics, not revision, offsets or firing. */
export function stable(table: string, r: Row): string {
  if (table === 'health_data_raw') return `${r.user_id}/${r.sample_id}`
  if (table === 'health_data_errors') return `${r.error_id}`
  return [r.user_id, r.data_type, r.window_start, r.zone, r.count, r.sum, r.min, r.max].join('|')
}

/** `npm run ops -- erase --json` against the three services; its exit code and report. */
export async function runErase(
  users: readonly string[],
  ports: { readonly writer: number; readonly aggregator: number; readonly validator: number },
): Promise<{ code: number; report: ErasureReport }> {
  const lines: string[] = []
  const log = console.log
  console.log = (line: string) => lines.push(line)
  try {
    const args = users.flatMap((u) => ['--user', u])
    const urls = [
      ...['--lake-writer', `http://127.0.0.1:${ports.writer}`],
      ...['--aggregator', `http://127.0.0.1:${ports.aggregator}`],
      ...['--validator', `http://127.0.0.1:${ports.validator}`],
    ]
    const code = await ops(['erase', ...args, ...urls, '--by', 'erase-test', '--json'], {
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    })
    return { code, report: JSON.parse(lines.join('\n')) as ErasureReport }
  } finally {
    console.log = log
  }
}

/** One service's counts in the report. */
export function countsOf(report: ErasureReport, service: string): Record<string, number> {
  const answer = report.steps.find((s) => s.service === service)?.answer
  assert.ok(answer, `${service} answered: ${JSON.stringify(report)}`)
  return answer.counts
}

/** Redis keys under `prefix` naming one of `users` (aggregator windows and index, validator marks). */
export async function redisKeysOf(redis: Redis, prefix: string, users: readonly string[]): Promise<string[]> {
  const keys = await redis.keys(`${prefix}:*`)
  return keys.filter((k) => users.some((u) => k.includes(u)))
}

/** Each table's current metadata file, as the SQL catalog (SQLite) records it. */
export function catalogPointers(catalogPath: string): Map<string, string> {
  const db = new DatabaseSync(catalogPath, { readOnly: true })
  try {
    const rows = db.prepare('SELECT table_name, metadata_location FROM iceberg_tables').all()
    return new Map(rows.map((r) => [String(r.table_name), String(r.metadata_location)]))
  } catch {
    return new Map() // busy while the writer commits: the next poll reads it
  } finally {
    db.close()
  }
}

/** Spark (when the stack has it) reads no row of `users` in any table. */
export async function sparkSeesNone(
  ref: (table: string) => TableRef,
  users: readonly string[],
  t: { diagnostic: (m: string) => void },
): Promise<void> {
  let spark: Awaited<ReturnType<typeof startSpark>>
  try {
    spark = await startSpark()
  } catch (error) {
    t.diagnostic(`Spark not checked: ${(error as Error).message.split('\n')[0]}`)
    return
  }
  try {
    for (const table of ERASABLE_TABLES) {
      const r = ref(table)
      const session = await spark.open(r)
      const list = users.map((u) => `'${u}'`).join(', ')
      const rows = await session.sql(
        `SELECT count(*) AS n FROM ${r.namespace}.${r.table} WHERE user_id IN (${list})`,
      )
      assert.equal(Number(rows[0]!.n), 0, `Spark ${table}: no row of ${users.join(', ')}`)
    }
    t.diagnostic(`Spark reads no row of ${users.join(', ')} in the ${ERASABLE_TABLES.length} tables`)
  } finally {
    await spark.close()
  }
}
