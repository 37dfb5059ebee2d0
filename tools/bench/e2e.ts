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
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { TableNames } from '@healthstream/lake-writer/tables'
import { localTarget } from '@healthstream/lake-writer/testing'
import { type TestPipeline, testPipeline } from '@healthstream/testkit/stack'
import { projectRoot } from '../stack/paths.ts'
import { CpuMeter } from './lib/cpu.ts'
import { buildChart } from './lib/e2e-chart.ts'
import { scanLatencies, snapshotCommits, tableSnapshots } from './lib/e2e-latency.ts'
import { Monitor } from './lib/e2e-monitor.ts'
import { formatReport } from './lib/e2e-report.ts'
import { assembleResult } from './lib/e2e-result.ts'
import { ceilings, readTrace, runSimulator, settledMemory, waitAssigned, waitDrained } from './lib/e2e-run.ts'
import { hopInputs, SERVICES, type Services, watchList } from './lib/e2e-watch.ts'
import { histogramBuckets, histogramPercentiles, histogramSince } from './lib/metric-histogram.ts'
import { cleanUp, envFlags, redisCommandStats, redisDelta, stackEnv, stackPid } from './lib/stack.ts'
import { TopicReader } from './lib/topic-scan.ts'

const USAGE = `usage: npm run bench [-- e2e] [flags]
  --samples N     samples the simulator produces while the services run (default 1000000)
  --users N       simulated users (default 1000)
  --partitions N  partitions of every topic (default 4)
  --rate N        samples/s the simulator offers; 0 = as fast as it can (default 0)
  --timeout S     longest the chain may take to drain after the simulator finished (default 900)
  --env K=V       extra environment for the services (repeatable), e.g. COMMIT_INTERVAL=2s
  --warmup S      inputs of the first S seconds are left out of the steady-state latencies (default 10)
  --settle S      after the chain drained, leave the services idle S seconds and read their RSS (default 0)
  --skip-broker   leave out the broker ceiling
  --keep          keep the topics, Redis keys and the lake
  --out PATH      JSON results (default bench-results/e2e.json; the chart goes beside it as .svg)`

const FLAGS = {
  samples: { type: 'string', default: '1000000' },
  users: { type: 'string', default: '1000' },
  partitions: { type: 'string', default: '4' },
  rate: { type: 'string', default: '0' },
  timeout: { type: 'string', default: '900' },
  settle: { type: 'string', default: '0' },
  warmup: { type: 'string', default: '10' },
  env: { type: 'string', multiple: true },
  'skip-broker': { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  out: { type: 'string', default: join(projectRoot, 'bench-results', 'e2e.json') },
  help: { type: 'boolean', default: false },
} as const

/** The record latency every hop exports (input record timestamp → its transaction's commit). */
const LATENCY = 'healthstream_record_latency_seconds'
const TABLES = Object.values(TableNames)
const log = (line: string) => process.stderr.write(`e2e bench: ${line}\n`)

export async function run(args: readonly string[]): Promise<void> {
  const { values: v } = parseArgs({ args: [...args], options: FLAGS, strict: true })
  if (v.help) return console.log(USAGE)
  type IntFlag = 'samples' | 'users' | 'partitions' | 'rate' | 'timeout' | 'settle' | 'warmup'
  const int = (name: IntFlag, min = 1): number => {
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
    settleSeconds: int('settle', 0),
    warmupSeconds: int('warmup', 0),
  }
  const env = stackEnv()
  const pipeline = testPipeline('bench-e2e')
  const dir = mkdtempSync(join(tmpdir(), 'hs-bench-e2e-'))
  const serviceEnv: Record<string, string> = {
    TOPIC_PARTITIONS: String(o.partitions),
    KAFKA_SESSION_TIMEOUT: '10s',
    DEDUP_HORIZON: '1h', // the marks expire soon even if the clean-up is skipped
    ...envFlags(v.env),
  }
  const setup = prepare(pipeline, dir, serviceEnv)
  const reader = new TopicReader(env.KAFKA_BROKERS!)
  const interrupted = new AbortController()
  const onInterrupt = () => {
    log('interrupted: stopping and cleaning up')
    interrupted.abort()
    for (const s of Object.values(setup.services)) void s.stop()
  }
  process.once('SIGINT', onInterrupt)
  try {
    const measured = await measure(
      { ...setup, o, v, env, pipeline, reader, serviceEnv, dir },
      interrupted.signal,
    )
    mkdirSync(join(v.out, '..'), { recursive: true })
    const { result, ticks } = measured
    writeFileSync(result.chart, buildChart(ticks, SERVICES, ticks[0]?.at ?? 0, result))
    writeFileSync(v.out, `${JSON.stringify({ ...result, ticks }, null, 2)}\n`)
    console.log(`\n${formatReport(result, v.out)}`)
  } catch (error) {
    throw interrupted.signal.aborted ? new Error('interrupted; nothing written') : error
  } finally {
    process.off('SIGINT', onInterrupt)
    for (const s of Object.values(setup.services)) await s.stop().catch(() => undefined)
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

/**
 * The services (not started) with trace-hop.ts preloaded: it counts their Redis commands and
 * event-loop use and writes them when they exit. The lake-writer gets the embedded lake under `dir`.
 */
function prepare(pipeline: TestPipeline, dir: string, serviceEnv: Record<string, string>) {
  const target = localTarget(join(dir, 'lake'))
  mkdirSync(join(dir, 'lake'))
  mkdirSync(join(dir, 'traces'))
  const traceFile = (name: string) => join(dir, 'traces', `${name}.json`)
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
  ) as Services
  return { target, services, traceFile }
}

interface Run extends ReturnType<typeof prepare> {
  readonly o: {
    samples: number
    users: number
    partitions: number
    rate: number
    timeoutMs: number
    settleSeconds: number
    warmupSeconds: number
  }
  readonly v: { 'skip-broker': boolean; env?: string[] | undefined; out: string }
  readonly env: Record<string, string>
  readonly pipeline: TestPipeline
  readonly reader: TopicReader
  readonly serviceEnv: Record<string, string>
  readonly dir: string
}

/** Starts the services, runs the simulator, waits for the lake, reads back, measures the broker. */
async function measure(r: Run, signal: AbortSignal) {
  const { services, pipeline, env, o } = r
  const meter = new CpuMeter()
  const pids = new Map<string, number | undefined>([
    ['kafka', stackPid('kafka')],
    ['redis', stackPid('redis')],
    ['bench', process.pid],
  ])
  log(`prefix ${pipeline.prefix}: starting ${SERVICES.join(', ')}; lake in ${r.dir}`)
  // One after the other: services starting together race on the registry's compatibility rule of
  // the shared errors subject (Apicurio answers 409 "rule already exists" to the second)
  for (const s of Object.values(services)) await s.start()
  for (const [name, s] of Object.entries(services)) pids.set(name, s.pid)
  for (const [name, pid] of pids) meter.watch(name, pid)
  await waitAssigned(Object.values(services), signal)
  const t = pipeline.topics
  const watched = watchList(services, pipeline)
  const monitor = new Monitor({ meter, pids, watched, reader: r.reader, prefix: pipeline.prefix })
  const redisBefore = await redisCommandStats(env.REDIS_URL!)
  monitor.start()
  log(
    `simulator: ${o.samples.toLocaleString('en')} samples${o.rate > 0 ? ` at ${o.rate}/s` : ', full speed'}`,
  )
  // The aggregator's latency histogram as the warm-up ends, to tell its steady state from it
  const steadyFrom = Date.now() + o.warmupSeconds * 1000
  const atWarmup = sleep(o.warmupSeconds * 1000, undefined, { signal }).then(
    async () => (await services.aggregator.fetch('/metrics')).text(),
    () => undefined,
  )
  const sim = await runSimulator(o, t.raw, (pid) => {
    pids.set('simulator', pid)
    meter.watch('simulator', pid)
  })
  log(
    `simulator: ${sim.samplesSent.toLocaleString('en')} samples in ${sim.batches} uploads, ${sim.samplesPerSecond}/s`,
  )
  const drained = await waitDrained(monitor, r.reader, r.target, t, sim.batches, o.timeoutMs, signal)
  await sleep(1100) // one more tick after the end
  await monitor.stop()
  const redis = redisDelta(redisBefore, await redisCommandStats(env.REDIS_URL!))
  // Its outputs are windows, not one per input: its record latency is what it measured itself
  const aggregatorMetrics = await (await services.aggregator.fetch('/metrics')).text()
  const aggregatorAtWarmup = await atWarmup
  const settled = await settledMemory(Object.values(services), o.settleSeconds, log, signal)
  for (const s of Object.values(services)) await s.stop()

  log('reading raw, samples and validated back for the latencies')
  const scanned = await scanLatencies(r.reader, t, env.SCHEMA_REGISTRY_URL!, steadyFrom)
  const snapshots = Object.fromEntries(
    await Promise.all(TABLES.map(async (table) => [table, await tableSnapshots(r.target, table)] as const)),
  )
  const broker = r.v['skip-broker']
    ? []
    : await ceilings(env, pipeline.prefix, o.partitions, sim, scanned.avgBytes, meter)
  const ticks = monitor.ticks
  const result = assembleResult({
    ticks,
    hops: hopInputs(watched, pipeline, r.serviceEnv, sim.samplesSent / Math.max(1, sim.batches)),
    sim,
    scanned,
    aggregatorLatency: histogramPercentiles(histogramBuckets(aggregatorMetrics, LATENCY)),
    aggregatorSteadyLatency:
      aggregatorAtWarmup === undefined
        ? undefined
        : histogramPercentiles(
            histogramSince(
              histogramBuckets(aggregatorMetrics, LATENCY),
              histogramBuckets(aggregatorAtWarmup, LATENCY),
            ),
          ),
    warmupSeconds: o.warmupSeconds,
    rawTableCommits: snapshotCommits(snapshots[TableNames.raw] ?? [], t.validated),
    completeAt: drained.completeAt,
    drained: drained.ok,
    broker,
    traces: Object.fromEntries(SERVICES.map((s) => [s, readTrace(r.traceFile(s))])),
    redis,
    counters: Object.fromEntries(monitor.counters),
    snapshots: Object.fromEntries(Object.entries(snapshots).map(([k, s]) => [k, s.length])),
    settled,
    options: { ...o, env: r.v.env },
    serviceEnv: r.serviceEnv,
    machine: { cores: navigator.hardwareConcurrency, node: process.version },
    chart: `${r.v.out.replace(/\.json$/, '')}.svg`,
  })
  return { result, ticks }
}
