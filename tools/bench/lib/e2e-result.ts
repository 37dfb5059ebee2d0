/**
 * Turns what one end-to-end run measured into its result, pure: per-hop rates and latencies, CPU and
 * memory, Redis round trips, the ratio to the broker's ceiling and the limiting hop.
 */
import {
  type Commit,
  commitLatencies,
  cpuPerSample,
  type HopInput,
  hopRate,
  latencyOf,
  machineMean,
  processUse,
  redisCommandsOf,
  slowest,
  type Tick,
} from './e2e-analysis.ts'
import type { ScannedLatencies } from './e2e-latency.ts'
import { ceilingOf, type E2EResult, type HopResult } from './e2e-report.ts'
import type { ServiceTrace, SimulatorRun } from './e2e-run.ts'
import type { BrokerCeiling } from './kafka-perf.ts'
import type { RedisCommandUse } from './stack.ts'
import type { Percentiles } from './stats.ts'

/** Everything a run measured, as the orchestration collected it. */
export interface Measured {
  readonly ticks: readonly Tick[]
  /** Services in chain order: their backlog inputs and what they hold in flight anyway. */
  readonly hops: Readonly<Record<string, { inputs: readonly HopInput[]; busyBacklog: number }>>
  readonly sim: SimulatorRun
  readonly scanned: ScannedLatencies
  /** The aggregator's record latency, from its /metrics (`healthstream_record_latency_seconds`). */
  readonly aggregatorLatency: Percentiles | undefined
  /** The same for the records it committed after the warm-up. */
  readonly aggregatorSteadyLatency: Percentiles | undefined
  readonly warmupSeconds: number
  /** The raw table's snapshots, on the validated topic. */
  readonly rawTableCommits: readonly Commit[]
  /** When the snapshot that completed the last table was made; whether it came before the timeout. */
  readonly completeAt: number
  readonly drained: boolean
  readonly broker: readonly BrokerCeiling[]
  readonly traces: Readonly<Record<string, ServiceTrace | undefined>>
  readonly redis: RedisCommandUse
  readonly counters: Readonly<Record<string, unknown>>
  readonly snapshots: Readonly<Record<string, number>>
  readonly settled?: E2EResult['settled']
  readonly options: Readonly<Record<string, unknown>>
  readonly serviceEnv: Readonly<Record<string, string>>
  readonly machine: { readonly cores: number; readonly node: string }
  readonly chart: string
}

const BASIS: Record<string, string> = {
  ingest: 'raw → samples, record timestamps',
  validator: 'samples → validated, record timestamps',
  aggregator: 'validated → its commit, /metrics buckets',
  'lake-writer': 'validated → raw table snapshot',
}

export function assembleResult(m: Measured): E2EResult {
  const { ticks, sim, scanned } = m
  const firstIn = scanned.firstRawAt
  const seconds = (m.completeAt - firstIn) / 1000
  const rate = seconds > 0 ? Math.round(sim.samplesSent / seconds) : 0
  const latencies: Record<string, number[]> = {
    ingest: scanned.ingest,
    validator: scanned.validator,
    'lake-writer': commitLatencies(scanned.validated, m.rawTableCommits).latencies,
  }
  const steady: Record<string, number[]> = scanned.steady
  const rates = Object.fromEntries(
    Object.entries(m.hops).map(([s, h]) => [s, hopRate(ticks, s, h.inputs, h.busyBacklog)]),
  )
  const hops: Record<string, HopResult> = {}
  for (const [s, r] of Object.entries(rates)) {
    const trace = m.traces[s]
    hops[s] = {
      rate: r,
      latency: s === 'aggregator' ? m.aggregatorLatency : latencyOf(latencies[s] ?? []),
      steadyLatency: s === 'aggregator' ? m.aggregatorSteadyLatency : latencyOf(steady[s] ?? []),
      latencyBasis: BASIS[s] ?? '',
      use: processUse(ticks, s, r.startAt, r.endAt),
      // Seconds without a Kafka commit are left out of it; the lake-writer commits no transaction
      eventLoopBusy: trace?.activeSeconds ? trace.eventLoopUtilization : undefined,
    }
  }
  const clientCommands = Object.fromEntries(
    Object.keys(m.hops)
      .map((s) => [s, redisCommandsOf(m.traces[s]?.ops ?? {})] as const)
      .filter(([, c]) => Object.keys(c).length > 0),
  )
  const sent = Object.values(clientCommands).reduce((a, c) => a + sum(Object.values(c)), 0)
  const calls = sum(Object.values(m.redis).map((c) => c.calls))
  const ceiling = ceilingOf(m.broker)
  const machine = machineMean(ticks, firstIn, m.completeAt)
  return {
    startedAt: new Date(ticks[0]?.at ?? firstIn).toISOString(),
    machine: m.machine,
    options: m.options,
    serviceEnv: m.serviceEnv,
    simulator: {
      samplesSent: sim.samplesSent,
      batches: sim.batches,
      bytes: sim.bytes,
      seconds: Math.round(sim.elapsedMs / 100) / 10,
      samplesPerSecond: sim.samplesPerSecond,
    },
    endToEnd: {
      samples: sim.samplesSent,
      firstInAt: new Date(firstIn).toISOString(),
      lastCommitAt: new Date(m.completeAt).toISOString(),
      seconds: Math.round(seconds * 10) / 10,
      samplesPerSecond: rate,
      drained: m.drained,
    },
    hops,
    warmupSeconds: m.warmupSeconds,
    freshness: latencyOf(commitLatencies(scanned.validatedFromRaw, m.rawTableCommits).latencies),
    processes: Object.fromEntries(
      ['simulator', 'kafka', 'redis', 'bench'].map((p) => [p, processUse(ticks, p, firstIn, m.completeAt)]),
    ),
    machineBusy: machine.busy,
    otherBusy: machine.other,
    // The monitor stopped before the broker tools ran: its ticks are the pipeline's alone
    cpuPerSample: cpuPerSample(ticks, sim.samplesSent),
    counters: m.counters,
    redis: {
      roundTripsPerSample: sent / Math.max(1, sim.samplesSent),
      clientCommands,
      serverCalls: calls,
      serverCallsPerSample: calls / Math.max(1, sim.samplesSent),
      serverCommands: m.redis,
    },
    broker: m.broker,
    ceiling,
    ratio: ceiling ? rate / ceiling.samplesPerSecond : undefined,
    bottleneck: slowest(rates, sim.samplesSent),
    recordBytes: scanned.avgBytes,
    snapshots: m.snapshots,
    settled: m.settled,
    chart: m.chart,
  }
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)
