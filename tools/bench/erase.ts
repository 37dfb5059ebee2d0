/**
 * Erasure and upserts: position delete files (merge-on-read) against rewriting data files
 * (copy-on-write), on one table of realistic size. `npm run bench -- erase [--help]`, no stack needed.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Table } from '@healthstream/iceberg'
import {
  buildTable,
  eraseByRewrite,
  type TableShape,
  upsertBatch,
  upsertByDeletes,
  upsertByRewrite,
} from './lib/erase-table.ts'
import { n, table as textTable } from './lib/stats.ts'

const USAGE = `usage: npm run bench -- erase [flags]
  --rows N            rows in the table (default 2000000)
  --users N           distinct users (default 2000)
  --days N            day partitions (default 30)
  --files-per-day N   data files per day (default 10)
  --upsert-rows N     rows one upsert replaces (default 2000, in the newest 2 days)
  --rounds N          times each operation is measured, on different users / batches (default 3)
  --keep              keep the table directory`

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now()
  const out = await fn()
  return [out, performance.now() - start]
}

const ms = (v: number): string => `${n(v)} ms`
const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

async function liveFiles(t: Table): Promise<string> {
  const tasks = await t.scanTasks()
  return `${tasks.length} data, ${tasks.reduce((k, x) => k + x.deletes.length, 0)} delete`
}

type Result = string[]

async function measureErase(t: Table, rounds: number): Promise<Result[]> {
  const out: Result[] = []
  for (const [name, erase] of [
    [
      'erase 1 user: position deletes',
      async (user: string) => {
        const r = await t.deleteRows({ column: 'user_id', in: [user] })
        return { rows: r.deletedRows, files: r.filesTouched }
      },
    ],
    ['erase 1 user: rewrite files', (user: string) => eraseByRewrite(t, user)],
  ] as const) {
    const times: number[] = []
    let last = { rows: 0, files: 0 }
    for (let i = 0; i < rounds; i++) {
      const [r, took] = await timed(() => erase(`u${out.length * 100 + i}`))
      times.push(took)
      last = r
    }
    out.push([name, ms(median(times)), times.map(ms).join(' / '), n(last.rows), n(last.files)])
    console.log(`after ${name}: ${await liveFiles(t)} files`)
  }
  const [rows, readMs] = await timed(() => t.readRows())
  console.log(`full read, deletes applied: ${n(rows.length)} rows in ${ms(readMs)}`)
  return out
}

/** Each upsert strategy on a table of its own, so one's rewrites do not reshape the other's files. */
async function measureUpserts(
  dir: string,
  shape: TableShape,
  rounds: number,
  count: number,
): Promise<Result[]> {
  const out: Result[] = []
  for (const [name, upsert] of [
    ['upsert: rewrite files', upsertByRewrite],
    ['upsert: position deletes + append', upsertByDeletes],
  ] as const) {
    const sub = join(dir, name.replace(/\W+/g, '-'))
    mkdirSync(sub)
    const t = await buildTable(sub, shape)
    const times: number[] = []
    let files = 0
    for (let i = 0; i < rounds; i++) {
      const batch = await upsertBatch(t, 2, count)
      const [r, took] = await timed(() => upsert(t, batch))
      times.push(took)
      files = r.files
    }
    out.push([name, ms(median(times)), times.map(ms).join(' / '), n(count), n(files)])
    const [read, readMs] = await timed(() => t.readRows())
    console.log(`${name}: ${await liveFiles(t)} files; full read ${n(read.length)} rows in ${ms(readMs)}`)
  }
  return out
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string', default: '2000000' },
      users: { type: 'string', default: '2000' },
      days: { type: 'string', default: '30' },
      'files-per-day': { type: 'string', default: '10' },
      'upsert-rows': { type: 'string', default: '2000' },
      rounds: { type: 'string', default: '3' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) return console.log(USAGE)
  const shape: TableShape = {
    rows: Number(values.rows),
    users: Number(values.users),
    days: Number(values.days),
    filesPerDay: Number(values['files-per-day']),
  }
  const rounds = Number(values.rounds)
  const dir = mkdtempSync(join(tmpdir(), 'bench-erase-'))
  try {
    const [t, buildMs] = await timed(() => buildTable(dir, shape))
    console.log(`table: ${n(shape.rows)} rows, ${await liveFiles(t)} files, built in ${ms(buildMs)}`)
    const results = [
      ['operation', 'median', 'runs', 'rows', 'files touched'],
      ...(await measureErase(t, rounds)),
      ...(await measureUpserts(dir, shape, rounds, Number(values['upsert-rows']))),
    ]
    console.log(`\n${textTable(results)}`)
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true })
    else console.log(`kept ${dir}`)
  }
}
