/**
 * The whole chain on the real local stack: simulator (fixed seed) → ingest → validator → aggregator →
 * lake-writer, then the lake read back through pyiceberg and compared with the simulator's ground
 * truth:
 * - `health_data_raw` holds exactly the valid samples (user, sample id, data type, canonical value,
 *   start/end micros), each once;
 * - `health_data_errors` holds exactly the invalid ones, with their reason codes;
 * - each `*_agg` table holds, per user/type/window, the count, sum, min, max (and mean, unit, window
 *   end) of an aggregation computed here, independently, from the ground truth.
 *
 * Determinism. Which samples arrive after their window closed, and which windows are final at the
 * end, depend on how batches cut the streams and on how partitions progress against each other. The
 * run is set up so that both are fixed by the ground truth, and the test checks the precondition on
 * the ground truth instead of trusting it:
 * - `lateShare: 0` (no samples held back for hours);
 * - every topic has 4 partitions (`TOPIC_PARTITIONS=4`, simulator `partitions: 4`; 3 users, so at
 *   least one partition stays empty) and the aggregator runs with `PARTITION_IDLE_TIMEOUT=1ms`: a
 *   partition without records in a batch never holds the others back, and one whose data ran out has
 *   its due windows fired by the others' watermark in their batches. The simulator writes uploads in
 *   simulated-time order and every hop keeps partition order, so no sample trails the largest event
 *   time before it by more than `maxLag` (computed below, ≈ 7 h here). (With the default idle timeout
 *   the empty partitions hold the watermark at "none" for a minute after assignment, the backlog is
 *   through long before, and without input no batch comes to fire anything: see the aggregator's
 *   quiet-input note.)
 * - OUT_OF_ORDERNESS + ALLOWED_LATENESS_DAILY > maxLag, so the daily window of every sample still
 *   takes it. Samples do arrive after their window fired (late updates, new revisions), but the
 *   expected set of TOO_LATE dead letters is empty.
 * At the end the watermark is the largest event time − OUT_OF_ORDERNESS (windows only move with
 * data), so: a window has a row iff the watermark passed its end; the row is final iff the watermark
 * passed end + lateness; every row, final or not, holds the statistics of all the window's samples
 * (all data has been processed; the newest revision wins in the table).
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { type ConsumedRecord, readCommittedTopic } from '@healthstream/shared/kafka'
import { Admin } from '@platformatic/kafka'
import { localTarget } from '../../services/lake-writer/test/support/stack.ts'
import { type Row, readTable, snapshotSummary } from '../lake/reader.ts'
import { simulatorOptions } from '../simulator/options.ts'
import { simulate } from '../simulator/simulate.ts'
import { parseTruth, type TruthEntry } from '../simulator/truth.ts'
import { endpoint } from '../test-support/endpoints.ts'
import { multiplicity, testPipeline } from '../test-support/pipeline.ts'
import { eventually } from '../test-support/services.ts'

const HOUR = 3_600_000_000 // micros
const DAY = 24 * HOUR
const OUT_OF_ORDERNESS = 2 * HOUR
const LATENESS = { daily: 6 * HOUR, weekly: 6 * HOUR, monthly: 6 * HOUR } as const
const START = Date.parse('2026-01-20T00:00:00Z') // a Tuesday; the run spans Jan 20 → Feb 20

const kafka = { bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'e2e-test-reader' }

/** A consumer group's committed offset per partition of one topic. */
async function committedOffsets(group: string, topic: string): Promise<Map<number, bigint>> {
  const admin = new Admin({ clientId: 'e2e-test-admin', bootstrapBrokers: kafka.bootstrapBrokers })
  try {
    const [offsets] = await admin.listConsumerGroupOffsets({ groups: [group] })
    const partitions = offsets?.topics.find((t) => t.name === topic)?.partitions ?? []
    return new Map(partitions.map((p) => [p.partitionIndex, p.committedOffset]))
  } finally {
    await admin.close()
  }
}

/** Per partition: the offset after the last record. */
function nextOffsets(records: readonly ConsumedRecord[]): Map<number, bigint> {
  const out = new Map<number, bigint>()
  for (const r of records)
    if (r.offset + 1n > (out.get(r.partition) ?? 0n)) out.set(r.partition, r.offset + 1n)
  return out
}

type Granularity = 'daily' | 'weekly' | 'monthly'

interface Expected {
  readonly userId: string
  readonly dataType: string
  readonly granularity: Granularity
  readonly start: number
  readonly end: number
  count: number
  sum: number
  min: number
  max: number
}

const dayStart = (micros: number) => Math.floor(micros / DAY) * DAY
/** Monday 00:00 UTC of the ISO week (1970-01-01 was a Thursday). */
const weekStart = (micros: number) => {
  const days = Math.floor(micros / DAY)
  return (days - ((days + 3) % 7)) * DAY
}
const monthBounds = (micros: number): [number, number] => {
  const d = new Date(micros / 1000)
  return [
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) * 1000,
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) * 1000,
  ]
}

/** Counts, sums, minima and maxima per user/type and UTC day, ISO week and calendar month of the start. */
function expectedWindows(valid: readonly TruthEntry[]): Map<string, Expected> {
  const out = new Map<string, Expected>()
  for (const t of valid) {
    const start = t.startMicros!
    const bounds: [Granularity, number, number][] = [
      ['daily', dayStart(start), dayStart(start) + DAY],
      ['weekly', weekStart(start), weekStart(start) + 7 * DAY],
      ['monthly', ...monthBounds(start)],
    ]
    for (const [granularity, ws, we] of bounds) {
      const key = windowKey(t.userId, t.dataType, granularity, ws)
      const e = out.get(key)
      const v = t.value!
      if (e === undefined) {
        out.set(key, {
          userId: t.userId,
          dataType: t.dataType,
          granularity,
          start: ws,
          end: we,
          count: 1,
          sum: v,
          min: v,
          max: v,
        })
      } else {
        e.count++
        e.sum += v
        e.min = Math.min(e.min, v)
        e.max = Math.max(e.max, v)
      }
    }
  }
  return out
}

const windowKey = (user: string, type: string, granularity: string, start: number) =>
  JSON.stringify([user, type, granularity, start])

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))

describe('simulator → ingest → validator → aggregator → lake-writer → pyiceberg', {
  timeout: 240_000,
}, () => {
  const pipeline = testPipeline('e2e')
  const dir = mkdtempSync(join(tmpdir(), 'hs-e2e-'))
  const target = localTarget(join(dir, 'lake'))
  const four = { TOPIC_PARTITIONS: '4' }
  const ingest = pipeline.service('ingest', four)
  const validator = pipeline.service('validator', four)
  const aggregator = pipeline.service('aggregator', {
    ...four,
    DAILY_WINDOW_ZONE: 'utc',
    OUT_OF_ORDERNESS: `${OUT_OF_ORDERNESS / 1000}ms`,
    ALLOWED_LATENESS_DAILY: `${LATENESS.daily / 1000}ms`,
    ALLOWED_LATENESS_WEEKLY: `${LATENESS.weekly / 1000}ms`,
    ALLOWED_LATENESS_MONTHLY: `${LATENESS.monthly / 1000}ms`,
    PARTITION_IDLE_TIMEOUT: '1ms',
  })
  const writer = pipeline.service('lake-writer', { ...four, ...target.env, COMMIT_INTERVAL: '1s' })
  const services = [ingest, validator, aggregator, writer]
  after(async () => {
    for (const service of services) {
      const problems = service.lines.filter((l) => !l.includes('"level":"info"'))
      if (problems.length > 0) console.error(`${service.name} logged:\n${problems.slice(-10).join('\n')}`)
    }
    await Promise.all(services.map((s) => s.stop()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('fills the lake with exactly the ground truth: raw samples, dead letters, window aggregates', async () => {
    const t0 = Date.now()
    mkdirSync(join(dir, 'lake'))
    const truthPath = join(dir, 'truth.ndjson')
    await simulate(
      simulatorOptions({
        samples: 20_000,
        users: 3,
        seed: 11,
        v2Share: 0.5,
        invalidShare: 0.05,
        duplicateShare: 0.03,
        lateShare: 0,
        outOfOrderShare: 0.05,
        start: START,
        truthPath,
        topic: pipeline.topics.raw,
        partitions: 4,
        brokers: [endpoint('KAFKA_BROKERS')],
        registryUrl: endpoint('SCHEMA_REGISTRY_URL'),
        progress: false,
      }),
    )
    const truth = parseTruth(readFileSync(truthPath, 'utf8'))
    const firstCopies = truth.filter((t) => !t.duplicate)
    const valid = firstCopies.filter((t) => t.outcome === 'valid')
    const invalid = firstCopies.filter((t) => t.outcome !== 'valid')
    assert.ok(
      truth.some((t) => t.duplicate),
      'the run re-uploads some batches',
    )
    assert.ok(invalid.length > 0)

    // The precondition that makes "no TOO_LATE" the right expectation (see the header)
    let maxSeen = Number.NEGATIVE_INFINITY
    let maxLag = 0
    for (const t of valid) {
      maxSeen = Math.max(maxSeen, t.startMicros!)
      maxLag = Math.max(maxLag, maxSeen - t.startMicros!)
    }
    assert.ok(
      maxLag < OUT_OF_ORDERNESS + LATENESS.daily,
      `no sample trails the largest event time before it by more than the daily lateness (${maxLag / HOUR} h)`,
    )
    const endOfData = maxSeen

    await Promise.all(services.map((s) => s.start()))

    // Wait for the chain to drain: the validator has written every valid sample; the aggregator's
    // group has committed past the last of them in every partition; each table's snapshot summary
    // records offsets past the last record of its topic. (Not "lag 0" nor the lake-writer tests'
    // `drained()`: on these transactional topics the end offset also counts the commit marker after
    // the last record, which no consumer position or recorded offset ever reaches.)
    let state = ''
    try {
      let validated: readonly ConsumedRecord[] = []
      await eventually(
        `${valid.length} validated samples`,
        async () => {
          validated = await readCommittedTopic(kafka, pipeline.topics.validated)
          state = `validated: ${validated.length} of ${valid.length}`
          return validated.length >= valid.length
        },
        90_000,
      )
      const needed = nextOffsets(validated)
      await eventually(
        'the aggregator to commit past the last validated sample',
        async () => {
          const committed = await committedOffsets(
            `${pipeline.prefix}healthstream-aggregator`,
            pipeline.topics.validated,
          )
          state = `aggregator committed ${JSON.stringify([...committed].map(([p, o]) => [p, String(o)]))} of ${JSON.stringify([...needed].map(([p, o]) => [p, String(o)]))}`
          return [...needed].every(([p, o]) => (committed.get(p) ?? -1n) >= o)
        },
        60_000,
      )
      // What each table must record: past the last record of its topic in every partition
      const wanted: [string, string, Map<number, bigint>][] = [
        ['health_data_raw', pipeline.topics.validated, nextOffsets(validated)],
        [
          'health_data_errors',
          pipeline.topics.errors,
          nextOffsets(await readCommittedTopic(kafka, pipeline.topics.errors)),
        ],
      ]
      const aggregates = nextOffsets(await readCommittedTopic(kafka, pipeline.topics.aggregates))
      for (const g of ['daily', 'weekly', 'monthly'])
        wanted.push([`health_data_${g}_agg`, pipeline.topics.aggregates, aggregates])
      await eventually(
        'the lake to hold all of the topics',
        async () => {
          const behind: string[] = []
          for (const [table, topic, next] of wanted) {
            const summary = await snapshotSummary(target.ref(table))
            const recorded = JSON.parse(summary?.summary['healthstream.kafka-offsets'] ?? '{}') as Record<
              string,
              Record<string, number>
            >
            for (const [p, o] of next) {
              const at = recorded[topic]?.[String(p)]
              if (at === undefined || BigInt(at) < o) behind.push(`${table} ${topic}[${p}] at ${at} < ${o}`)
            }
          }
          state = `tables behind: ${behind.join(', ')}`
          return behind.length === 0
        },
        60_000,
      )
    } catch (error) {
      const tails = services.map((s) => `${s.name}:\n${s.lines.slice(-5).join('\n')}`).join('\n')
      throw new Error(`${(error as Error).message}; last seen: ${state}\n${tails}`)
    }
    const drainedAfter = Date.now() - t0

    // health_data_raw: exactly the valid samples, each once, with their values
    const raw = await readTable({ ...target.ref('health_data_raw'), sort: ['user_id', 'sample_id'] })
    const rawKey = (r: Row) => `${r.user_id}/${r.sample_id}`
    assert.deepEqual(
      [...multiplicity(raw, rawKey).values()].filter((n) => n !== 1),
      [],
      'each valid sample once; re-uploads dropped',
    )
    const rawForm = (r: Row) =>
      JSON.stringify([r.user_id, r.sample_id, r.data_type, r.value, r.start_time, r.end_time ?? null])
    const truthForm = (t: TruthEntry) =>
      JSON.stringify([t.userId, t.sampleId, t.dataType, t.value, t.startMicros, t.endMicros ?? null])
    assert.equal(raw.length, valid.length)
    assert.deepEqual(raw.map(rawForm).sort(), valid.map(truthForm).sort())

    // health_data_errors: exactly the invalid samples with their reason codes; nothing TOO_LATE
    const errors = await readTable({ ...target.ref('health_data_errors'), sort: ['error_id'] })
    const errorForm = (user: unknown, sample: unknown, reason: unknown) => `${user}/${sample}:${reason}`
    const gotErrors = multiplicity(errors, (e) =>
      errorForm(e.user_id ?? '', e.sample_id ?? '', e.reason_code),
    )
    assert.deepEqual(
      new Set(gotErrors.keys()),
      new Set(invalid.map((t) => errorForm(t.userId, t.sampleId, t.outcome))),
    )
    // The validator drops re-uploaded copies of valid samples only: each sent copy of an invalid
    // sample (re-uploads included) is its own dead letter
    const sentCopies = multiplicity(
      truth.filter((t) => t.outcome !== 'valid'),
      (t) => errorForm(t.userId, t.sampleId, t.outcome),
    )
    assert.deepEqual(
      [...gotErrors].filter(([key, n]) => sentCopies.get(key) !== n),
      [],
      'one dead letter per sent copy of an invalid sample',
    )
    assert.equal(errors.filter((e) => e.reason_code === 'TOO_LATE').length, 0)
    assert.deepEqual(
      [...new Set(errors.map((e) => e.error_id))].length,
      errors.length,
      'each dead letter once',
    )

    // *_agg: every row equals the independently computed window; final rows for all windows that
    // ended (with lateness) well before the end of the data
    const expected = expectedWindows(valid)
    for (const granularity of ['daily', 'weekly', 'monthly'] as const) {
      const rows = await readTable({
        ...target.ref(`health_data_${granularity}_agg`),
        sort: ['user_id', 'data_type', 'window_start'],
      })
      assert.ok(rows.length > 0, `${granularity}: rows`)
      const seen = multiplicity(rows, (r) =>
        windowKey(String(r.user_id), String(r.data_type), granularity, Number(r.window_start)),
      )
      assert.deepEqual(
        [...seen.values()].filter((n) => n !== 1),
        [],
        `${granularity}: one row per window`,
      )
      const mismatches: string[] = []
      for (const r of rows) {
        const key = windowKey(String(r.user_id), String(r.data_type), granularity, Number(r.window_start))
        const e = expected.get(key)
        if (e === undefined) {
          mismatches.push(`unexpected window ${key}`)
          continue
        }
        const ok =
          r.granularity === granularity &&
          r.zone === 'UTC' &&
          Number(r.window_end) === e.end &&
          Number(r.count) === e.count &&
          close(Number(r.sum), e.sum) &&
          r.min === e.min &&
          r.max === e.max &&
          close(Number(r.mean), e.sum / e.count)
        if (!ok)
          mismatches.push(
            `${key} final=${r.is_final}: got count=${r.count} sum=${r.sum} min=${r.min} max=${r.max} end=${r.window_end}, ` +
              `want count=${e.count} sum=${e.sum} min=${e.min} max=${e.max} end=${e.end}`,
          )
      }
      assert.deepEqual(mismatches.slice(0, 10), [], `${granularity}: ${mismatches.length} windows differ`)

      const finals = new Set(
        rows
          .filter((r) => r.is_final === true)
          .map((r) => windowKey(String(r.user_id), String(r.data_type), granularity, Number(r.window_start))),
      )
      // The last batch leaves the watermark at the largest event time − out-of-orderness (the other
      // partitions are idle by then, their windows fire by it)
      const watermark = endOfData - OUT_OF_ORDERNESS
      const ofGranularity = [...expected.entries()].filter(([, e]) => e.granularity === granularity)
      const mustBeFinal = ofGranularity.filter(([, e]) => e.end + LATENESS[granularity] <= watermark)
      const mustHaveRow = ofGranularity.filter(([, e]) => e.end <= watermark)
      assert.ok(mustBeFinal.length > 0, `${granularity}: some windows must be final`)
      assert.deepEqual(
        [...finals].sort(),
        mustBeFinal.map(([key]) => key).sort(),
        `${granularity}: final exactly the windows the watermark closed`,
      )
      assert.deepEqual(
        [...seen.keys()].sort(),
        mustHaveRow.map(([key]) => key).sort(),
        `${granularity}: a row for exactly the windows the watermark passed (no early firing)`,
      )
      console.log(
        `${granularity}: ${rows.length} rows (${finals.size} final) of ${ofGranularity.length} windows`,
      )
    }
    for (const s of services) assert.deepEqual(s.unexpectedExits, [], `${s.name} exits`)
    console.log(
      `e2e: ${truth.length} samples sent (${valid.length} valid, ${invalid.length} invalid → ${errors.length} dead letters), drained after ${drainedAfter} ms, maxLag ${(maxLag / HOUR).toFixed(2)} h`,
    )
  })
})
