/**
 * Healthstream against what users would write instead, same stack, same input, same run: a Kafka Streams application (raw → aggregates) and the Iceberg Kafka Connect sink (validated → table).
 * `npm run bench -- peers [--help]`, on the local stack:
 *
 *   1. idle memory: the four services started on empty topics, their RSS once settled
 *   2. rounds, the order alternated: the simulator preloads --samples samples (same seed each time)
 *      on a fresh raw topic, then (a) ingest + validator + aggregator work it off, or (b) the Kafka
 *      Streams application (Java 17, Kafka Streams from Maven Central, built here on first use) does
 *      the same work in one JVM, twice in a row: its first pass is the fresh JVM's figure, its second
 *      the warmed-up JVM's
 *   3. lake rounds: --lake-rows validated samples preloaded; the lake-writer and the Iceberg Kafka
 *      Connect sink (standalone worker) each write them into a table of their own, order alternated
 *   4. the chain (`e2e`): raw → lake at full speed with the broker's single-hop ceiling, then paced at
 *      half that rate for the per-hop latencies and the lake's freshness
 * Prints the table of issue #17 with the ratios and which goals are met; writes JSON.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { testPipeline } from '@healthstream/testkit/stack'
import { projectRoot } from '../stack/paths.ts'
import { healthstreamRound } from './lib/peers/healthstream-round.ts'
import { idleMemory } from './lib/peers/idle-memory.ts'
import { lakeRound } from './lib/peers/lake-round.ts'
import { formatPeers, type PeersResult } from './lib/peers/report.ts'
import type { ChainFigures, LakeRoundResult, Preload, RoundResult } from './lib/peers/round.ts'
import { streamsRound } from './lib/peers/streams-round.ts'
import { cleanUp, envFlags, stackEnv } from './lib/stack.ts'
import type { Percentiles } from './lib/stats.ts'

const USAGE = `usage: npm run bench -- peers [flags]
  --samples N        samples preloaded on health-data-raw for each round (default 1000000)
  --users N          simulated users (default 1000)
  --partitions N     partitions of every topic (default 4)
  --rounds N         rounds of each system (default 2; the order alternates round by round)
  --first WHO        healthstream or kafka-streams: who goes first in round 1 (default healthstream)
  --lake-rows N      validated rows for the lake rounds (default 1000000; 0 leaves them out)
  --chain-samples N  samples of the full-speed raw → lake run (default 1000000; 0 leaves the chain out)
  --env K=V          extra environment for the services (repeatable)
  --timeout S        longest one round may take (default 900)
  --out PATH         JSON results (default bench-results/peers.json)`

const FLAGS = {
  samples: { type: 'string', default: '1000000' },
  users: { type: 'string', default: '1000' },
  partitions: { type: 'string', default: '4' },
  rounds: { type: 'string', default: '2' },
  first: { type: 'string', default: 'healthstream' },
  'lake-rows': { type: 'string', default: '1000000' },
  'chain-samples': { type: 'string', default: '1000000' },
  env: { type: 'string', multiple: true },
  timeout: { type: 'string', default: '900' },
  out: { type: 'string', default: join(projectRoot, 'bench-results', 'peers.json') },
  help: { type: 'boolean', default: false },
} as const

const log = (line: string) => process.stderr.write(`peers bench: ${line}\n`)

export async function run(args: readonly string[]): Promise<void> {
  const { values: v } = parseArgs({ args: [...args], options: FLAGS, strict: true })
  if (v.help) return console.log(USAGE)
  const int = (name: keyof typeof FLAGS, min: number): number => {
    const value = Number(String(v[name]).replaceAll('_', ''))
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}`)
    return value
  }
  if (v.first !== 'healthstream' && v.first !== 'kafka-streams')
    throw new Error('--first must be healthstream or kafka-streams')
  const preload: Preload = {
    samples: int('samples', 1),
    users: int('users', 1),
    partitions: int('partitions', 1),
  }
  const rounds = int('rounds', 1)
  const lakeRows = int('lake-rows', 0)
  const chainSamples = int('chain-samples', 0)
  const timeoutMs = int('timeout', 1) * 1000
  const env = stackEnv()
  const serviceEnv: Record<string, string> = {
    TOPIC_PARTITIONS: String(preload.partitions),
    KAFKA_SESSION_TIMEOUT: '10s',
    DEDUP_HORIZON: '1h', // the marks expire soon even if the clean-up is skipped
    ...envFlags(v.env),
  }
  const isolated = async <T>(label: string, work: (p: ReturnType<typeof testPipeline>) => Promise<T>) => {
    const pipeline = testPipeline(label)
    try {
      return await work(pipeline)
    } finally {
      await cleanUp(env.KAFKA_BROKERS!, env.REDIS_URL!, pipeline.prefix).catch((e: Error) =>
        log(`clean-up of ${pipeline.prefix} failed: ${e.message}`),
      )
    }
  }

  const startedAt = new Date().toISOString()
  log('idle memory of the four services')
  const idleRssMiB = await isolated('bench-peers-idle', (p) => idleMemory(p, serviceEnv))
  log(`idle RSS MiB ${JSON.stringify(idleRssMiB)}`)

  const results: RoundResult[] = []
  for (let round = 0; round < rounds; round++) {
    const healthstreamFirst = (round % 2 === 0) === (v.first === 'healthstream')
    for (const who of healthstreamFirst ? ['hs', 'ks'] : ['ks', 'hs']) {
      log(`round ${round + 1}: ${who === 'hs' ? 'Healthstream' : 'Kafka Streams'}`)
      const done =
        who === 'hs'
          ? [await isolated('bench-peers-hs', (p) => healthstreamRound(p, preload, serviceEnv, timeoutMs))]
          : await isolated('bench-peers-ks', (p) => streamsRound(p, preload, serviceEnv))
      for (const r of done) log(`  ${r.system}: ${Math.round(r.samples / r.seconds)} samples/s`)
      results.push(...done)
    }
  }

  const lake: LakeRoundResult[] = []
  for (let round = 0; lakeRows > 0 && round < rounds; round++) {
    log(`lake round ${round + 1}: ${lakeRows} validated rows`)
    const order =
      round % 2 === 0
        ? (['lake-writer', 'iceberg-connect'] as const)
        : (['iceberg-connect', 'lake-writer'] as const)
    const done = await isolated('bench-peers-lake', (p) =>
      lakeRound(
        p,
        { rows: lakeRows, users: preload.users, partitions: preload.partitions },
        order,
        serviceEnv,
        timeoutMs,
      ),
    )
    for (const r of done) log(`  ${r.system}: ${Math.round(r.rows / r.seconds)} rows/s`)
    lake.push(...done)
  }

  const chain = chainSamples > 0 ? await chainFigures(chainSamples, preload, v.env ?? [], v.out) : undefined
  const result: PeersResult = {
    startedAt,
    machine: { cores: navigator.hardwareConcurrency, node: process.version },
    options: { ...preload, rounds, first: v.first, lakeRows, chainSamples, serviceEnv },
    rounds: results,
    lake,
    idleRssMiB,
    ...(chain ? { chain } : {}),
  }
  mkdirSync(dirname(v.out), { recursive: true })
  writeFileSync(v.out, `${JSON.stringify(result, null, 2)}\n`)
  console.log(`\n${formatPeers(result, v.out)}`)
}

/**
 * The end-to-end benchmark twice, in this process: at full speed (with the broker's ceiling), then
 * paced at half the rate it reached, for the per-hop latencies and the lake's freshness.
 */
async function chainFigures(
  samples: number,
  preload: Preload,
  extraEnv: readonly string[],
  out: string,
): Promise<ChainFigures> {
  const e2e = await import('./e2e.ts')
  const base = ['--users', String(preload.users), '--partitions', String(preload.partitions)]
  const envArgs = extraEnv.flatMap((kv) => ['--env', kv])
  const fullOut = out.replace(/\.json$/, '-chain.json')
  log(`chain at full speed: ${samples} samples`)
  await e2e.run(['--samples', String(samples), ...base, ...envArgs, '--out', fullOut])
  const full = JSON.parse(readFileSync(fullOut, 'utf8')) as E2EJson
  const rate = Math.max(1, Math.round(full.endToEnd.samplesPerSecond / 2))
  const pacedOut = out.replace(/\.json$/, '-paced.json')
  // A minute of samples at the paced rate: enough commits for a p99 of the lake's freshness
  const pacedSamples = rate * 60
  log(`chain paced at ${rate} samples/s: ${pacedSamples} samples`)
  await e2e.run([
    '--samples',
    String(pacedSamples),
    '--rate',
    String(rate),
    '--skip-broker',
    ...base,
    ...envArgs,
    '--out',
    pacedOut,
  ])
  const paced = JSON.parse(readFileSync(pacedOut, 'utf8')) as E2EJson
  const commitInterval = /^(\d+)s$/.exec(paced.serviceEnv.COMMIT_INTERVAL ?? '10s')
  return {
    maxSamplesPerSecond: full.endToEnd.samplesPerSecond,
    ceilingSamplesPerSecond: full.ceiling?.samplesPerSecond,
    peakRssMiB: Object.fromEntries(Object.entries(full.hops).map(([k, h]) => [k, h.use.rssPeakMiB])),
    paced: {
      rate,
      warmupSeconds: paced.warmupSeconds,
      hops: percentilesOf(paced, (h) => h.steadyLatency ?? h.latency),
      whole: percentilesOf(paced, (h) => h.latency),
      freshness: paced.freshness ? { p50: paced.freshness.p50, p99: paced.freshness.p99 } : undefined,
      commitIntervalMs: commitInterval ? Number(commitInterval[1]) * 1000 : 10_000,
    },
  }
}

/** p50 and p99 of each Kafka hop, as `pick` takes them from its result. */
function percentilesOf(result: E2EJson, pick: (hop: E2EJson['hops'][string]) => Percentiles | undefined) {
  return Object.fromEntries(
    Object.entries(result.hops).flatMap(([k, h]) => {
      const p = pick(h)
      return HOPS.includes(k) && p !== undefined ? [[k, { p50: p.p50, p99: p.p99 }]] : []
    }),
  )
}

/** The Kafka hops whose latency the goal names; the lake-writer's is the lake's freshness. */
const HOPS = ['ingest', 'validator', 'aggregator']

/** The parts of the end-to-end benchmark's JSON read here. */
interface E2EJson {
  readonly endToEnd: { readonly samplesPerSecond: number }
  readonly ceiling?: { readonly samplesPerSecond: number }
  readonly serviceEnv: Readonly<Record<string, string>>
  readonly freshness?: { readonly p50: number; readonly p99: number }
  readonly warmupSeconds?: number
  readonly hops: Readonly<
    Record<string, { use: { rssPeakMiB: number }; latency?: Percentiles; steadyLatency?: Percentiles }>
  >
}
