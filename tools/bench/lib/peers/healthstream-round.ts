/**
 * One round of Healthstream's three Kafka hops over a preloaded backlog: the simulator fills
 * `health-data-raw` first, then ingest, validator and aggregator start and work it off. The round
 * ends when the aggregator has committed every validated sample (the counters its /metrics report
 * at each transaction), and is timed from the moment ingest was started, so start-up and the group
 * join count against us as they do against the Kafka Streams application.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { ServiceProcess, TestPipeline } from '@healthstream/testkit/stack'
import { runSimulator } from '../e2e-run.ts'
import { stackPid } from '../stack.ts'
import { type HopCounters, scrape } from '../throughput.ts'
import { ProcessWatch } from './process-use.ts'
import type { MemorySplit, Preload, RoundResult } from './round.ts'

const HOPS = ['ingest', 'validator', 'aggregator'] as const

export async function healthstreamRound(
  pipeline: TestPipeline,
  preload: Preload,
  serviceEnv: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<RoundResult> {
  const sim = await runSimulator({ ...preload, rate: 0 }, pipeline.topics.raw, () => undefined)
  const t = pipeline.topics
  const services = HOPS.map((name) => pipeline.service(name, { ...serviceEnv }))
  const watch = new ProcessWatch({ kafka: stackPid('kafka'), redis: stackPid('redis') })
  const started = performance.now()
  try {
    // One after the other: services starting together race on the registry's compatibility rule
    for (const s of services) {
      await s.start()
      watch.add(s.name, s.pid)
    }
    const counters = new Map<string, HopCounters>()
    const deadline = Date.now() + timeoutMs
    let memory: Record<string, MemorySplit> | undefined
    for (;;) {
      await Promise.all(services.map(async (s) => counters.set(s.name, await scrapeOr(s, counters))))
      watch.read()
      const [ingest, validator, aggregator] = HOPS.map((h) => counters.get(h))
      const done =
        ingest !== undefined &&
        validator !== undefined &&
        aggregator !== undefined &&
        ingest.recordsIn >= sim.batches &&
        validator.recordsIn >= (ingest.recordsOut[t.samples] ?? 0) &&
        aggregator.recordsIn >= (validator.recordsOut[t.validated] ?? 0)
      if (memory === undefined && ingest !== undefined && ingest.recordsIn > sim.batches / 2)
        memory = Object.fromEntries(
          await Promise.all(services.map(async (s) => [s.name, await memorySplit(s)])),
        )
      if (done) {
        const seconds = (performance.now() - started) / 1000
        const use = watch.use()
        return {
          system: 'healthstream',
          samples: sim.samplesSent,
          seconds,
          processes: use,
          app: [...HOPS],
          outputs: {
            validated: validator.recordsOut[t.validated] ?? 0,
            deadLetters: (ingest.recordsOut[t.errors] ?? 0) + (validator.recordsOut[t.errors] ?? 0),
            aggregates: aggregator.recordsOut[t.aggregates] ?? 0,
          },
          settings: { ...serviceEnv },
          machine: watch.machine(),
          ...(memory ? { memory } : {}),
        }
      }
      if (Date.now() > deadline)
        throw new Error(`Healthstream did not work off the backlog in ${timeoutMs / 1000} s`)
      await sleep(200)
    }
  } finally {
    for (const s of services) await s.stop().catch(() => undefined)
  }
}

/** A failed scrape (a busy service) keeps the last counters. */
async function scrapeOr(s: ServiceProcess, last: ReadonlyMap<string, HopCounters>): Promise<HopCounters> {
  try {
    return await scrape(s)
  } catch (error) {
    const previous = last.get(s.name)
    if (previous) return previous
    if (s.pid === undefined) throw error
    return { recordsIn: 0, recordsOut: {}, committed: 0, aborted: 0, txSeconds: 0 }
  }
}

const MEMORY_METRICS: Record<string, keyof MemorySplit> = {
  process_resident_memory_bytes: 'rss',
  nodejs_heap_size_used_bytes: 'heapUsed',
  nodejs_heap_size_total_bytes: 'heapTotal',
  nodejs_external_memory_bytes: 'external',
}

/** The service's memory by kind, from its /metrics (prom-client's process and nodejs gauges). */
async function memorySplit(s: ServiceProcess): Promise<MemorySplit> {
  const split = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0 }
  const text = await (await s.fetch('/metrics')).text()
  for (const m of text.matchAll(/^(\w+)(?:\{[^}]*\})?\s+(\S+)$/gm)) {
    const key = MEMORY_METRICS[m[1]!]
    if (key) split[key] = Math.round(Number(m[2]) / 1048576)
  }
  return split
}
