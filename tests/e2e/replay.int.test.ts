/**
 * Dead-letter replay on the real stack. The validator starts with FLOOR_DATE one day into the data, so
 * the first day's samples become BEFORE_FLOOR dead letters. Then, through ingest's POST /admin/replay
 * and `npm run ops -- replay`:
 * 1. a replay while the rule still holds: every replayed sample fails again, and lands as a new dead
 *    letter (`<first id>/replay/<replayId>`) linked to the first (`replay_of`);
 * 2. the rule relaxed (the validator restarted with the default floor), a replay of the same selection
 *    killed mid-way (kill -9 of ingest, five dead letters per transaction), run again after the restart,
 *    and once more: the first dead letters are skipped (the ledger has them), the second ones go through.
 * Afterwards `health_data_raw` holds every valid sample exactly once, the errors table the dead
 * letters of both rounds, and the aggregate tables the statistics of all samples: the replayed ones
 * arrive after their windows fired and are taken as late data (the lateness is a week here).
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { localTarget } from '@healthstream/lake-writer/testing'
import { main as ops } from '@healthstream/ops'
import { readCommittedTopic } from '@healthstream/shared/kafka'
import { parseTruth } from '@healthstream/simulator'
import {
  checkAggregateTables,
  checkRaw,
  expectedWindows,
  HOUR,
  maxEventLag,
  outcomes,
  readTable,
} from '@healthstream/testkit/lake'
import {
  CHAIN_PARTITIONS,
  chainServices,
  endpoint,
  eventually,
  OffsetsProbe,
  readErrors,
  simulateInto,
  TEST_ADMIN_TOKEN,
  testPipeline,
  waitForLake,
} from '@healthstream/testkit/stack'

const FLOOR = '2026-01-21T00:00:00Z'
const OUT_OF_ORDERNESS = 2 * HOUR
const LATENESS = { daily: 7 * 24 * HOUR, weekly: 7 * 24 * HOUR, monthly: 7 * 24 * HOUR } as const
const kafka = () => ({ bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'replay-test' })

interface Report {
  replayId: string
  selected: number
  replayed: number
  alreadyReplayed: number
}

describe('replaying dead letters after a rule is relaxed', { timeout: 300_000 }, () => {
  const pipeline = testPipeline('replay')
  const dir = mkdtempSync(join(tmpdir(), 'hs-replay-'))
  const target = localTarget(join(dir, 'lake'))
  const ingestEnv = { ...CHAIN_PARTITIONS, REPLAY_CHUNK_SIZE: '5' }
  const chain = chainServices(pipeline, {
    lake: target.env,
    windows: { zone: 'utc', outOfOrderness: OUT_OF_ORDERNESS, lateness: LATENESS },
    ingest: ingestEnv,
    validator: { FLOOR_DATE: FLOOR },
  })
  let { ingest, validator } = chain
  const { aggregator, writer } = chain
  const running = () => [ingest, validator, aggregator, writer]
  after(async () => {
    await Promise.all(running().map((s) => s.stop()))
    rmSync(dir, { recursive: true, force: true })
  })

  const replayOverHttp = (body: object) =>
    ingest.fetch('/admin/replay', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  const selection = { stages: ['validator'], reasons: ['BEFORE_FLOOR'] }
  const replayByCli = async (): Promise<Report> => {
    const lines: string[] = []
    const log = console.log
    console.log = (line: string) => lines.push(line)
    try {
      const args = ['replay', '--url', `http://127.0.0.1:${ingest.port}`, '--stage', 'validator']
      const code = await ops([...args, '--reason', 'BEFORE_FLOOR', '--by', 'replay-test', '--json'], {
        ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      })
      assert.equal(code, 0, lines.join('\n'))
    } finally {
      console.log = log
    }
    return JSON.parse(lines.join('\n')) as Report
  }
  const floorLetters = async () =>
    (await readErrors(pipeline.topics.errors)).filter((e) => e.reasonCode === 'BEFORE_FLOOR')

  it('brings every rejected sample into the lake exactly once, however the replay is run', async () => {
    mkdirSync(join(dir, 'lake'))
    const truth = parseTruth(
      readFileSync(
        await simulateInto(pipeline, {
          samples: 2_000,
          users: 2,
          seed: 11,
          invalidShare: 0,
          duplicateShare: 0,
          lateShare: 0,
          start: Date.parse('2026-01-20T00:00:00Z'),
        }),
        'utf8',
      ),
    )
    const { valid } = outcomes(truth)
    const floor = Date.parse(FLOOR) * 1000
    const early = valid.filter((t) => (t.startMicros ?? Number.POSITIVE_INFINITY) < floor)
    assert.ok(early.length > 50 && early.length < valid.length, `${early.length} samples before the floor`)
    const drained = (validSamples: number) =>
      waitForLake({
        prefix: pipeline.prefix,
        topics: pipeline.topics,
        validSamples,
        ref: target.ref,
        timeouts: { validated: 90_000, aggregator: 60_000, lake: 60_000 },
        services: running(),
      })

    await Promise.all(running().map((s) => s.start()))
    await drained(valid.length - early.length)
    assert.equal((await floorLetters()).length, early.length)

    // 1. The rule still holds: each replayed sample fails again, as a new dead letter linked to the first
    const first = await replayByCli()
    assert.equal(first.replayed, early.length)
    await eventually(
      'the replayed samples to fail again',
      async () => (await floorLetters()).length === 2 * early.length,
      60_000,
    )
    const letters = await floorLetters()
    const again = letters.filter((e) => e.replayOf !== null)
    assert.equal(again.length, early.length)
    const firstIds = new Set(letters.filter((e) => e.replayOf === null).map((e) => e.errorId))
    for (const e of again) {
      assert.ok(firstIds.has(e.replayOf!), `${e.errorId} links to a first dead letter`)
      assert.equal(e.errorId, `${e.replayOf}/replay/${first.replayId}`)
    }

    // 2. The rule relaxed; the replay killed mid-way, then run again, then once more
    await validator.stop()
    validator = pipeline.service('validator', CHAIN_PARTITIONS)
    await validator.start()
    const probe = new OffsetsProbe(kafka().bootstrapBrokers, 'replay-test-probe')
    const ledgerEnd = async () =>
      (await probe.ends([pipeline.topics.replays])).get(pipeline.topics.replays)![0]!
    const ledgerBefore = await ledgerEnd()
    const killed = replayOverHttp({ ...selection, by: 'replay-test' }).catch((e: unknown) => e)
    await eventually(
      'the replay to be under way',
      async () => (await ledgerEnd()) > ledgerBefore + 5n,
      60_000,
    )
    await ingest.kill9()
    assert.ok((await killed) instanceof Error, 'the killed replay got no answer')
    await probe.close()
    ingest = pipeline.service('ingest', ingestEnv)
    await ingest.start()
    const resumed = await replayByCli()
    assert.equal(resumed.selected, 2 * early.length)
    assert.ok(
      resumed.replayed > 0 && resumed.replayed < early.length,
      `resumed with ${resumed.replayed} left`,
    )
    assert.equal(resumed.alreadyReplayed + resumed.replayed, 2 * early.length)
    const last = await replayByCli()
    assert.equal(last.replayed, 0)
    assert.equal(last.alreadyReplayed, 2 * early.length)

    await drained(valid.length)
    const raw = await readTable({ ...target.ref('health_data_raw'), sort: ['user_id', 'sample_id'] })
    assert.deepEqual(checkRaw(raw, valid), [])
    const errors = await readTable({ ...target.ref('health_data_errors'), sort: ['error_id'] })
    assert.equal(errors.length, 2 * early.length, 'the dead letters of both rounds, each once')
    assert.equal(errors.filter((r) => r.replay_of !== null).length, early.length)

    const replayedSamples = (await readCommittedTopic(kafka(), pipeline.topics.samples)).filter((r) =>
      r.headers.has('healthstream-replay'),
    )
    assert.equal(replayedSamples.length, 2 * early.length, 'each dead letter re-published once')

    const { endOfData } = maxEventLag(valid)
    const watermark = endOfData - OUT_OF_ORDERNESS
    const tables = await checkAggregateTables({
      ref: target.ref,
      expected: expectedWindows(valid),
      lateness: LATENESS,
      watermark,
    })
    for (const [granularity, checked] of Object.entries(tables))
      assert.deepEqual(checked.violations, [], `${granularity} windows hold the replayed samples`)
    // the data spans three days: only the daily windows close within it
    assert.ok(tables.daily.rows > 0, 'daily rows')
    for (const s of running()) assert.deepEqual(s.unexpectedExits, [], `${s.name} exits`)
  })
})
