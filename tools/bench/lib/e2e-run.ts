/**
 * The end-to-end benchmark's steps that talk to processes and servers: waiting for the services'
 * partitions, the simulator as a child process, waiting for the chain to drain into the lake, the
 * broker's ceiling for the record sizes of the run, and the traces the services leave at exit.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { TableNames } from '@healthstream/lake-writer/tables'
import type { LakeTarget } from '@healthstream/lake-writer/testing'
import { createAdmin, ensureTopics } from '@healthstream/shared/kafka'
import type { TopicNames } from '@healthstream/shared/topics'
import type { ServiceProcess } from '@healthstream/testkit/stack'
import { simulatorMain } from '../../stack/paths.ts'
import type { CpuMeter } from './cpu.ts'
import { tableSnapshots } from './e2e-latency.ts'
import type { Monitor } from './e2e-monitor.ts'
import { type BrokerCeiling, brokerCeiling } from './kafka-perf.ts'
import { rssNowMiB } from './memory.ts'
import type { TopicReader } from './topic-scan.ts'

const log = (line: string) => process.stderr.write(`e2e bench: ${line}\n`)

/** Waits until every service logged a partition assignment. */
export async function waitAssigned(services: readonly ServiceProcess[], signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 60_000
  const assigned = (s: ServiceProcess) => s.lines.some((l) => l.includes('"msg":"partitions assigned"'))
  while (!services.every(assigned)) {
    signal.throwIfAborted()
    const missing = services.filter((s) => !assigned(s)).map((s) => s.name)
    if (Date.now() > deadline) throw new Error(`no partitions assigned within 60 s: ${missing.join(', ')}`)
    await sleep(100)
  }
}

/** What the simulator printed about its run (its last stderr line, JSON). */
export interface SimulatorRun {
  samplesSent: number
  batches: number
  bytes: number
  elapsedMs: number
  samplesPerSecond: number
}

/** Runs the simulator as its own process (its CPU is then its own) and resolves to its stats. */
export async function runSimulator(
  o: { samples: number; users: number; partitions: number; rate: number },
  topic: string,
  onPid: (pid: number | undefined) => void,
): Promise<SimulatorRun> {
  const args = ['--samples', String(o.samples), '--users', String(o.users), '--seed', '42']
  args.push('--start', 'now-30d', '--topic', topic, '--partitions', String(o.partitions), '--quiet')
  if (o.rate > 0) args.push('--rate', String(o.rate))
  const started = Date.now()
  const child = spawn(process.execPath, [simulatorMain, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  onPid(child.pid)
  let err = ''
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  child.stdout.resume()
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`simulator exited with ${code}:\n${err.slice(-2000)}`)
  const stats = JSON.parse(err.trim().split('\n').at(-1)!) as Omit<
    SimulatorRun,
    'elapsedMs' | 'samplesPerSecond'
  >
  const elapsedMs = Date.now() - started
  return { ...stats, elapsedMs, samplesPerSecond: Math.round((stats.samplesSent / elapsedMs) * 1000) }
}

/**
 * Waits until ingest, validator and aggregator committed all their input (their counters), then until
 * every table records the last record of its topic; `completeAt` is the snapshot that made the last
 * table complete.
 */
export async function waitDrained(
  monitor: Monitor,
  reader: TopicReader,
  target: LakeTarget,
  t: TopicNames,
  batches: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ ok: boolean; completeAt: number }> {
  const deadline = Date.now() + timeoutMs
  const c = (name: string) => monitor.counters.get(name)
  const upstreamDone = () => {
    const [ingest, validator, aggregator] = [c('ingest'), c('validator'), c('aggregator')]
    return (
      ingest !== undefined &&
      validator !== undefined &&
      aggregator !== undefined &&
      ingest.recordsIn >= batches &&
      validator.recordsIn >= (ingest.recordsOut[t.samples] ?? 0) &&
      aggregator.recordsIn >= (validator.recordsOut[t.validated] ?? 0)
    )
  }
  let lastReport = 0
  while (!upstreamDone()) {
    signal.throwIfAborted()
    if (Date.now() > deadline) return { ok: false, completeAt: Date.now() }
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now()
      log(`lag ${JSON.stringify(monitor.last?.lag ?? {})}`)
    }
    await sleep(500)
  }
  log('ingest, validator and aggregator are through; waiting for the lake')
  const wanted: [string, string, Map<number, bigint>][] = [
    [TableNames.raw, t.validated, await reader.lastRecordOffsets(t.validated)],
    [TableNames.errors, t.errors, await reader.lastRecordOffsets(t.errors)],
  ]
  const aggregates = await reader.lastRecordOffsets(t.aggregates)
  for (const table of [TableNames.daily, TableNames.weekly, TableNames.monthly])
    wanted.push([table, t.aggregates, aggregates])
  for (;;) {
    signal.throwIfAborted()
    let completeAt = 0
    let behind = 0
    for (const [table, topic, next] of wanted) {
      if (next.size === 0) continue
      const snapshots = await tableSnapshots(target, table)
      const done = snapshots.find((s) =>
        [...next].every(([p, o]) => BigInt(s.offsets[topic]?.[String(p)] ?? -1) >= o),
      )
      if (done) completeAt = Math.max(completeAt, done.at)
      else behind++
    }
    if (behind === 0) return { ok: true, completeAt }
    if (Date.now() > deadline) return { ok: false, completeAt: Date.now() }
    await sleep(500)
  }
}

/** The broker's ceiling for records of a sample's and of a raw upload's size, in this run. */
export async function ceilings(
  env: Record<string, string>,
  prefix: string,
  partitions: number,
  sim: SimulatorRun,
  bytes: { raw: number; sample: number },
  meter: CpuMeter,
): Promise<BrokerCeiling[]> {
  const cases = [
    { label: 'sample', topic: `${prefix}perf-samples`, bytes: bytes.sample, records: sim.samplesSent },
    { label: 'raw batch', topic: `${prefix}perf-raw`, bytes: bytes.raw, records: sim.batches },
  ]
  const admin = createAdmin({ bootstrapBrokers: [env.KAFKA_BROKERS!], clientId: 'healthstream-bench' })
  await ensureTopics(
    admin,
    cases.map((c) => ({ topic: c.topic, partitions })),
  ).finally(() => admin.close())
  const out: BrokerCeiling[] = []
  for (const c of cases) {
    log(`broker ceiling: ${c.records.toLocaleString('en')} records of ${c.bytes} B`)
    const options = {
      libs: env.KAFKA_LIBS!,
      brokers: env.KAFKA_BROKERS!,
      topic: c.topic,
      records: c.records,
      recordBytes: c.bytes,
      transactionalId: `${c.topic}-perf`,
      group: `${c.topic}-perf`,
      transactionMs: 100,
    }
    out.push(await brokerCeiling(c.label, options, meter))
  }
  return out
}

/** What trace-hop.ts counted in a service: operations, event-loop use in seconds with commits. */
export interface ServiceTrace {
  readonly ops: Record<string, { count: number }>
  readonly eventLoopUtilization: number
  readonly activeSeconds: number
}

/** What trace-hop.ts counted in a service: operations, event-loop use in seconds with commits. */
export interface ServiceTrace {
  readonly ops: Record<string, { count: number }>
  readonly eventLoopUtilization: number
  readonly activeSeconds: number
}

/** What trace-hop.ts wrote when a service exited; undefined if it wrote nothing. */
export function readTrace(file: string): ServiceTrace | undefined {
  if (!existsSync(file)) return undefined
  return JSON.parse(readFileSync(file, 'utf8')) as ServiceTrace
}

/**
 * Each service's RSS after `seconds` with nothing to do (what it gives back after load), and the idle
 * releases it logged meanwhile; undefined for 0 seconds.
 */
export async function settledMemory(
  services: readonly ServiceProcess[],
  seconds: number,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<{ seconds: number; rssMiB: Record<string, number> } | undefined> {
  if (seconds === 0) return undefined
  log(`leaving the services idle for ${seconds} s`)
  await sleep(seconds * 1000, undefined, { signal })
  for (const s of services)
    for (const line of s.lines.filter((l) => l.includes('idle: heap given back'))) log(`${s.name}: ${line}`)
  return { seconds, rssMiB: rssNowMiB(services) }
}
