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
import { localTarget } from '@healthstream/lake-writer/testing'
import { parseTruth } from '@healthstream/simulator'
import {
  checkAggregateTables,
  checkErrors,
  checkRaw,
  completeBefore,
  expectedWindows,
  GRANULARITIES,
  HOUR,
  maxEventLag,
  outcomes,
  readTable,
  snapshotSummary,
} from '@healthstream/testkit/lake'
import { chainServices, simulateInto, testPipeline, waitForLake } from '@healthstream/testkit/stack'

const OUT_OF_ORDERNESS = 2 * HOUR
const LATENESS = { daily: 6 * HOUR, weekly: 6 * HOUR, monthly: 6 * HOUR } as const
const START = Date.parse('2026-01-20T00:00:00Z') // a Tuesday; the run spans Jan 20 → Feb 20

describe('simulator → ingest → validator → aggregator → lake-writer → pyiceberg', {
  timeout: 240_000,
}, () => {
  const pipeline = testPipeline('e2e')
  const dir = mkdtempSync(join(tmpdir(), 'hs-e2e-'))
  const target = localTarget(join(dir, 'lake'))
  const { all: services } = chainServices(pipeline, {
    lake: target.env,
    windows: { zone: 'utc', outOfOrderness: OUT_OF_ORDERNESS, lateness: LATENESS },
  })
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
    const truthPath = await simulateInto(pipeline, {
      samples: 20_000,
      users: 3,
      seed: 11,
      v2Share: 0.5,
      invalidShare: 0.05,
      duplicateShare: 0.03,
      lateShare: 0,
      outOfOrderShare: 0.05,
      start: START,
    })
    const truth = parseTruth(readFileSync(truthPath, 'utf8'))
    const { valid, invalid } = outcomes(truth)
    assert.ok(
      truth.some((t) => t.duplicate),
      'the run re-uploads some batches',
    )
    assert.ok(invalid.length > 0)

    // The precondition that makes "no TOO_LATE" the right expectation (see the header)
    const { maxLag, endOfData } = maxEventLag(valid)
    assert.ok(
      maxLag < OUT_OF_ORDERNESS + LATENESS.daily,
      `no sample trails the largest event time before it by more than the daily lateness (${maxLag / HOUR} h)`,
    )

    await Promise.all(services.map((s) => s.start()))
    try {
      await waitForLake({
        prefix: pipeline.prefix,
        topics: pipeline.topics,
        validSamples: valid.length,
        ref: target.ref,
        timeouts: { validated: 90_000, aggregator: 60_000, lake: 60_000 },
      })
    } catch (error) {
      const tails = services.map((s) => `${s.name}:\n${s.lines.slice(-5).join('\n')}`).join('\n')
      throw new Error(`${(error as Error).message}\n${tails}`)
    }
    const drainedAfter = Date.now() - t0

    const raw = await readTable({ ...target.ref('health_data_raw'), sort: ['user_id', 'sample_id'] })
    assert.deepEqual(checkRaw(raw, valid), [])
    const errors = await readTable({ ...target.ref('health_data_errors'), sort: ['error_id'] })
    // The validator drops re-uploaded copies of valid samples only: each sent copy of an invalid
    // sample (re-uploads included) is its own dead letter
    assert.deepEqual(checkErrors(errors, truth), [])

    // The last batch leaves the watermark at the largest event time − out-of-orderness (the other
    // partitions are idle by then, their windows fire by it): rows and finals are exactly determined
    const watermark = endOfData - OUT_OF_ORDERNESS
    const tables = await checkAggregateTables({
      ref: target.ref,
      expected: expectedWindows(valid),
      lateness: LATENESS,
      watermark,
    })
    for (const [granularity, checked] of Object.entries(tables)) {
      assert.deepEqual(checked.violations, [])
      assert.ok(checked.finals > 0, `${granularity}: some windows must be final`)
      console.log(
        `${granularity}: ${checked.rows} rows (${checked.finals} final) of ${checked.windows} windows`,
      )
    }
    // Completeness: the aggregator's marks reach the aggregate tables, from every input partition that
    // had data, on every partition of the aggregates topic, never past its watermark. A partition
    // without data (3 users on 4 partitions) holds healthstream.complete-before back, in every table.
    const second = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`
    const summary = async (table: string) => (await snapshotSummary(target.ref(table)))?.summary ?? {}
    const rawTimes = JSON.parse((await summary('health_data_raw'))['healthstream.partition-event-times']!)
    const withData = Object.keys(rawTimes[pipeline.topics.validated]).sort()
    for (const granularity of GRANULARITIES) {
      const table = `health_data_${granularity}_agg`
      const marks = JSON.parse((await summary(table))['healthstream.partition-watermarks']!)[
        pipeline.topics.aggregates
      ] as Record<string, Record<string, number>>
      assert.deepEqual(
        Object.keys(marks).sort(),
        ['0', '1', '2', '3'],
        `${granularity}: marks on every partition`,
      )
      for (const bySource of Object.values(marks)) {
        assert.deepEqual(
          Object.keys(bySource).sort(),
          withData,
          `${granularity}: from every input partition with data`,
        )
        for (const w of Object.values(bySource))
          assert.ok(w <= watermark, `${granularity}: never past the watermark`)
      }
      const answer = await completeBefore(target.ref(table), second(watermark / 1000))
      assert.deepEqual(
        answer,
        withData.length < 4 ? { complete: false, completeBefore: null } : answer,
        `${granularity}: held back by the partition without data`,
      )
      if (answer.completeBefore !== null) assert.ok(answer.completeBefore <= second(watermark / 1000))
    }
    for (const s of services) assert.deepEqual(s.unexpectedExits, [], `${s.name} exits`)
    console.log(
      `e2e: ${truth.length} samples sent (${valid.length} valid, ${invalid.length} invalid → ${errors.length} dead letters), drained after ${drainedAfter} ms, maxLag ${(maxLag / HOUR).toFixed(2)} h`,
    )
  })
})
