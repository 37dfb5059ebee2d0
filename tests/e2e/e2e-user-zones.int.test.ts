/**
 * The whole chain with `DAILY_WINDOW_ZONE=user` across daylight-saving changes: the simulator's users
 * live in Berlin, Los Angeles, Sydney, Adelaide (+09:30/+10:30, with DST) and Kolkata (+05:30), and
 * six short runs of simulated time cover each of the zones' 2026 changes. The lake, read through
 * pyiceberg, must equal the recomputation of `packages/testkit/src/lake/invariants.ts` with daily
 * windows on each sample's local day (its batch's v2 `timeZone`; v1 batches carry none and count on
 * the UTC day), computed there apart from the aggregator's code; and the daily table must hold the
 * 23- and 25-hour days of each zone, and no other day that is not 24 hours long.
 *
 * Determinism as in `e2e.int.test.ts` (its header says why): no late samples, 4 partitions, an idle
 * timeout of 1 ms, out-of-orderness + daily lateness above the largest lag of a sample. The runs go
 * one after the other into the raw topic before the services start, each later in simulated time
 * than the one before, with a seed of its own (sample ids differ; the users' zones stay, round-robin).
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { localTarget } from '@healthstream/lake-writer/testing'
import { parseTruth, type TruthEntry } from '@healthstream/simulator'
import {
  checkAggregateTables,
  checkErrors,
  checkRaw,
  expectedWindows,
  HOUR,
  maxEventLag,
  outcomes,
  readTable,
  zoneDays,
} from '@healthstream/testkit/lake'
import { chainServices, simulateInto, testPipeline, waitForLake } from '@healthstream/testkit/stack'

const OUT_OF_ORDERNESS = 2 * HOUR
const LATENESS = { daily: 6 * HOUR, weekly: 6 * HOUR, monthly: 6 * HOUR } as const
const ZONES = [
  'Europe/Berlin',
  'America/Los_Angeles',
  'Australia/Sydney',
  'Australia/Adelaide',
  'Asia/Kolkata',
]

// Each run: simulated start, seed, distinct samples (enough for the watermark to pass the changed
// days; the users of those zones write v2 in these seeds, checked below through the rows)
const RUNS: [string, number, number][] = [
  ['2026-03-07T20:00:00Z', 100, 3000], // Los Angeles springs forward on 03-08
  ['2026-03-28T12:00:00Z', 101, 3000], // Berlin springs forward on 03-29
  ['2026-04-04T06:00:00Z', 102, 3400], // Sydney and Adelaide fall back on 04-05
  ['2026-10-03T06:00:00Z', 103, 3000], // Sydney and Adelaide spring forward on 10-04
  ['2026-10-24T12:00:00Z', 104, 3000], // Berlin falls back on 10-25
  ['2026-10-31T20:00:00Z', 105, 3300], // Los Angeles falls back on 11-01
]

/** The days that are not 24 hours long, per zone: all of the zones' changes in 2026. */
const CHANGED_DAYS: Record<string, Record<string, number>> = {
  'America/Los_Angeles': { '2026-03-08': 23, '2026-11-01': 25 },
  'Europe/Berlin': { '2026-03-29': 23, '2026-10-25': 25 },
  'Australia/Sydney': { '2026-04-05': 25, '2026-10-04': 23 },
  'Australia/Adelaide': { '2026-04-05': 25, '2026-10-04': 23 },
  'Asia/Kolkata': {},
}

describe("daily windows in the users' zones across DST changes, simulator → lake → pyiceberg", {
  timeout: 300_000,
}, () => {
  const pipeline = testPipeline('e2e-zones')
  const dir = mkdtempSync(join(tmpdir(), 'hs-e2e-zones-'))
  const target = localTarget(join(dir, 'lake'))
  const { all: services } = chainServices(pipeline, {
    lake: target.env,
    windows: { zone: 'user', outOfOrderness: OUT_OF_ORDERNESS, lateness: LATENESS },
  })
  after(async () => {
    for (const service of services) {
      const problems = service.lines.filter((l) => !l.includes('"level":"info"'))
      if (problems.length > 0) console.error(`${service.name} logged:\n${problems.slice(-10).join('\n')}`)
    }
    await Promise.all(services.map((s) => s.stop()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('holds the local days of every zone, 23 and 25 hours on the changes, equal to the recomputation', async () => {
    const t0 = Date.now()
    mkdirSync(join(dir, 'lake'))
    const truth: TruthEntry[] = []
    for (const [start, seed, samples] of RUNS) {
      const options = { samples, users: ZONES.length, zones: ZONES, seed, start: Date.parse(start) }
      const path = await simulateInto(pipeline, {
        ...options,
        v2Share: 0.8,
        invalidShare: 0.05,
        duplicateShare: 0.03,
        lateShare: 0,
        outOfOrderShare: 0.05,
      })
      truth.push(...parseTruth(readFileSync(path, 'utf8')))
    }
    const { valid, invalid } = outcomes(truth)
    assert.ok(
      valid.some((t) => t.timeZone === undefined),
      'some samples come from v1 devices, without a zone',
    )
    const { maxLag, endOfData } = maxEventLag(valid)
    assert.ok(maxLag < OUT_OF_ORDERNESS + LATENESS.daily, `a sample trails by ${maxLag / HOUR} h`)

    await Promise.all(services.map((s) => s.start()))
    await waitForLake({
      prefix: pipeline.prefix,
      topics: pipeline.topics,
      validSamples: valid.length,
      ref: target.ref,
      timeouts: { validated: 90_000, aggregator: 60_000, lake: 60_000 },
      services,
    })
    const drainedAfter = Date.now() - t0

    const raw = await readTable({ ...target.ref('health_data_raw'), sort: ['user_id', 'sample_id'] })
    assert.deepEqual(checkRaw(raw, valid), [])
    const errors = await readTable({ ...target.ref('health_data_errors'), sort: ['error_id'] })
    assert.deepEqual(checkErrors(errors, truth), [])

    const watermark = endOfData - OUT_OF_ORDERNESS
    const tables = await checkAggregateTables({
      ref: target.ref,
      expected: expectedWindows(valid, { dailyZone: 'user' }),
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
    const daily = tables.daily.read

    // What the daily table itself says: each zone's changed days and nothing else off 24 hours
    const days = zoneDays(daily)
    console.log(JSON.stringify(days))
    // Zones by their current IANA names, whatever the runtime's ICU calls them (Asia/Calcutta)
    assert.deepEqual(
      Object.keys(days).sort(),
      [...ZONES, 'UTC'].sort(),
      'rows for every zone, and UTC days for the v1 samples',
    )
    for (const zone of ZONES)
      assert.deepEqual(days[zone]!.lengths, CHANGED_DAYS[zone], `${zone}: days not 24 hours long`)
    assert.deepEqual(days.UTC!.lengths, {})
    assert.deepEqual(days.UTC!.startsAt, ['00:00'])
    assert.deepEqual(days['Asia/Kolkata']!.startsAt, ['18:30'])
    assert.deepEqual(days['Australia/Adelaide']!.startsAt, ['13:30', '14:30'])

    for (const s of services) assert.deepEqual(s.unexpectedExits, [], `${s.name} exits`)
    console.log(
      `e2e user zones: ${truth.length} samples sent in ${RUNS.length} runs (${valid.length} valid, ${invalid.length} invalid), drained after ${drainedAfter} ms, maxLag ${(maxLag / HOUR).toFixed(2)} h`,
    )
  })
})
