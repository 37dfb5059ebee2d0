/**
 * The end-to-end benchmark's arithmetic, pure: rates from the per-second samples, each hop's active
 * window, CPU and memory per process, and latencies from "when was this offset committed" (a consumer
 * group's offsets sampled over time, or the offsets recorded in each lake snapshot).
 */
import { type Percentiles, percentiles } from './stats.ts'

/** One reading of the running pipeline, taken every second by the monitor. */
export interface Tick {
  /** Epoch ms. */
  readonly at: number
  /** Progress per service: samples it has moved (committed), from its /metrics. */
  readonly progress: Readonly<Record<string, number>>
  /** Consumer lag per `service ← topic`, in records. */
  readonly lag: Readonly<Record<string, number>>
  /** Cores each watched process used since the previous tick. */
  readonly cpu: Readonly<Record<string, number>>
  /** Resident set of each watched process, MiB. */
  readonly rssMiB: Readonly<Record<string, number>>
  /** Committed offsets per partition, by `group topic`, for latencies measured at the commit. */
  readonly committed: Readonly<Record<string, readonly number[]>>
  /** Cores the whole machine was busy since the previous tick. */
  readonly machine: number
}

/** A commit that made input records done: everything below `offsets[partition]` is in. */
export interface Commit {
  readonly at: number
  readonly offsets: ReadonlyMap<number, number>
}

/** Input records of one partition, in offset order: their offsets and the times they count from. */
export interface PartitionRecords {
  readonly partition: number
  readonly offsets: readonly number[]
  readonly times: readonly number[]
}

/**
 * For each record: the time of the first commit (in time order) whose offset for its partition is
 * past it, minus the record's time. Records no commit covers are left out (and counted).
 */
export function commitLatencies(
  records: readonly PartitionRecords[],
  commits: readonly Commit[],
): { latencies: number[]; uncovered: number } {
  const ordered = [...commits].sort((a, b) => a.at - b.at)
  const latencies: number[] = []
  let uncovered = 0
  for (const r of records) {
    // Per partition the covered offset only grows with time: walk both in order
    let best = -1
    const steps: { at: number; offset: number }[] = []
    for (const c of ordered) {
      const offset = c.offsets.get(r.partition)
      if (offset !== undefined && offset > best) {
        best = offset
        steps.push({ at: c.at, offset })
      }
    }
    let s = 0
    for (let i = 0; i < r.offsets.length; i++) {
      while (s < steps.length && steps[s]!.offset <= r.offsets[i]!) s++
      if (s === steps.length) uncovered++
      else latencies.push(steps[s]!.at - r.times[i]!)
    }
  }
  return { latencies, uncovered }
}

/** A service's throughput while it had work. */
export interface HopRate {
  readonly samples: number
  readonly seconds: number
  readonly perSecond: number
  /** Best one-second rate seen. */
  readonly peakPerSecond: number
  /** Its rate over the intervals that began and ended with a backlog waiting: what it can do. */
  readonly backloggedPerSecond: number
  readonly backloggedSeconds: number
  /** Largest backlog in front of it, in samples, and what it holds in flight anyway (busy above it). */
  readonly peakBacklog: number
  readonly busyBacklog: number
  readonly startAt: number
  readonly endAt: number
}

/** A lag line in front of a service, and how many samples one of its records holds. */
export interface HopInput {
  readonly label: string
  readonly samplesPerRecord: number
}

/**
 * Backlog a hop needs to count as busy: more than it holds in flight anyway (two transactions of the
 * services' default 5 000 records: one committing, one read ahead).
 */
export const BUSY_BACKLOG = 10_000

/**
 * The clock starts at the tick before the service first had work (lag on one of its `inputs`, or
 * progress): a service that commits every few seconds is not credited with the wait before its first
 * commit. It stops at the first tick that shows its final progress. Downstream hops can only go as
 * fast as their input arrives, so the rate while backlogged says more about what a hop can do.
 */
export function hopRate(
  ticks: readonly Tick[],
  service: string,
  inputs: readonly HopInput[] = [],
  busyBacklog = BUSY_BACKLOG,
): HopRate {
  const value = (t: Tick) => t.progress[service] ?? 0
  const backlog = (t: Tick) => inputs.reduce((a, i) => a + (t.lag[i.label] ?? 0) * i.samplesPerRecord, 0)
  const final = ticks.length > 0 ? value(ticks.at(-1)!) : 0
  const firstMove = ticks.findIndex((t) => value(t) > 0 || backlog(t) > 0)
  const startAt = firstMove <= 0 ? (ticks[0]?.at ?? 0) : ticks[firstMove - 1]!.at
  const endAt = ticks.find((t) => value(t) >= final)?.at ?? startAt
  const seconds = (endAt - startAt) / 1000
  let peak = 0
  let busy = { samples: 0, seconds: 0 }
  for (let i = 1; i < ticks.length; i++) {
    const [a, b] = [ticks[i - 1]!, ticks[i]!]
    const dt = (b.at - a.at) / 1000
    if (dt >= 0.5) peak = Math.max(peak, (value(b) - value(a)) / dt)
    if (backlog(a) >= busyBacklog && backlog(b) >= busyBacklog)
      busy = { samples: busy.samples + value(b) - value(a), seconds: busy.seconds + dt }
  }
  return {
    samples: final,
    seconds: round1(seconds),
    perSecond: seconds > 0 ? Math.round(final / seconds) : 0,
    peakPerSecond: Math.round(peak),
    backloggedPerSecond: busy.seconds > 0 ? Math.round(busy.samples / busy.seconds) : 0,
    backloggedSeconds: round1(busy.seconds),
    peakBacklog: Math.round(Math.max(0, ...ticks.map(backlog))),
    busyBacklog,
    startAt,
    endAt,
  }
}

/** Per-second rate of a service's progress, as chart points `[seconds since t0, samples/s]`. */
export function rateSeries(ticks: readonly Tick[], service: string, t0: number): [number, number][] {
  const out: [number, number][] = []
  let a = ticks[0]
  for (const b of ticks.slice(1)) {
    const dt = (b.at - a!.at) / 1000
    if (dt < 0.5) continue // ticks bunched by a busy machine: measure over the next one with it
    const rate = ((b.progress[service] ?? 0) - (a!.progress[service] ?? 0)) / dt
    out.push([round1((b.at - t0) / 1000), Math.max(0, Math.round(rate))])
    a = b
  }
  return out
}

/** `[seconds since t0, lag]` of one lag label; ticks without it are skipped. */
export function lagSeries(ticks: readonly Tick[], label: string, t0: number): [number, number][] {
  return ticks
    .filter((t) => t.lag[label] !== undefined)
    .map((t) => [round1((t.at - t0) / 1000), t.lag[label]!] as [number, number])
}

/** Mean and peak CPU (cores) and resident set (MiB) of one process over ticks in [from, to]. */
export interface ProcessUse {
  readonly cpuMean: number
  readonly cpuPeak: number
  readonly rssMeanMiB: number
  readonly rssPeakMiB: number
}

export function processUse(ticks: readonly Tick[], name: string, from: number, to: number): ProcessUse {
  const inside = ticks.filter((t) => t.at > from && t.at <= to)
  const cpu = inside.map((t) => t.cpu[name]).filter((v): v is number => v !== undefined)
  const rss = inside.map((t) => t.rssMiB[name]).filter((v): v is number => v !== undefined)
  const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0)
  return {
    cpuMean: round2(mean(cpu)),
    cpuPeak: round2(Math.max(0, ...cpu)),
    rssMeanMiB: Math.round(mean(rss)),
    rssPeakMiB: Math.round(Math.max(0, ...rss)),
  }
}

/**
 * Mean busy cores of the machine over ticks in [from, to], and the part of it no watched process
 * explains: other load on a shared machine, which the figures then suffer from.
 */
export function machineMean(
  ticks: readonly Tick[],
  from: number,
  to: number,
): { busy: number; other: number } {
  const inside = ticks.filter((t) => t.at > from && t.at <= to)
  if (inside.length === 0) return { busy: 0, other: 0 }
  const mean = (f: (t: Tick) => number) => round2(inside.reduce((a, t) => a + f(t), 0) / inside.length)
  const watched = (t: Tick) => Object.values(t.cpu).reduce((a, b) => a + b, 0)
  return { busy: mean((t) => t.machine), other: mean((t) => Math.max(0, t.machine - watched(t))) }
}

/**
 * CPU time each process spent per sample over the whole run, in µs (cores × seconds between ticks,
 * summed): less sensitive to a shared machine than rates, and their sum says how many samples per
 * second the machine's cores could carry at most.
 */
export function cpuPerSample(ticks: readonly Tick[], samples: number): Record<string, number> {
  const seconds: Record<string, number> = {}
  for (let i = 1; i < ticks.length; i++) {
    const dt = (ticks[i]!.at - ticks[i - 1]!.at) / 1000
    for (const [name, cores] of Object.entries(ticks[i]!.cpu))
      seconds[name] = (seconds[name] ?? 0) + cores * dt
  }
  return Object.fromEntries(
    Object.entries(seconds).map(([name, s]) => [name, round1((s / Math.max(1, samples)) * 1e6)]),
  )
}

/** Latency percentiles, or undefined without any measurement. */
export function latencyOf(values: readonly number[]): Percentiles | undefined {
  return values.length === 0 ? undefined : percentiles(values)
}

/**
 * The hop that bounds the chain, `rates` in chain order. Fed faster than it can go, a chain builds a
 * queue in front of each hop that is slower than everything before it, and none behind the slowest
 * one (it feeds them slower than they can go): so the limit is the last hop whose backlog grew beyond
 * twice what it holds in flight and beyond `share` of the run's samples. Undefined when no queue grew:
 * the chain kept up with what was offered.
 */
export function slowest(
  rates: Readonly<Record<string, HopRate>>,
  samples: number,
  share = 0.05,
): string | undefined {
  const queued = Object.entries(rates).filter(
    ([, r]) => r.peakBacklog >= Math.max(2 * r.busyBacklog, share * samples),
  )
  return queued.at(-1)?.[0]
}

/** What a service's preloaded trace (trace-hop.ts) counted: client-side Redis commands, by command. */
export function redisCommandsOf(ops: Readonly<Record<string, { count: number }>>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [name, op] of Object.entries(ops))
    if (name.startsWith('redis ')) out[name.slice('redis '.length)] = op.count
  return out
}

export const round1 = (n: number): number => Math.round(n * 10) / 10
export const round2 = (n: number): number => Math.round(n * 100) / 100
