import { setTimeout as sleep } from 'node:timers/promises'
import type { ServiceProcess } from '@healthstream/testkit/stack'
import { CpuMeter, type CpuSnapshot, type CpuUse, round2 } from './cpu.ts'

/** The counters of a hop's /metrics this benchmark reads (counted when a transaction commits). */
export interface HopCounters {
  readonly recordsIn: number
  readonly recordsOut: Record<string, number>
  readonly committed: number
  readonly aborted: number
  /** Sum and count of healthstream_transaction_seconds. */
  readonly txSeconds: number
}

const LINE = /^(\w+)(?:\{([^}]*)\})?\s+(\S+)$/

export async function scrape(service: ServiceProcess): Promise<HopCounters> {
  const text = await (await service.fetch('/metrics')).text()
  const c = { recordsIn: 0, recordsOut: {} as Record<string, number>, committed: 0, aborted: 0, txSeconds: 0 }
  for (const line of text.split('\n')) {
    const m = LINE.exec(line)
    if (!m) continue
    const [, name, labels = '', raw] = m
    const value = Number(raw)
    const label = (key: string) => new RegExp(`${key}="([^"]*)"`).exec(labels)?.[1] ?? ''
    if (name === 'healthstream_records_in_total') c.recordsIn += value
    else if (name === 'healthstream_records_out_total') c.recordsOut[label('topic')] = value
    else if (name === 'healthstream_transactions_total' && label('outcome') === 'committed')
      c.committed = value
    else if (name === 'healthstream_transactions_total' && label('outcome') === 'aborted') c.aborted = value
    else if (name === 'healthstream_transaction_seconds_sum') c.txSeconds = value
  }
  return c
}

export const outTotal = (c: HopCounters): number => Object.values(c.recordsOut).reduce((a, b) => a + b, 0)

/** Sustained throughput of one hop working off a preloaded backlog. */
export interface ThroughputResult {
  readonly hop: string
  /** Samples the hop had to move and moved (committed). */
  readonly expected: number
  readonly moved: number
  readonly timedOut: boolean
  /** From partition assignment to the last commit; and between the first and the last commit. */
  readonly seconds: number
  readonly samplesPerSecond: number
  readonly steadySamplesPerSecond: number
  readonly inputRecords: number
  readonly outputs: Record<string, number>
  readonly transactions: number
  readonly aborted: number
  readonly meanTxSamples: number
  readonly meanTxMs: number
  /** CPU in cores from the start to the last commit. */
  readonly cpu: CpuUse
}

interface Point {
  readonly at: number
  readonly progress: number
  readonly cpu: CpuSnapshot
}

/**
 * Polls the running hop's /metrics until `progress` (samples moved, from the committed counters)
 * reaches `expected` or the time is up; CPU of the watched processes is read at every poll.
 */
export async function measureThroughput(
  hop: string,
  services: readonly ServiceProcess[],
  meter: CpuMeter,
  expected: number,
  progress: (c: HopCounters) => number,
  timeoutMs: number,
): Promise<ThroughputResult> {
  const points: Point[] = []
  const deadline = Date.now() + timeoutMs
  let counters = await scrapeAll(services)
  let lastReport = Date.now()
  for (;;) {
    counters = await scrapeAll(services)
    const point = { at: Date.now(), progress: progress(counters), cpu: meter.snapshot() }
    points.push(point)
    if (point.progress >= expected || Date.now() > deadline || !services.every((s) => s.running)) break
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now()
      process.stderr.write(
        `  ${hop}: ${point.progress.toLocaleString('en')} / ${expected.toLocaleString('en')}\n`,
      )
    }
    await sleep(200)
  }
  const moved = points.at(-1)!.progress
  // The clock starts when the hop got its partitions (its log line), not at the first commit: one
  // transaction may hold a large part of the backlog.
  const assigned = services.map(assignedAt).filter((t) => t > 0)
  const start = assigned.length > 0 ? Math.min(...assigned) : points[0]!.at
  const end = points.find((p) => p.progress >= moved)!
  const first = points.find((p) => p.progress > 0) ?? end
  const commits = new Set(points.map((p) => p.progress)).size - 1
  const seconds = (end.at - start) / 1000
  // Between the first and the last commit seen: without start-up and the first batch (needs 3 commits)
  const steady =
    commits >= 3 && end.at > first.at ? ((moved - first.progress) / (end.at - first.at)) * 1000 : 0
  return {
    hop,
    expected,
    moved,
    timedOut: moved < expected,
    seconds: round2(seconds),
    samplesPerSecond: Math.round(seconds > 0 ? moved / seconds : 0),
    steadySamplesPerSecond: Math.round(steady),
    inputRecords: counters.recordsIn,
    outputs: counters.recordsOut,
    transactions: counters.committed,
    aborted: counters.aborted,
    meanTxSamples: Math.round(moved / Math.max(1, counters.committed)),
    meanTxMs: Math.round((counters.txSeconds / Math.max(1, counters.committed)) * 1000),
    cpu: CpuMeter.between(points[0]!.cpu, end.cpu),
  }
}

/** When the service first logged a partition assignment (pino ISO time), in epoch ms; 0 if never. */
function assignedAt(service: ServiceProcess): number {
  const line = service.lines.find((l) => l.includes('"msg":"partitions assigned"'))
  const time = line === undefined ? undefined : (JSON.parse(line) as { time?: string }).time
  return time === undefined ? 0 : Date.parse(time)
}

/** The counters of several instances of one hop, added up. */
async function scrapeAll(services: readonly ServiceProcess[]): Promise<HopCounters> {
  const all = await Promise.all(services.map(scrape))
  const recordsOut: Record<string, number> = {}
  for (const c of all)
    for (const [topic, v] of Object.entries(c.recordsOut)) recordsOut[topic] = (recordsOut[topic] ?? 0) + v
  const sum = (f: (c: HopCounters) => number) => all.reduce((a, c) => a + f(c), 0)
  return {
    recordsIn: sum((c) => c.recordsIn),
    recordsOut,
    committed: sum((c) => c.committed),
    aborted: sum((c) => c.aborted),
    txSeconds: sum((c) => c.txSeconds),
  }
}
