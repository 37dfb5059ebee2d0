/**
 * The fault schedule of a chaos run, fixed by its options and seed before anything starts: kills of
 * random services on one lane, server restarts and the storage outage on another, spread over the
 * time the simulator is expected to send. Pure, so the plan can be tested and printed.
 */
import { Rng } from '@healthstream/simulator'
import type { ChaosOptions } from './options.ts'

export const SERVICES = ['ingest', 'validator', 'aggregator', 'lake-writer'] as const
export type ServiceName = (typeof SERVICES)[number]

/** A service killed with SIGKILL at `atMs` (since the start), then started again. */
export interface Kill {
  readonly atMs: number
  readonly service: ServiceName
}

/**
 * A server of the stack restarted (stopped and started at once) or stopped for `forMs`; `lake` is the
 * lake's storage and catalog together (S3 and PostgreSQL).
 */
export interface ServerFault {
  readonly atMs: number
  readonly server: 'kafka' | 'redis' | 'lake'
  readonly kind: 'restart' | 'outage'
  readonly forMs: number
}

export interface FaultPlan {
  readonly sendMs: number
  readonly kills: readonly Kill[]
  readonly servers: readonly ServerFault[]
}

/**
 * Kills every `killEveryMs` for as long as the simulator sends, and at least `minKills`, each service
 * at least once when there are four kills or more. Server faults are spread evenly over the sending
 * time, one after the other (never two at once): broker restarts, then Redis, then the outage.
 */
export function planFaults(options: ChaosOptions): FaultPlan {
  const sendMs = Math.ceil((options.samples / options.rate) * 1000)
  const rng = new Rng(options.seed, 0xc4a05)
  const next = () => rng.next()
  const count = Math.max(options.minKills, Math.floor(sendMs / options.killEveryMs))
  // The first four kills hit each service once, in a shuffled order; the rest are picked at random
  const round: ServiceName[] = [...SERVICES]
  for (let i = round.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[round[i], round[j]] = [round[j]!, round[i]!]
  }
  const services = Array.from({ length: count }, (_, i) =>
    i < round.length ? round[i]! : SERVICES[Math.floor(next() * SERVICES.length)]!,
  )
  const kills = services.map((service, i) => ({ atMs: (i + 1) * options.killEveryMs, service }))

  const faults: Omit<ServerFault, 'atMs'>[] = []
  for (let i = 0; i < options.brokerRestarts; i++) faults.push({ server: 'kafka', kind: 'restart', forMs: 0 })
  for (let i = 0; i < options.redisRestarts; i++) faults.push({ server: 'redis', kind: 'restart', forMs: 0 })
  if (options.outageMs > 0) faults.push({ server: 'lake', kind: 'outage', forMs: options.outageMs })
  // Interleave brokers and Redis so two broker restarts are apart: k, r, k, r, …, then the outage
  const restarts = faults.filter((f) => f.kind === 'restart')
  const brokers = restarts.filter((f) => f.server === 'kafka')
  const others = restarts.filter((f) => f.server !== 'kafka')
  const ordered: Omit<ServerFault, 'atMs'>[] = []
  while (brokers.length + others.length > 0) {
    if (brokers.length > 0) ordered.push(brokers.shift()!)
    if (others.length > 0) ordered.push(others.shift()!)
  }
  ordered.push(...faults.filter((f) => f.kind === 'outage'))
  const span = Math.max(sendMs, count * options.killEveryMs)
  const servers = ordered.map((f, i) => ({ ...f, atMs: Math.round((span * (i + 1)) / (ordered.length + 1)) }))
  return { sendMs, kills, servers }
}
