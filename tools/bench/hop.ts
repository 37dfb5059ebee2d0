/**
 * Exactly-once throughput of ingest and of validator, latency per hop, and the broker's ceiling.
 * `npm run bench -- hop [--help]`, on the local stack: samples/s each hop sustains, p50/p99
 * produce→consume latency per hop at a moderate rate, and what the broker does with the same record
 * sizes (Kafka's ProducerPerformance / ConsumerPerformance), with the CPU each process used.
 *
 *   1. preload --samples with the simulator into an isolated prefix's raw topic
 *   2. ingest alone works the backlog off (samples/s from its committed /metrics counters)
 *   3. validator alone works off what ingest wrote
 *   4. a fresh prefix with both running, uploads offered at --rate: latency per hop (read_committed)
 *   5. ProducerPerformance (transactions) + ConsumerPerformance (read_committed) at sample and batch size
 * Everything it created (topics, groups, Redis keys under its prefixes) is deleted at the end.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createAdmin, ensureTopics } from '@healthstream/shared/kafka'
import { simulate, simulatorOptions } from '@healthstream/simulator'
import type { ServiceProcess } from '@healthstream/testkit/stack'
import { type TestPipeline, testPipeline } from '@healthstream/testkit/stack'
import { projectRoot } from '../stack/paths.ts'
import { CpuMeter } from './lib/cpu.ts'
import type { HopBenchResult } from './lib/hop-result.ts'
import { brokerCeiling } from './lib/kafka-perf.ts'
import { measureLatency } from './lib/latency.ts'
import { profilingEnv, readDiagnostics } from './lib/profile.ts'
import { printReport } from './lib/report.ts'
import { cleanUp, envFlags, redisCommandStats, redisDelta, stackEnv, stackPid } from './lib/stack.ts'
import { measureThroughput, outTotal } from './lib/throughput.ts'

const USAGE = `usage: npm run bench -- hop [flags]
  --samples N         samples preloaded for the throughput runs (default 1000000)
  --users N           simulated users (default 1000)
  --partitions N      partitions of every topic (default 4)
  --rate N            samples/s offered in the latency run (default 20000)
  --latency-time S    seconds of the latency run (default 20; the first 3 are not measured)
  --tx-ms N           transaction length of ProducerPerformance (default 100)
  --timeout S         longest a hop may take to work off the backlog (default 300)
  --instances N       processes per hop in the throughput runs (default 1)
  --env K=V           extra environment for the services (repeatable), e.g. BATCH_MAX_RECORDS=2000
  --profile           run the services under node --cpu-prof and print their top functions
  --skip-latency, --skip-broker   leave out a part
  --keep              keep the topics and Redis keys it created
  --out PATH          JSON results (default bench-results/hop.json)`

const FLAGS = {
  samples: { type: 'string', default: '1000000' },
  users: { type: 'string', default: '1000' },
  partitions: { type: 'string', default: '4' },
  rate: { type: 'string', default: '20000' },
  'latency-time': { type: 'string', default: '20' },
  'tx-ms': { type: 'string', default: '100' },
  timeout: { type: 'string', default: '300' },
  instances: { type: 'string', default: '1' },
  env: { type: 'string', multiple: true },
  profile: { type: 'boolean', default: false },
  'skip-latency': { type: 'boolean', default: false },
  'skip-broker': { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  out: { type: 'string', default: join(projectRoot, 'bench-results', 'hop.json') },
  help: { type: 'boolean', default: false },
} as const

const DAY_MS = 86_400_000

export async function run(args: readonly string[]): Promise<void> {
  const { values: v } = parseArgs({ args: [...args], options: FLAGS, strict: true })
  if (v.help) return console.log(USAGE)
  const int = (name: keyof typeof v): number => {
    const value = Number(String(v[name]).replaceAll('_', ''))
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
    return value
  }
  const o = {
    samples: int('samples'),
    users: int('users'),
    partitions: int('partitions'),
    rate: int('rate'),
    latencyMs: int('latency-time') * 1000,
    txMs: int('tx-ms'),
    timeoutMs: int('timeout') * 1000,
    instances: int('instances'),
  }
  const env = stackEnv()
  const profileDir = join(projectRoot, 'bench-results', 'profiles')
  const serviceEnv: Record<string, string> = {
    KAFKA_SESSION_TIMEOUT: '10s',
    DEDUP_HORIZON: '1h', // the marks expire soon even if the clean-up is skipped
    TOPIC_PARTITIONS: String(o.partitions),
    ...envFlags(v.env),
  }
  const meter = new CpuMeter()
  meter.watch('kafka', stackPid('kafka'))
  meter.watch('redis', stackPid('redis'))
  meter.watch('bench', process.pid)
  const pipelines: TestPipeline[] = []
  /** Running services and their names in the CPU figures. */
  const running = new Map<ServiceProcess, string>()
  const start = async (p: TestPipeline, name: string, instance = 1, extra: Record<string, string> = {}) => {
    const service = p.service(name, { ...serviceEnv, INSTANCE_ID: `${name}-${instance}`, ...extra })
    const label = o.instances > 1 ? `${name}-${instance}` : name
    running.set(service, label)
    await service.start()
    meter.watch(label, service.pid)
    return service
  }
  const stop = async (service: ServiceProcess) => {
    await service.stop()
    meter.unwatch(running.get(service) ?? '')
    running.delete(service)
  }
  const log = (line: string) => process.stderr.write(`hop bench: ${line}\n`)
  /** Stops what this run started and deletes what it created; safe to call twice. */
  const teardown = async () => {
    for (const service of running.keys()) await stop(service).catch(() => undefined)
    for (const p of pipelines.splice(0)) {
      if (v.keep) continue
      const removed = await cleanUp(env.KAFKA_BROKERS!, env.REDIS_URL!, p.prefix).catch((e: Error) => [
        `clean-up failed: ${e.message}`,
      ])
      log(`removed ${removed.join(', ')} of ${p.prefix}`)
    }
  }
  // Ctrl-C: stop the services, which ends the running phase; `finally` then cleans up (a second Ctrl-C kills)
  const interrupted = new AbortController()
  const onInterrupt = () => {
    log('interrupted: stopping and cleaning up')
    interrupted.abort()
    for (const service of running.keys()) void stop(service).catch(() => undefined)
  }
  process.once('SIGINT', onInterrupt)
  const phase = (name: string) => {
    interrupted.signal.throwIfAborted()
    log(name)
  }
  const result: HopBenchResult = {
    startedAt: new Date().toISOString(),
    machine: { cores: navigator.hardwareConcurrency, node: process.version },
    options: { ...o, env: v.env, profile: v.profile },
    preload: undefined,
    hops: [],
    latency: undefined,
    broker: [],
    profiles: {},
    redisServer: {},
    serviceEnv,
  }
  try {
    const main = testPipeline('bench-hop')
    pipelines.push(main)
    phase(`prefix ${main.prefix}: preloading ${o.samples.toLocaleString('en')} samples`)
    const preload = await simulate(
      simulatorOptions({
        samples: o.samples,
        users: o.users,
        seed: 42,
        start: Date.now() - 30 * DAY_MS,
        topic: main.topics.raw,
        partitions: o.partitions,
        brokers: [env.KAFKA_BROKERS!],
        registryUrl: env.SCHEMA_REGISTRY_URL!,
        progress: false,
      }),
    )
    result.preload = preload
    log(
      `preloaded ${preload.samplesSent} samples in ${preload.batches} batches (${preload.samplesPerSecond}/s)`,
    )

    const runId = Date.now().toString(36)
    if (v.profile) mkdirSync(profileDir, { recursive: true })
    const hopRun = async (
      name: string,
      expected: number,
      progress: Parameters<typeof measureThroughput>[4],
    ) => {
      phase(`${name}: starting ${o.instances} instance(s)`)
      const base = `${name}-${runId}`
      // Only the first instance is profiled
      const extra = (i: number) => (v.profile && i === 1 ? profilingEnv(profileDir, base) : {})
      const ids = Array.from({ length: o.instances }, (_, i) => i + 1)
      const services = await Promise.all(ids.map((i) => start(main, name, i, extra(i))))
      log(`${name} ×${o.instances} working off ${expected.toLocaleString('en')} samples`)
      const redisBefore = await redisCommandStats(env.REDIS_URL!)
      const hop = await measureThroughput(name, services, meter, expected, progress, o.timeoutMs)
      result.redisServer[name] = redisDelta(redisBefore, await redisCommandStats(env.REDIS_URL!))
      for (const service of services) await stop(service)
      result.hops.push(hop)
      log(`${name}: ${hop.samplesPerSecond.toLocaleString('en')} samples/s (${hop.seconds} s)`)
      if (v.profile) result.profiles[name] = readDiagnostics(profileDir, base, hop.transactions)
      return hop
    }
    // ingest moves every sample on the wire to samples or errors: one output per sample
    const ingest = await hopRun('ingest', preload.samplesSent, outTotal)
    // validator reads each sample ingest committed to samples once
    await hopRun('validator', ingest.outputs[main.topics.samples] ?? 0, (c) => c.recordsIn)

    if (!v['skip-latency']) {
      phase('latency: starting ingest and validator on a fresh prefix')
      const lat = testPipeline('bench-lat')
      pipelines.push(lat)
      const services = [await start(lat, 'ingest'), await start(lat, 'validator')]
      log(`latency: offering ${o.rate.toLocaleString('en')} samples/s for ${o.latencyMs / 1000} s`)
      const before = meter.snapshot()
      const latency = await measureLatency({
        brokers: env.KAFKA_BROKERS!,
        registryUrl: env.SCHEMA_REGISTRY_URL!,
        topics: lat.topics,
        partitions: o.partitions,
        rate: o.rate,
        durationMs: o.latencyMs,
        warmupMs: 3_000,
        users: o.users,
      })
      result.latency = { ...latency, cpu: CpuMeter.between(before, meter.snapshot()) }
      for (const service of services) await stop(service)
    }

    if (!v['skip-broker']) {
      const sampleBytes = result.latency?.avgSampleBytes ?? 370
      const rawBytes = Math.round(preload.bytes / preload.batches)
      const cases = [
        {
          label: 'sample',
          topic: `${main.prefix}perf-samples`,
          bytes: sampleBytes,
          records: preload.samplesSent,
        },
        { label: 'raw batch', topic: `${main.prefix}perf-raw`, bytes: rawBytes, records: preload.batches },
      ]
      const admin = createAdmin({ bootstrapBrokers: [env.KAFKA_BROKERS!], clientId: 'healthstream-bench' })
      await ensureTopics(
        admin,
        cases.map((c) => ({ topic: c.topic, partitions: o.partitions })),
      ).finally(() => admin.close())
      for (const c of cases) {
        phase(`broker ceiling: ${c.records.toLocaleString('en')} records of ${c.bytes} B`)
        const ceiling = await brokerCeiling(
          c.label,
          {
            libs: env.KAFKA_LIBS!,
            brokers: env.KAFKA_BROKERS!,
            topic: c.topic,
            records: c.records,
            recordBytes: c.bytes,
            transactionalId: `${c.topic}-perf`,
            group: `${c.topic}-perf`,
            transactionMs: o.txMs,
          },
          meter,
        )
        result.broker.push(ceiling)
      }
    }
  } catch (error) {
    throw interrupted.signal.aborted ? new Error('interrupted; nothing written') : error
  } finally {
    process.off('SIGINT', onInterrupt)
    await teardown()
  }
  mkdirSync(join(v.out, '..'), { recursive: true })
  writeFileSync(v.out, `${JSON.stringify(result, null, 2)}\n`)
  printReport(result)
  console.log(`\nJSON: ${v.out}`)
}
