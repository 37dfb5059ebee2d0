/** What one round of one system measured, and the derived figures the report compares. */
import type { ProcessUse } from './process-use.ts'

/** The simulated backlog every round starts from (same seed: the same uploads each time). */
export interface Preload {
  readonly samples: number
  readonly users: number
  readonly partitions: number
}

export type System = 'healthstream' | 'kafka-streams-fresh' | 'kafka-streams-warm'

export interface RoundResult {
  readonly system: System
  readonly samples: number
  /** From starting the first process (or KafkaStreams.start()) to the last input committed. */
  readonly seconds: number
  /** Every watched process: the application's and the servers' (kafka, redis). */
  readonly processes: Readonly<Record<string, ProcessUse>>
  /** Which of `processes` are the application (its CPU and memory are the "app" figures). */
  readonly app: readonly string[]
  readonly outputs: { readonly validated: number; readonly deadLetters: number; readonly aggregates: number }
  readonly settings: Readonly<Record<string, string>>
  /** Cores the machine kept busy meanwhile, and the part no watched process explains (other load). */
  readonly machine: { readonly busyCores: number; readonly otherCores: number }
  /** Where each service's memory was halfway through (Healthstream only: its /metrics). */
  readonly memory?: Readonly<Record<string, MemorySplit>>
}

/** A Node.js process's memory as prom-client reports it, in MiB. */
export interface MemorySplit {
  readonly rss: number
  readonly heapUsed: number
  readonly heapTotal: number
  /** Buffers and other memory V8 holds outside its heap (fetched records, zlib output). */
  readonly external: number
}

export interface RoundFigures {
  readonly samplesPerSecond: number
  readonly appCpuUsPerSample: number
  readonly peakRssMiB: number
  /** CPU per sample of every watched process, the application's and the servers'. */
  readonly cpuUsPerSample: Readonly<Record<string, number>>
}

export function figures(r: RoundResult): RoundFigures {
  const perSample = (seconds: number) => Math.round(((seconds * 1e6) / r.samples) * 10) / 10
  const cpuUsPerSample = Object.fromEntries(
    Object.entries(r.processes).map(([name, u]) => [name, perSample(u.cpuSeconds)]),
  )
  const app = r.app.map((name) => r.processes[name]).filter((u) => u !== undefined)
  return {
    samplesPerSecond: Math.round(r.samples / r.seconds),
    appCpuUsPerSample: perSample(app.reduce((a, u) => a + u.cpuSeconds, 0)),
    peakRssMiB: app.reduce((a, u) => a + u.peakRssMiB, 0),
    cpuUsPerSample,
  }
}

export type LakeSystem = 'lake-writer' | 'iceberg-connect'

/** One writer moving the same preloaded validated topic into a table of its own. */
export interface LakeRoundResult {
  readonly system: LakeSystem
  readonly rows: number
  /** From the writer's first partition assignment (Connect: its first commit worker) to the last row committed. */
  readonly seconds: number
  /** CPU of the writer's process (all threads) over `seconds`. */
  readonly cpuSeconds: number
  /** The same two from starting the process: Node's start against the JVM's and Connect's plugin scan. */
  readonly fromStart: { readonly seconds: number; readonly cpuSeconds: number }
  readonly kafkaCpuSeconds: number
  readonly peakRssMiB: number
  readonly settings: Readonly<Record<string, string>>
}

/** What the end-to-end benchmark measured in the same run: the chain at full speed, then paced. */
export interface ChainFigures {
  readonly maxSamplesPerSecond: number
  /** The broker's single-hop ceiling for sample-sized records, measured right after. */
  readonly ceilingSamplesPerSecond: number | undefined
  /** Highest RSS of each service at full speed (all four running, raw → lake). */
  readonly peakRssMiB: Readonly<Record<string, number>>
  readonly paced?: {
    readonly rate: number
    /** Inputs of the first seconds left out of `hops` (the services warming up); `whole` keeps them. */
    readonly warmupSeconds?: number
    readonly hops: Readonly<Record<string, { readonly p50: number; readonly p99: number }>>
    readonly whole?: Readonly<Record<string, { readonly p50: number; readonly p99: number }>>
    readonly freshness: { readonly p50: number; readonly p99: number } | undefined
    readonly commitIntervalMs: number
  }
}
