/** The result of `npm run bench -- hop`: what one run measured (hop.ts writes it, report.ts prints it). */
import type { SimulateStats } from '@healthstream/simulator'
import type { CpuUse } from './cpu.ts'
import type { BrokerCeiling } from './kafka-perf.ts'
import type { LatencyResult } from './latency.ts'
import type { HopTrace, ProfileSummary } from './profile.ts'
import type { RedisCommandUse } from './stack.ts'
import type { ThroughputResult } from './throughput.ts'

/** Everything one run measured; written as JSON and printed as one table. */
export interface HopBenchResult {
  readonly startedAt: string
  readonly machine: { cores: number; node: string }
  readonly options: Record<string, unknown>
  preload: SimulateStats | undefined
  readonly hops: ThroughputResult[]
  latency: (LatencyResult & { cpu: CpuUse }) | undefined
  readonly broker: BrokerCeiling[]
  readonly profiles: Record<string, { profile: ProfileSummary; trace: HopTrace | undefined }>
  /** Redis server time per command while a hop ran (INFO commandstats), all clients of the server. */
  readonly redisServer: Record<string, RedisCommandUse>
  readonly serviceEnv: Record<string, string>
}
