/**
 * `healthstream_record_latency_seconds` on the real chain (ingest → validator → aggregator): each hop
 * observes every record it commits once, and a record held up shows the wait. The validator is paused
 * while a batch goes in; once resumed, every sample of that batch must have waited the pause at least.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  eventually,
  type ServiceProcess,
  simulateWithStats,
  TEST_ADMIN_TOKEN,
  testPipeline,
} from '@healthstream/testkit/stack'

const PAUSE_MS = 3_500
const pipeline = testPipeline('latency')
const common = { TOPIC_PARTITIONS: '2', PARTITION_IDLE_TIMEOUT: '1ms' }
const ingest = pipeline.service('ingest', common)
const validator = pipeline.service('validator', common)
const aggregator = pipeline.service('aggregator', common)
const hops = [ingest, validator, aggregator]

/** The service's records in (all topics) and its latency histogram: cumulative counts by `le`. */
async function observed(
  service: ServiceProcess,
): Promise<{ recordsIn: number; buckets: Map<string, number> }> {
  const text = await (await service.fetch('/metrics')).text()
  let recordsIn = 0
  for (const m of text.matchAll(/^healthstream_records_in_total\{[^}]*\} (\S+)$/gm)) recordsIn += Number(m[1])
  const buckets = new Map<string, number>()
  for (const m of text.matchAll(/^healthstream_record_latency_seconds_bucket\{le="([^"]+)"[^}]*\} (\S+)$/gm))
    buckets.set(m[1]!, Number(m[2]))
  return { recordsIn, buckets }
}

/** Waits until every hop has counted `atLeast` records in and observed a latency for each of them. */
async function settled(service: ServiceProcess, atLeast: number) {
  let last = await observed(service)
  await eventually(
    `${service.name} to observe ${atLeast} records`,
    async () => {
      last = await observed(service)
      return last.recordsIn >= atLeast && last.buckets.get('+Inf') === last.recordsIn
    },
    90_000,
  ).catch((error: Error) =>
    assert.fail(`${error.message}: ${JSON.stringify([last.recordsIn, [...last.buckets]])}`),
  )
  return last
}

const send = (seed: number) =>
  simulateWithStats(pipeline, { samples: 600, users: 3, seed, start: Date.now() - 2 * 86_400_000 })

describe("each hop's record latency", { timeout: 300_000 }, () => {
  after(() => Promise.all(hops.map((s) => s.stop())))

  it('counts every committed record once, and shows the wait of records held up by a paused hop', async (t) => {
    await Promise.all(hops.map((s) => s.start()))
    const first = (await send(1)).stats
    const ingestIn = await settled(ingest, first.batches)
    const validatorIn = await settled(validator, 1)
    await settled(aggregator, 1)
    assert.equal(ingestIn.recordsIn, first.batches, 'ingest: one observation per upload')

    const pause = await validator.fetch('/admin/pause', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    })
    assert.equal(pause.status, 200)
    const second = (await send(2)).stats
    await settled(ingest, first.batches + second.batches)
    const before = await observed(validator)
    await sleep(PAUSE_MS)
    const resume = await validator.fetch('/admin/resume', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    })
    assert.equal(resume.status, 200)
    const after = await eventually(
      'the validator to take the held-up samples',
      async () => (await observed(validator)).recordsIn > before.recordsIn,
      60_000,
    ).then(async () => {
      await sleep(2_000) // the rest of the backlog: it is small
      return settled(validator, before.recordsIn + 1)
    })

    const held = after.recordsIn - before.recordsIn
    const waitedLess = (after.buckets.get('3') ?? 0) - (before.buckets.get('3') ?? 0)
    t.diagnostic(`validator: ${held} held-up samples, ${waitedLess} of them observed under 3 s`)
    assert.ok(held >= second.samples * 0.5, `most of the ${second.samples} samples were held up: ${held}`)
    assert.equal(waitedLess, 0, `every held-up sample waited the ${PAUSE_MS} ms pause`)
    assert.ok((validatorIn.buckets.get('3') ?? 0) > 0, 'before the pause, samples were taken within 3 s')
    for (const s of hops) assert.deepEqual(s.unexpectedExits, [], `${s.name} exits`)
  })
})
