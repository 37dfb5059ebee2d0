/**
 * One chaos run on the stack in the environment: the four services on an isolated topic prefix, a lake
 * on PostgreSQL (SQL catalog) and S3 (versitygw warehouse), the simulator sending at a fixed rate, and
 * the fault plan carried out meanwhile. Afterwards it waits for the chain to drain and checks the lake
 * through pyiceberg against the simulator's ground truth, with the end-to-end test's invariants.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { SimulateStats } from '@healthstream/simulator'
import { parseTruth } from '@healthstream/simulator'
import {
  checkAggregates,
  checkErrors,
  checkRaw,
  expectedWindows,
  GRANULARITIES,
  HOUR,
  maxEventLag,
  outcomes,
  readTable,
  type ZoneDays,
  zoneDays,
} from '@healthstream/testkit/lake'
import type { ServiceProcess } from '@healthstream/testkit/stack'
import { simulateWithStats, testPipeline, waitForLake } from '@healthstream/testkit/stack'
import { Fleet, type ServerRecord, type ServiceRecord, serverFault } from './faults.ts'
import { type ChaosLake, chaosLake } from './lake-target.ts'
import type { ChaosOptions } from './options.ts'
import { batchCopies, rawTopicCopies } from './raw-copies.ts'
import { type FaultPlan, planFaults, SERVICES, type ServiceName } from './schedule.ts'

const OUT_OF_ORDERNESS = 2 * HOUR
const LATENESS = 12 * HOUR

/** Everything a run saw and checked; also the JSON report. */
export interface ChaosReport {
  readonly options: ChaosOptions
  readonly plan: FaultPlan
  readonly simulator: Pick<SimulateStats, 'samples' | 'samplesSent' | 'batches' | 'resends' | 'elapsedMs'>
  readonly services: Record<string, ServiceRecord>
  readonly servers: ServerRecord[]
  readonly kills: number
  /** From the end of the last fault until the lake held everything. */
  readonly drainMs: number
  readonly totalMs: number
  readonly lake: {
    raw: number
    errors: number
    aggregates: Record<string, { rows: number; finals: number; windows: number }>
    /** The daily rows per zone: how many, the days not 24 hours long, when the days start (UTC). */
    days: Record<string, ZoneDays>
  }
  /** Batches on the raw topic more often than the simulator sent them (resends after a lost ack). */
  readonly extraRawCopies: number
  /** Broken invariants; empty = nothing lost, nothing duplicated, aggregates exact. */
  readonly violations: string[]
}

const log = (line: string) => process.stderr.write(`chaos: ${line}\n`)

export async function runChaos(options: ChaosOptions, dir: string): Promise<ChaosReport> {
  const t0 = Date.now()
  const plan = planFaults(options)
  log(
    `${options.samples} samples at ${options.rate}/s (~${Math.round(plan.sendMs / 1000)} s); ` +
      `${plan.kills.length} kills every ${options.killEveryMs} ms; ` +
      plan.servers.map((f) => `${f.server} ${f.kind} at ${Math.round(f.atMs / 1000)} s`).join(', '),
  )
  mkdirSync(dir, { recursive: true })
  const pipeline = testPipeline('chaos')
  const target = chaosLake()
  const windows = {
    DAILY_WINDOW_ZONE: options.dailyZone,
    OUT_OF_ORDERNESS: `${OUT_OF_ORDERNESS / 1000}ms`,
    ALLOWED_LATENESS_DAILY: `${LATENESS / 1000}ms`,
    ALLOWED_LATENESS_WEEKLY: `${LATENESS / 1000}ms`,
    ALLOWED_LATENESS_MONTHLY: `${LATENESS / 1000}ms`,
    // The default idle timeout (1 min), as in production: data flows on every partition, so each
    // holds the others back and no window closes before its own partition's data is in. (With the
    // end-to-end test's 1 ms, a partition missing from one batch would let the others close its
    // days, and its samples would count for their week and month only, by design.)
  }
  const env: Record<ServiceName, Record<string, string>> = {
    ingest: {},
    validator: {},
    aggregator: windows,
    'lake-writer': { ...target.env, COMMIT_INTERVAL: '2s' },
  }
  const services = new Map<ServiceName, ServiceProcess>(
    SERVICES.map((name) => [name, pipeline.service(name, { TOPIC_PARTITIONS: '4', ...env[name] })]),
  )
  const fleet = new Fleet(services, t0)
  const servers: ServerRecord[] = []
  let kills = 0
  try {
    await fleet.start()
    log('services up; sending')
    const sending = simulateWithStats(pipeline, {
      samples: options.samples,
      rate: options.rate,
      users: options.users,
      seed: options.seed,
      invalidShare: 0.03,
      duplicateShare: 0.02,
      lateShare: 0,
      outOfOrderShare: 0.05,
      start: options.start,
      zones: options.zones,
      retryForMs: 600_000,
    })
    const started = Date.now()
    const killLane = (async () => {
      for (const k of plan.kills) {
        await sleep(Math.max(0, started + k.atMs - Date.now()))
        await fleet.kill(k.service)
        kills++
        if (kills % 5 === 0) log(`${kills} kills`)
      }
    })()
    const serverLane = (async () => {
      for (const f of plan.servers) {
        await sleep(Math.max(0, started + f.atMs - Date.now()))
        log(`${f.server}: ${f.kind}${f.forMs > 0 ? ` for ${f.forMs / 1000} s` : ''}`)
        servers.push(await serverFault(f, t0))
      }
    })()
    const [{ truthPath, stats }] = await Promise.all([sending, killLane, serverLane])
    await fleet.ensureRunning()
    const faultsOver = Date.now()
    log(
      `faults over after ${Math.round((faultsOver - t0) / 1000)} s; ${stats.samplesSent} samples sent; draining`,
    )

    const truth = parseTruth(readFileSync(truthPath, 'utf8'))
    const { valid } = outcomes(truth)
    await waitForLake({
      prefix: pipeline.prefix,
      topics: pipeline.topics,
      validSamples: valid.length,
      ref: target.ref,
      timeouts: { validated: 600_000, aggregator: 300_000, lake: 300_000 },
      progress: (state) => log(state),
    })
    const drainMs = Date.now() - faultsOver
    log(`drained after ${Math.round(drainMs / 1000)} s; reading the lake through pyiceberg`)
    const rawTopic = stats.resends > 0 ? pipeline.topics.raw : undefined
    const checked = await checkLake(truth, target.ref, rawTopic, options.dailyZone)
    return {
      options,
      plan,
      simulator: {
        samples: stats.samples,
        samplesSent: stats.samplesSent,
        batches: stats.batches,
        resends: stats.resends,
        elapsedMs: Math.round(stats.elapsedMs),
      },
      services: Object.fromEntries(fleet.records),
      servers,
      kills,
      drainMs,
      totalMs: Date.now() - t0,
      ...checked,
    }
  } finally {
    await fleet.stop()
    // Every line each service logged, across its restarts, for a look after the run
    mkdirSync(join(dir, 'logs'), { recursive: true })
    for (const [name, service] of services)
      writeFileSync(join(dir, 'logs', `${name}.log`), `${service.lines.join('\n')}\n`)
    log(`service logs: ${join(dir, 'logs')}`)
  }
}

/** The end-to-end invariants, with the aggregator's final watermark bounded by the users' data. */
async function checkLake(
  truth: ReturnType<typeof parseTruth>,
  ref: ChaosLake['ref'],
  rawTopic: string | undefined,
  dailyZone: ChaosOptions['dailyZone'],
): Promise<Pick<ChaosReport, 'lake' | 'violations' | 'extraRawCopies'>> {
  const { valid } = outcomes(truth)
  const violations: string[] = []
  const { maxLag } = maxEventLag(valid)
  if (maxLag >= OUT_OF_ORDERNESS + LATENESS)
    violations.push(`precondition: a sample trails by ${maxLag / HOUR} h, more than the lateness allows`)

  // A million rows: only the compared columns, and time for pyiceberg to read them from S3
  const big = { timeoutMs: 900_000 }
  const raw = await readTable({
    ...ref('health_data_raw'),
    ...big,
    columns: ['user_id', 'sample_id', 'data_type', 'value', 'start_time', 'end_time'],
    sort: ['user_id', 'sample_id'],
  })
  violations.push(...checkRaw(raw, valid))
  // Resent batches (a send whose acknowledgement was lost in a broker restart) are on the topic twice:
  // their invalid samples rightly have a dead letter per copy
  const copies = rawTopic ? await rawTopicCopies(rawTopic) : undefined
  const errors = await readTable({
    ...ref('health_data_errors'),
    ...big,
    columns: ['error_id', 'user_id', 'sample_id', 'reason_code'],
    sort: ['error_id'],
  })
  violations.push(
    ...checkErrors(errors, truth, copies ? (batch, n) => Math.max(n, copies.get(batch) ?? 0) : undefined),
  )
  const sent = copies ? batchCopies(truth) : undefined
  const extraRawCopies = copies ? [...copies].filter(([batch, n]) => n > (sent!.get(batch) ?? 0)).length : 0

  // Every partition's watermark ends between the smallest and the largest of its users' last event
  // times (− out-of-orderness): a window has a row / is final once the watermark passed it
  const lastOfUser = new Map<string, number>()
  for (const t of valid) lastOfUser.set(t.userId, Math.max(lastOfUser.get(t.userId) ?? 0, t.startMicros!))
  const bounds = {
    low: Math.min(...lastOfUser.values()) - OUT_OF_ORDERNESS,
    high: Math.max(...lastOfUser.values()) - OUT_OF_ORDERNESS,
  }
  const expected = expectedWindows(valid, { dailyZone })
  const aggregates: ChaosReport['lake']['aggregates'] = {}
  let days: ChaosReport['lake']['days'] = {}
  for (const granularity of GRANULARITIES) {
    const rows = await readTable({
      ...ref(`health_data_${granularity}_agg`),
      ...big,
      sort: ['user_id', 'data_type', 'window_start'],
    })
    const { violations: v, ...counts } = checkAggregates(granularity, rows, expected, LATENESS, bounds)
    violations.push(...v)
    aggregates[granularity] = counts
    if (granularity === 'daily') days = zoneDays(rows)
  }
  return { lake: { raw: raw.length, errors: errors.length, aggregates, days }, violations, extraRawCopies }
}
