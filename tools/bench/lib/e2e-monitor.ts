/**
 * Watches a running pipeline once a second for the end-to-end benchmark: each service's committed
 * progress (its /metrics), consumer lag per input topic and the groups' committed offsets (the
 * broker), CPU and resident memory of every watched process (/proc). Readings are kept as `Tick`s.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { ServiceProcess } from '@healthstream/testkit/stack'
import { CpuMeter, type CpuSnapshot } from './cpu.ts'
import type { Tick } from './e2e-analysis.ts'
import { memoryMiB } from './memory.ts'
import { type HopCounters, scrape } from './throughput.ts'
import type { TopicReader } from './topic-scan.ts'

/** What one service's progress is, in samples, from its counters. */
export type Progress = (c: HopCounters) => number

/** A service the monitor scrapes, and the input topics whose lag it owns. */
export interface Watched {
  readonly service: ServiceProcess
  readonly group: string
  readonly inputs: readonly string[]
  readonly progress: Progress
}

/** `lake-writer ← validated`: the label of one lag line (topic without the run's prefix and `health-data-`). */
export const lagLabel = (service: string, topic: string, prefix: string): string =>
  `${service} ← ${(topic.startsWith(prefix) ? topic.slice(prefix.length) : topic).replace(/^health-data-/, '')}`

export class Monitor {
  readonly ticks: Tick[] = []
  readonly #meter: CpuMeter
  readonly #pids: Map<string, number | undefined>
  readonly #watched: readonly Watched[]
  readonly #reader: TopicReader
  readonly #prefix: string
  readonly #intervalMs: number
  #running = true
  #loop: Promise<void> | undefined
  /** The last counters read from each service (kept when a scrape fails). */
  readonly counters = new Map<string, HopCounters>()

  constructor(o: {
    meter: CpuMeter
    pids: Map<string, number | undefined>
    watched: readonly Watched[]
    reader: TopicReader
    prefix: string
    intervalMs?: number
  }) {
    this.#meter = o.meter
    this.#pids = o.pids
    this.#watched = o.watched
    this.#reader = o.reader
    this.#prefix = o.prefix
    this.#intervalMs = o.intervalMs ?? 1000
  }

  start(): void {
    this.#loop = this.#run()
  }

  async stop(): Promise<void> {
    this.#running = false
    await this.#loop
  }

  /** The newest tick, or undefined before the first. */
  get last(): Tick | undefined {
    return this.ticks.at(-1)
  }

  async #run(): Promise<void> {
    let previous: CpuSnapshot = this.#meter.snapshot()
    let next = Date.now() + this.#intervalMs
    while (this.#running) {
      await sleep(Math.max(0, next - Date.now()))
      // A slow reading (a busy machine) shifts the schedule instead of bunching the next ticks
      next = Math.max(next + this.#intervalMs, Date.now() + this.#intervalMs / 2)
      const cpuNow = this.#meter.snapshot()
      const use = CpuMeter.between(previous, cpuNow)
      previous = cpuNow
      const at = Date.now()
      try {
        this.ticks.push({ at, ...(await this.#read()), cpu: use.cores, machine: use.machine })
      } catch (error) {
        process.stderr.write(`e2e bench: monitor reading failed: ${(error as Error).message}\n`)
      }
    }
  }

  async #read(): Promise<Omit<Tick, 'at' | 'cpu' | 'machine'>> {
    const progress: Record<string, number> = {}
    await Promise.all(
      this.#watched.map(async (w) => {
        const c = await scrape(w.service).catch(() => this.counters.get(w.service.name))
        if (c) this.counters.set(w.service.name, c)
        progress[w.service.name] = c ? w.progress(c) : 0
      }),
    )
    const pairs = this.#watched.flatMap((w) => w.inputs.map((topic) => ({ group: w.group, topic, w })))
    const [ends, committed] = await Promise.all([
      this.#reader.ends([...new Set(pairs.map((p) => p.topic))]),
      this.#reader.committed(pairs),
    ])
    const lag: Record<string, number> = {}
    for (const { group, topic, w } of pairs) {
      const end = ends.get(topic)
      if (end === undefined) continue
      const done = committed.get(`${group} ${topic}`) ?? []
      lag[lagLabel(w.service.name, topic, this.#prefix)] = end.reduce(
        (sum, e, p) => sum + Math.max(0, Number(e) - Math.max(0, done[p] ?? 0)),
        0,
      )
    }
    const rss: Record<string, number> = {}
    for (const [name, pid] of this.#pids) {
      const mib = memoryMiB(pid)?.now
      if (mib !== undefined) rss[name] = Math.round(mib)
    }
    return { progress, lag, rssMiB: rss, committed: Object.fromEntries(committed) }
  }
}
