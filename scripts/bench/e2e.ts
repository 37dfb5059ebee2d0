/**
 * The whole chain at full speed: samples/s end to end and per hop, lake freshness, broker ceiling, chart.
 * `npm run bench -- e2e [--help]`, on the local stack, in an isolated topic prefix:
 *
 *   1. start ingest, validator, aggregator and lake-writer (embedded lake: SQLite catalog and a
 *      warehouse folder in a temporary directory) as child processes; wait for their partitions
 *   2. the simulator (its own process) produces --samples samples into raw WHILE the services run,
 *      as fast as it can (or at --rate); every second the monitor reads each service's /metrics, the
 *      lag of every consumer group on every topic, CPU and RSS of every process
 *   3. when each hop has committed all its input and every table records the last offset of its topic,
 *      the run is over: end to end = samples / (first raw record's timestamp → the snapshot that made
 *      the last table complete)
 *   4. afterwards, with the services stopped: raw, samples and validated are read back to time each
 *      hop (see lib/e2e-latency.ts); Kafka's own perf tools measure the broker's ceiling for records
 *      of the sizes just seen
 * Prints one table, writes JSON and an SVG chart (throughput, lag and CPU over time); deletes the
 * topics, groups, Redis keys and the lake it created unless --keep.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { TableNames } from '../../services/lake-writer/src/tables.ts'
import { localTarget } from '../../services/lake-writer/test/support/stack.ts'
import { createAdmin, ensureTopics } from '../../shared/src/kafka/index.ts'
import { projectRoot } from '../stack/paths.ts'
import { testPipeline } from '../test-support/pipeline.ts'
import type { ServiceProcess } from '../test-support/services.ts'
import { CpuMeter } from './lib/cpu.ts'
import {
  cpuPerSample,
  groupCommits,
  hopRate,
  latencyOf,
  machineMean,
  processUse,
  redisCommandsOf,
  slowest,
} from './lib/e2e-analysis.ts'
import { buildChart } from './lib/e2e-chart.ts'
import { commitBased, scanLatencies, snapshotCommits, tableSnapshots } from './lib/e2e-latency.ts'
import { lagLabel, Monitor, type Watched } from './lib/e2e-monitor.ts'
import { ceilingOf, type E2EResult, formatReport, type HopResult } from './lib/e2e-report.ts'
import { type BrokerCeiling, brokerCeiling } from './lib/kafka-perf.ts'
import { cleanUp, redisCommandStats, redisDelta, stackEnv, stackPid } from './lib/stack.ts'
import { outTotal } from './lib/throughput.ts'
import { TopicReader } from './lib/topic-scan.ts'

const USAGE = `usage: npm run bench [-- e2e] [flags]
  --samples N     samples the simulator produces while the services run (default 1000000)
  --users N       simulated users (default 1000)
  --partitions N  partitions of every topic (default 4)
  --rate N        samples/s the simulator offers; 0 = as fast as it can (default 0)
  --timeout S     longest the chain may take to drain after the simulator finished (default 900)
  --env K=V       extra environment for the services (repeatable), e.g. COMMIT_INTERVAL=2s
  --skip-broker   leave out the broker ceiling
  --keep          keep the topics, Redis keys and the lake
  --out PATH      JSON results (default bench-results/e2e.json; the chart goes beside it as .svg)`

const FLAGS = {
  samples: { type: 'string', default: '1000000' },
  users: { type: 'string', default: '1000' },
  partitions: { type: 'string', default: '4' },
  rate: { type: 'string', default: '0' },
  timeout: { type: 'string', default: '900' },
  env: { type: 'string', multiple: true },
  'skip-broker': { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  out: { type: 'string', default: join(projectRoot, 'bench-results', 'e2e.json') },
  help: { type: 'boolean', default: false },
} as const

const SERVICES = ['ingest', 'validator', 'aggregator', 'lake-writer'] as const
const TABLES = Object.values(TableNames)
const log = (line: string) => process.stderr.write(`e2e bench: ${line}\n`)

export async function run(args: readonly string[]): Promise<void> {
  const { values: v } = parseArgs({ args: [...args], options: FLAGS, strict: true })
  if (v.help) return console.log(USAGE)
  const int = (name: 'samples' | 'users' | 'partitions' | 'rate' | 'timeout', min = 1): number => {
    const value = Number(String(v[name]).replaceAll('_', ''))
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}`)
    return value
  }
  const o = {
    samples: int('samples'),
    users: int('users'),
    partitions: int('partitions'),
    rate: int('rate', 0),
    timeoutMs: int('timeout') * 1000,
  }
  const env = stackEnv()
  const pipeline = testPipeline('bench-e2e')
  const dir = mkdtempSync(join(tmpdir(), 'hs-bench-e2e-'))
  const target = localTarget(join(dir, 'lake'))
  mkdirSync(join(dir, 'lake'))
  const serviceEnv: Record<string, string> = {
    TOPIC_PARTITIONS: String(o.partitions),
    KAFKA_SESSION_TIMEOUT: '10s',
    DEDUP_HORIZON: '1h', // the marks expire soon even if the clean-up is skipped
    ...Object.fromEntries((v.env ?? []).map((kv) => kv.split(/=(.*)/s).slice(0, 2))),
  }
  // Every service preloads trace-hop.ts: client-side Redis commands and event-loop use, written at exit
  const traceDir = join(dir, 'traces')
  mkdirSync(traceDir)
  const traceFile = (name: string) => join(traceDir, `${name}.json`)
  const trace = pathToFileURL(join(import.meta.dirname, 'lib', 'trace-hop.ts')).href
  const services = Object.fromEntries(
    SERVICES.map((name) => [
      name,
      pipeline.service(name, {
        ...serviceEnv,
        ...(name === 'lake-writer' ? target.env : {}),
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${trace}`.trim(),
        BENCH_TRACE_FILE: traceFile(name),
      }),
    ]),
  ) as Record<(typeof SERVICES)[number], ServiceProcess>
  const meter = new CpuMeter()
  const pids = new Map<string, number | undefined>([
    ['kafka', stackPid('kafka')],
    ['redis', stackPid('redis')],
    ['bench', process.pid],
  ])
  for (const [name, pid] of pids) meter.watch(name, pid)
  const reader = new TopicReader(env.KAFKA_BROKERS!)
  const interrupted = new AbortController()
  const onInterrupt = () => {
    log('interrupted: stopping and cleaning up')
    interrupted.abort()
    for (const s of Object.values(services)) void s.stop()
  }
  process.once('SIGINT', onInterrupt)
  try {
    log(`prefix ${pipeline.prefix}: starting ${SERVICES.join(', ')}; lake in ${dir}`)
    // One after the other: services starting together race on the registry's compatibility rule of
    // the shared errors subject (Apicurio answers 409 "rule already exists" to the second)
    for (const s of Object.values(services)) await s.start()
    for (const [name, s] of Object.entries(services)) {
      pids.set(name, s.pid)
      meter.watch(name, s.pid)
    }
    await waitAssigned(Object.values(services), interrupted.signal)
    const group = (name: string) => `${pipeline.prefix}healthstream-${name}`
    const t = pipeline.topics
    const watched: Watched[] = [
      { service: services.ingest, group: group('ingest'), inputs: [t.raw], progress: outTotal },
      {
        service: services.validator,
        group: group('validator'),
        inputs: [t.samples],
        progress: (c) => c.recordsIn,
      },
      {
        service: services.aggregator,
        group: group('aggregator'),
        inputs: [t.validated],
        progress: (c) => c.recordsIn,
      },
      {
        service: services['lake-writer'],
        group: group('lake-writer'),
        inputs: [t.validated, t.aggregates, t.errors],
        progress: (c) => c.recordsOut[TableNames.raw] ?? 0,
      },
    ]
    const monitor = new Monitor({ meter, pids, watched, reader, prefix: pipeline.prefix })
    const redisBefore = await redisCommandStats(env.REDIS_URL!)
    monitor.start()
    log(
      `simulator: ${o.samples.toLocaleString('en')} samples${o.rate > 0 ? ` at ${o.rate}/s` : ', full speed'}`,
    )
    const sim = await runSimulator(o, t.raw, (pid) => {
      pids.set('simulator', pid)
      meter.watch('simulator', pid)
    })
    log(
      `simulator: ${sim.samplesSent.toLocaleString('en')} samples in ${sim.batches} uploads, ${sim.samplesPerSecond}/s`,
    )
    const drained = await waitDrained(
      monitor,
      reader,
      target,
      t,
      sim.batches,
      o.timeoutMs,
      interrupted.signal,
    )
    await sleep(1100) // one more tick after the end
    await monitor.stop()
    const redis = redisDelta(redisBefore, await redisCommandStats(env.REDIS_URL!))
    for (const s of Object.values(services)) await s.stop()

    log('reading raw, samples and validated back for the latencies')
    const scanned = await scanLatencies(reader, t, env.SCHEMA_REGISTRY_URL!)
    const snapshots = Object.fromEntries(
      await Promise.all(TABLES.map(async (table) => [table, await tableSnapshots(target, table)] as const)),
    )
    const ticks = monitor.ticks
    const commits = commitBased(
      scanned,
      groupCommits(ticks, `${group('aggregator')} ${t.validated}`),
      snapshotCommits(snapshots[TableNames.raw] ?? [], t.validated),
    )
    const lastCommitAt = drained.completeAt
    const e2eSeconds = (lastCommitAt - scanned.firstRawAt) / 1000
    const broker = v['skip-broker']
      ? []
      : await ceilings(env, pipeline.prefix, o.partitions, sim, scanned.avgBytes, meter)
    // Backlogs in samples: a raw record is an upload; the lake-writer's is its validated input
    const perUpload = sim.samplesSent / Math.max(1, sim.batches)
    const inputs = (w: Watched) =>
      w.inputs
        .filter((topic) => topic !== t.aggregates && topic !== t.errors)
        .map((topic) => ({
          label: lagLabel(w.service.name, topic, pipeline.prefix),
          samplesPerRecord: topic === t.raw ? perUpload : 1,
        }))
    // Busy: more waiting than a hop holds in flight (two transactions; the lake-writer: two commits)
    const unit = (name: string) =>
      name === 'lake-writer'
        ? Number(serviceEnv.COMMIT_MAX_ROWS ?? 100_000)
        : Number(serviceEnv.BATCH_MAX_RECORDS ?? 5000)
    const rates = Object.fromEntries(
      watched.map((w) => [
        w.service.name,
        hopRate(ticks, w.service.name, inputs(w), 2 * unit(w.service.name)),
      ]),
    )
    const traces = Object.fromEntries(SERVICES.map((s) => [s, readTrace(traceFile(s))]))
    const basis: Record<string, [number[], string]> = {
      ingest: [scanned.ingest, 'raw → samples, record timestamps'],
      validator: [scanned.validator, 'samples → validated, record timestamps'],
      aggregator: [commits.aggregator.latencies, 'validated → group commit, ±1 s'],
      'lake-writer': [commits.lakeWriter.latencies, 'validated → raw table snapshot'],
    }
    const hops: Record<string, HopResult> = {}
    for (const s of SERVICES) {
      const rate = rates[s]!
      hops[s] = {
        rate,
        latency: latencyOf(basis[s]![0]),
        latencyBasis: basis[s]![1],
        use: processUse(ticks, s, rate.startAt, rate.endAt),
        // Seconds without a Kafka commit are left out of it; the lake-writer commits no transaction
        eventLoopBusy: traces[s]?.activeSeconds ? traces[s]?.eventLoopUtilization : undefined,
      }
    }
    const ceiling = ceilingOf(broker)
    const machine = machineMean(ticks, scanned.firstRawAt, lastCommitAt)
    const e2eRate = e2eSeconds > 0 ? Math.round(sim.samplesSent / e2eSeconds) : 0
    const calls = Object.values(redis).reduce((a, c) => a + c.calls, 0)
    const clientCommands: Record<string, Record<string, number>> = Object.fromEntries(
      SERVICES.map((s) => [s, redisCommandsOf(traces[s]?.ops ?? {})] as const).filter(
        ([, c]) => Object.keys(c).length > 0,
      ),
    )
    const sent = Object.values(clientCommands).reduce(
      (a, c) => a + Object.values(c).reduce((x, y) => x + y, 0),
      0,
    )
    const jsonPath = v.out
    const chartPath = `${jsonPath.replace(/\.json$/, '')}.svg`
    const result: E2EResult = {
      startedAt: new Date(ticks[0]?.at ?? Date.now()).toISOString(),
      machine: { cores: navigator.hardwareConcurrency, node: process.version },
      options: { ...o, env: v.env },
      serviceEnv,
      simulator: {
        samplesSent: sim.samplesSent,
        batches: sim.batches,
        bytes: sim.bytes,
        seconds: Math.round(sim.elapsedMs / 100) / 10,
        samplesPerSecond: sim.samplesPerSecond,
      },
      endToEnd: {
        samples: sim.samplesSent,
        firstInAt: new Date(scanned.firstRawAt).toISOString(),
        lastCommitAt: new Date(lastCommitAt).toISOString(),
        seconds: Math.round(e2eSeconds * 10) / 10,
        samplesPerSecond: e2eRate,
        drained: drained.ok,
      },
      hops,
      freshness: latencyOf(commits.freshness.latencies),
      processes: Object.fromEntries(
        ['simulator', 'kafka', 'redis', 'bench'].map((p) => [
          p,
          processUse(ticks, p, scanned.firstRawAt, lastCommitAt),
        ]),
      ),
      machineBusy: machine.busy,
      otherBusy: machine.other,
      // The monitor stopped before the broker tools ran: its ticks are the pipeline's alone
      cpuPerSample: cpuPerSample(ticks, sim.samplesSent),
      counters: Object.fromEntries(monitor.counters),
      redis: {
        roundTripsPerSample: sent / Math.max(1, sim.samplesSent),
        clientCommands,
        serverCalls: calls,
        serverCallsPerSample: calls / Math.max(1, sim.samplesSent),
        serverCommands: redis,
      },
      broker,
      ceiling,
      ratio: ceiling ? e2eRate / ceiling.samplesPerSecond : undefined,
      bottleneck: slowest(rates, sim.samplesSent),
      recordBytes: scanned.avgBytes,
      snapshots: Object.fromEntries(Object.entries(snapshots).map(([k, s]) => [k, s.length])),
      chart: chartPath,
    }
    mkdirSync(join(jsonPath, '..'), { recursive: true })
    writeFileSync(chartPath, buildChart(ticks, SERVICES, ticks[0]?.at ?? 0, result))
    writeFileSync(jsonPath, `${JSON.stringify({ ...result, ticks }, null, 2)}\n`)
    console.log(`\n${formatReport(result, jsonPath)}`)
  } catch (error) {
    throw interrupted.signal.aborted ? new Error('interrupted; nothing written') : error
  } finally {
    process.off('SIGINT', onInterrupt)
    for (const s of Object.values(services)) await s.stop().catch(() => undefined)
    await reader.close()
    if (!v.keep) {
      const removed = await cleanUp(env.KAFKA_BROKERS!, env.REDIS_URL!, pipeline.prefix).catch((e: Error) => [
        `clean-up failed: ${e.message}`,
      ])
      rmSync(dir, { recursive: true, force: true })
      log(`removed ${removed.join(', ')} of ${pipeline.prefix} and the lake`)
    }
  }
}

/** Waits until every service logged a partition assignment. */
async function waitAssigned(services: readonly ServiceProcess[], signal: AbortSignal): Promise<void> {
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
interface SimulatorRun {
  samplesSent: number
  batches: number
  bytes: number
  elapsedMs: number
  samplesPerSecond: number
}

/** Runs the simulator as its own process (its CPU is then its own) and resolves to its stats. */
async function runSimulator(
  o: { samples: number; users: number; partitions: number; rate: number },
  topic: string,
  onPid: (pid: number | undefined) => void,
): Promise<SimulatorRun> {
  const args = ['--samples', String(o.samples), '--users', String(o.users), '--seed', '42']
  args.push('--start', 'now-30d', '--topic', topic, '--partitions', String(o.partitions), '--quiet')
  if (o.rate > 0) args.push('--rate', String(o.rate))
  const started = Date.now()
  const child = spawn(process.execPath, [join(projectRoot, 'scripts', 'simulator', 'main.ts'), ...args], {
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
async function waitDrained(
  monitor: Monitor,
  reader: TopicReader,
  target: ReturnType<typeof localTarget>,
  t: ReturnType<typeof testPipeline>['topics'],
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
async function ceilings(
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

/** What trace-hop.ts wrote when a service exited; undefined if it wrote nothing. */
function readTrace(
  file: string,
):
  | { ops: Record<string, { count: number }>; eventLoopUtilization: number; activeSeconds: number }
  | undefined {
  if (!existsSync(file)) return undefined
  return JSON.parse(readFileSync(file, 'utf8')) as ReturnType<typeof readTrace>
}
