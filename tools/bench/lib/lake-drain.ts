/** Timing the lake-writer through a preloaded backlog, what it left in health_data_raw, and what its commits took. */
import { fileURLToPath } from 'node:url'
import { Table } from '@healthstream/iceberg'
import { openLake } from '@healthstream/lake-writer/lake'
import { TableNames } from '@healthstream/lake-writer/tables'
import { drained, type LakeTarget } from '@healthstream/lake-writer/testing'
import type { ServiceProcess } from '@healthstream/testkit/stack'
import { CpuMeter, type CpuUse } from './cpu.ts'
import { memoryMiB } from './memory.ts'
import { stackPid } from './stack.ts'

/** Data files of the raw table: locations and sizes. */
export async function rawFiles(target: LakeTarget): Promise<{ path: string; size: number }[]> {
  const lake = openLake(target.settings)
  try {
    const t = await Table.load(lake.catalog, lake.store, { namespace: lake.namespace, name: TableNames.raw })
    return (await t.dataFiles()).map((f) => ({ path: fileURLToPath(f.filePath), size: f.fileSizeInBytes }))
  } finally {
    lake.close()
  }
}

/** Rows in health_data_raw's current snapshot. */
async function rowsHeld(target: LakeTarget): Promise<number> {
  const lake = openLake(target.settings)
  try {
    const t = await Table.load(lake.catalog, lake.store, { namespace: lake.namespace, name: TableNames.raw })
    return Number(t.currentSnapshot?.summary['total-records'] ?? 0)
  } finally {
    await lake.close()
  }
}

/**
 * Starts the writers and times them from the first partition assignment (the backlog is already
 * there) until every commit by size landed (`until` size: each writer may still hold less than
 * COMMIT_MAX_ROWS) or the table records the topic's end offsets (`until` offsets); returns the rows the
 * table holds then, the writers' peak RSS on the way, summed, and the CPU the writers (`lake-writer`,
 * all threads, summed) and the broker (`kafka`) used meanwhile.
 */
export async function timeToDrain(
  writers: readonly ServiceProcess[],
  target: LakeTarget,
  topic: string,
  o: { timeoutMs: number; until: 'size' | 'offsets'; samples: number; commitMaxRows: string },
): Promise<{ seconds: number; peakMiB: number; rows: number; cpu: CpuUse }> {
  const { timeoutMs } = o
  let rows = o.samples
  const done = async () => {
    if (o.until === 'offsets') return drained(target, TableNames.raw, topic)
    rows = await rowsHeld(target)
    return rows > o.samples - writers.length * Number(o.commitMaxRows)
  }
  await Promise.all(writers.map((w) => w.start()))
  const assigned = () => writers.some((w) => w.lines.some((l) => l.includes('"msg":"partitions assigned"')))
  while (!assigned()) await new Promise((r) => setTimeout(r, 20))
  const meter = new CpuMeter()
  for (const [i, w] of writers.entries()) meter.watch(`lake-writer-${i}`, w.pid)
  meter.watch('kafka', stackPid('kafka'))
  const before = meter.snapshot()
  const t0 = performance.now()
  const deadline = Date.now() + timeoutMs
  const peaks = writers.map(() => 0)
  const sample = () => {
    for (const [i, w] of writers.entries()) peaks[i] = Math.max(peaks[i]!, memoryMiB(w.pid)?.peak ?? 0)
  }
  while (!(await done().catch(() => false))) {
    sample()
    if (Date.now() > deadline) throw new Error(`the lake-writer did not finish within ${timeoutMs / 1000} s`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const seconds = (performance.now() - t0) / 1000
  const cpu = CpuMeter.between(before, meter.snapshot())
  sample()
  return { seconds, rows, peakMiB: peaks.reduce((a, b) => a + b, 0), cpu: writersSummed(cpu) }
}

/** What the lake-writer's commits of health_data_raw took within a timed run. */
export interface CommitStats {
  count: number
  rows: number
  ms: number
  maxMs: number
}

/** The lake-writer's 'committed' log lines (debug) of health_data_raw within the timed `rows`, summed. */
export function commitStats(lines: readonly string[], rows: number): CommitStats {
  const out = { count: 0, rows: 0, ms: 0, maxMs: 0 }
  for (const line of lines) {
    if (!line.includes('"msg":"committed"') || out.rows >= rows) continue
    const c = JSON.parse(line) as { table: string; rows: number; durationMs: number }
    if (c.table !== TableNames.raw) continue
    out.count++
    out.rows += c.rows
    out.ms += c.durationMs
    out.maxMs = Math.max(out.maxMs, c.durationMs)
  }
  return out
}

/** The writers' cores as one `lake-writer` entry (several instances share the work). */
function writersSummed(cpu: CpuUse): CpuUse {
  const cores: Record<string, number> = {}
  for (const [name, c] of Object.entries(cpu.cores)) {
    const key = name.startsWith('lake-writer-') ? 'lake-writer' : name
    cores[key] = (cores[key] ?? 0) + c
  }
  return { ...cpu, cores }
}
