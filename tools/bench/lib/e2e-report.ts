/**
 * The end-to-end benchmark's result (what goes to the JSON file) and its one printed table, pure.
 */
import type { HopRate, ProcessUse } from './e2e-analysis.ts'
import type { BrokerCeiling } from './kafka-perf.ts'
import type { RedisCommandUse } from './stack.ts'
import { n, type Percentiles, table } from './stats.ts'

/** Share of the broker's single-hop ceiling the chain should reach end to end (issue #6). */
export const GOAL_RATIO = 0.25

export interface HopResult {
  readonly rate: HopRate
  readonly latency: Percentiles | undefined
  /** The latency of inputs that came after the warm-up (`E2EResult.warmupSeconds`). */
  readonly steadyLatency?: Percentiles | undefined
  /** How the latency was taken (it differs per hop; see e2e-latency.ts). */
  readonly latencyBasis: string
  readonly use: ProcessUse
  /** Share of the time its event loop was busy, in seconds in which it committed (trace-hop.ts). */
  readonly eventLoopBusy: number | undefined
}

export interface E2EResult {
  readonly startedAt: string
  readonly machine: { readonly cores: number; readonly node: string }
  readonly options: Readonly<Record<string, unknown>>
  readonly serviceEnv: Readonly<Record<string, string>>
  readonly simulator: {
    readonly samplesSent: number
    readonly batches: number
    readonly bytes: number
    readonly seconds: number
    readonly samplesPerSecond: number
  }
  readonly endToEnd: {
    readonly samples: number
    readonly firstInAt: string
    readonly lastCommitAt: string
    readonly seconds: number
    readonly samplesPerSecond: number
    readonly drained: boolean
  }
  readonly hops: Readonly<Record<string, HopResult>>
  /** Seconds from the simulator's start whose inputs `steadyLatency` leaves out. */
  readonly warmupSeconds?: number
  readonly freshness: Percentiles | undefined
  /** CPU and memory of the processes beside the services (broker, Redis, simulator, this bench). */
  readonly processes: Readonly<Record<string, ProcessUse>>
  /** Mean busy cores of the whole machine from the first sample in to the last commit. */
  readonly machineBusy: number
  /** The part of `machineBusy` no watched process used: other load on a shared machine. */
  readonly otherBusy: number
  /** CPU µs per sample of each watched process over the whole run (the broker tools' runs excluded). */
  readonly cpuPerSample: Readonly<Record<string, number>>
  /** Each service's counters at the end (its /metrics): records in, records out by topic. */
  readonly counters: Readonly<Record<string, unknown>>
  readonly redis: {
    /** Commands the services' Redis clients sent, per sample (counted in the clients). */
    readonly roundTripsPerSample: number
    readonly clientCommands: Readonly<Record<string, Readonly<Record<string, number>>>>
    /** INFO commandstats delta: every client of the server, and the commands scripts ran. */
    readonly serverCalls: number
    readonly serverCallsPerSample: number
    readonly serverCommands: RedisCommandUse
  }
  readonly broker: readonly BrokerCeiling[]
  readonly ceiling: Ceiling | undefined
  readonly ratio: number | undefined
  readonly bottleneck: string | undefined
  readonly recordBytes: { readonly raw: number; readonly sample: number; readonly validated: number }
  readonly snapshots: Readonly<Record<string, number>>
  /** Each service's RSS `seconds` after the chain drained, the services left running idle (`--settle`). */
  readonly settled?:
    | { readonly seconds: number; readonly rssMiB: Readonly<Record<string, number>> }
    | undefined
  readonly chart: string
}

/** The broker's single-hop ceiling in samples/s: what one hop could do if it were only Kafka I/O. */
export interface Ceiling {
  readonly samplesPerSecond: number
  readonly basis: string
}

/**
 * A hop both consumes and produces, so its ceiling is the slower of the two tools, at the size of a
 * sample record (the form samples take on three of the four topics). Undefined without a measurement.
 */
export function ceilingOf(broker: readonly BrokerCeiling[]): Ceiling | undefined {
  const sample = broker.find((b) => b.label === 'sample')
  if (!sample) return undefined
  const produce = sample.producer.recordsPerSecond
  const consume = sample.consumer.recordsPerSecond
  const slower = produce <= consume ? 'transactional produce' : 'read_committed consume'
  return {
    samplesPerSecond: Math.min(produce, consume),
    basis: `${slower} of ${sample.recordBytes} B records (the slower of ProducerPerformance and ConsumerPerformance)`,
  }
}

const ms = (p: Percentiles | undefined, key: 'p50' | 'p99') => (p ? n(p[key]) : '')
const cores = (u: ProcessUse) => `${u.cpuMean.toFixed(2)} / ${u.cpuPeak.toFixed(2)}`
const mib = (u: ProcessUse) => `${n(u.rssMeanMiB)} / ${n(u.rssPeakMiB)}`

/** The rows of the one table: end to end, each hop, freshness, other processes, the broker. */
export function reportRows(r: E2EResult): string[][] {
  const rows: string[][] = [
    ['measure', 'samples/s', 'backlogged/s', 'p50 ms', 'p99 ms', 'CPU mean/peak', 'RSS MiB mean/peak'],
  ]
  const e = r.endToEnd
  rows.push([
    `end to end: first sample in → last row committed (${e.seconds} s)`,
    n(e.samplesPerSecond),
    '',
    '',
    '',
    `box ${r.machineBusy.toFixed(2)}/${r.machine.cores}, other ${r.otherBusy.toFixed(2)}`,
    '',
  ])
  const sim = r.processes.simulator
  rows.push([
    'simulator → raw (idempotent, lz4)',
    n(r.simulator.samplesPerSecond),
    '',
    '',
    '',
    sim ? cores(sim) : '',
    sim ? mib(sim) : '',
  ])
  for (const [name, h] of Object.entries(r.hops)) {
    rows.push([
      `${name} (${h.latencyBasis})`,
      n(h.rate.perSecond),
      h.rate.backloggedSeconds > 0 ? n(h.rate.backloggedPerSecond) : '',
      ms(h.latency, 'p50'),
      ms(h.latency, 'p99'),
      cores(h.use),
      mib(h.use),
    ])
  }
  rows.push([
    'lake freshness: produced → in a committed health_data_raw snapshot',
    '',
    '',
    ms(r.freshness, 'p50'),
    ms(r.freshness, 'p99'),
    '',
    '',
  ])
  for (const [name, use] of Object.entries(r.processes)) {
    if (name === 'simulator') continue
    rows.push([name, '', '', '', '', cores(use), mib(use)])
  }
  for (const b of r.broker) {
    const perRecord = b.label === 'sample' ? 1 : r.simulator.samplesSent / Math.max(1, r.simulator.batches)
    rows.push([
      `broker ceiling: ProducerPerformance txn, ${b.recordBytes} B (${b.label})`,
      n(b.producer.recordsPerSecond * perRecord),
      '',
      n(b.producer.p50Ms),
      n(b.producer.p99Ms),
      `tool ${(b.producerCpu.cores.tool ?? 0).toFixed(2)}`,
      '',
    ])
    rows.push([
      `broker ceiling: ConsumerPerformance read_committed, ${b.recordBytes} B (${b.label})`,
      n(b.consumer.recordsPerSecond * perRecord),
      '',
      '',
      '',
      `tool ${(b.consumerCpu.cores.tool ?? 0).toFixed(2)}`,
      '',
    ])
  }
  return rows
}

/** The lines under the table: goal ratio, Redis round trips, the limiting hop. */
export function summaryLines(r: E2EResult): string[] {
  const lines: string[] = []
  if (r.ceiling && r.ratio !== undefined) {
    const verdict = r.ratio >= GOAL_RATIO ? 'goal reached' : 'goal not reached'
    lines.push(
      `end to end ${n(r.endToEnd.samplesPerSecond)} samples/s = ${(r.ratio * 100).toFixed(1)} % of the broker's ` +
        `single-hop ceiling ${n(r.ceiling.samplesPerSecond)}/s (${r.ceiling.basis}); goal ≥ ${GOAL_RATIO * 100} %: ${verdict}`,
    )
  }
  const sent = Object.entries(r.redis.clientCommands).map(
    ([service, c]) =>
      `${service} ${Object.entries(c)
        .map(([cmd, calls]) => `${cmd} ${n(calls)}`)
        .join(' ')}`,
  )
  const top = Object.entries(r.redis.serverCommands)
    .sort((a, b) => b[1].calls - a[1].calls)
    .slice(0, 4)
    .map(([c, u]) => `${c} ${n(u.calls)}`)
  lines.push(
    `Redis: ${r.redis.roundTripsPerSample.toFixed(4)} round trips per sample (commands the services sent: ${sent.join('; ')}); ` +
      `server side ${r.redis.serverCallsPerSample.toFixed(2)} commands per sample (INFO commandstats, script-run commands ` +
      `and other clients included: ${top.join(', ')})`,
  )
  if (r.bottleneck) {
    const h = r.hops[r.bottleneck]!
    const loop =
      h.eventLoopBusy === undefined ? '' : `, event loop ${Math.round(h.eventLoopBusy * 100)} % busy`
    const backlogs = Object.entries(r.hops)
      .map(([name, x]) => `${name} ${n(x.rate.peakBacklog)}`)
      .join(', ')
    lines.push(
      `limiting hop (the last with a queue in front of it): ${r.bottleneck}, ${n(h.rate.backloggedPerSecond)} samples/s while backlogged ` +
        `(${h.rate.backloggedSeconds} s; ${n(h.rate.perSecond)}/s over its ${h.rate.seconds} s) at ` +
        `${h.use.cpuMean.toFixed(2)} cores (peak ${h.use.cpuPeak.toFixed(2)}${loop}); the machine was busy ` +
        `${r.machineBusy.toFixed(2)} of ${r.machine.cores} cores on average; largest backlog in front of ` +
        `each hop, samples: ${backlogs}`,
    )
  }
  const steady = Object.entries(r.hops).filter(([, h]) => h.steadyLatency !== undefined)
  if (steady.length > 0)
    lines.push(
      `latency after the first ${r.warmupSeconds} s (the services warmed up), p50/p99 ms: ${steady
        .map(([name, h]) => `${name} ${ms(h.steadyLatency, 'p50')}/${ms(h.steadyLatency, 'p99')}`)
        .join(', ')}`,
    )
  const costs = Object.entries(r.cpuPerSample).sort((a, b) => b[1] - a[1])
  const total = costs.reduce((a, [, us]) => a + us, 0)
  if (total > 0)
    lines.push(
      `CPU per sample: ${costs.map(([name, us]) => `${name} ${us.toFixed(1)} µs`).join(', ')}; ` +
        `${total.toFixed(1)} µs in all: ${r.machine.cores} cores carry at most ${n((r.machine.cores * 1e6) / total)} samples/s`,
    )
  if (r.settled)
    lines.push(
      `RSS ${r.settled.seconds} s after the chain drained, idle: ${Object.entries(r.settled.rssMiB)
        .map(([name, mib]) => `${name} ${n(mib)} MiB`)
        .join(', ')}`,
    )
  if (r.otherBusy > 0.25)
    lines.push(
      `warning: processes outside this run took ${r.otherBusy.toFixed(2)} cores on average; the figures are low`,
    )
  if (!r.endToEnd.drained)
    lines.push('warning: the lake did not catch up within the timeout; figures are partial')
  return lines
}

/** The whole printout. */
export function formatReport(r: E2EResult, jsonPath: string): string {
  const head =
    `end-to-end benchmark, ${r.startedAt}: ${n(r.simulator.samplesSent)} samples in ${n(r.simulator.batches)} uploads ` +
    `(raw ${n(r.recordBytes.raw)} B, sample ${n(r.recordBytes.sample)} B, validated ${n(r.recordBytes.validated)} B per record); ` +
    `${r.machine.cores} cores, node ${r.machine.node}`
  return [
    head,
    table(reportRows(r)),
    '',
    ...summaryLines(r),
    '',
    `JSON: ${jsonPath}`,
    `chart: ${r.chart}`,
  ].join('\n')
}
