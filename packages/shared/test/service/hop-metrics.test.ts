import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ConsumedRecord, KafkaLoopError, LoopEvent, TransformContext } from '../../src/kafka/index.ts'
import { createHopMetrics } from '../../src/platform/metrics.ts'
import { CommittedTally } from '../../src/service/hop-metrics.ts'

const record = (offset: number, timestamp: number): ConsumedRecord => ({
  topic: 'in',
  partition: 0,
  offset: BigInt(offset),
  key: null,
  value: null,
  headers: new Map(),
  timestamp,
})
const committed = (records: number): LoopEvent => ({
  type: 'committed',
  records,
  outputs: records,
  offsets: [],
  durationMs: 5,
})
const aborted: LoopEvent = { type: 'aborted', records: 1, error: new Error('fenced') as KafkaLoopError }
const context: TransformContext = {
  session: { groupId: 'g', generationId: 1, memberId: 'm', assignment: [] },
  signal: new AbortController().signal,
}

/** The cumulative bucket counts of healthstream_record_latency_seconds, by `le`. */
async function latencyBuckets(metrics: ReturnType<typeof createHopMetrics>): Promise<Map<string, number>> {
  const text = await metrics.registry.metrics()
  const out = new Map<string, number>()
  for (const m of text.matchAll(/^healthstream_record_latency_seconds_bucket\{le="([^"]+)"[^}]*\} (\d+)$/gm))
    out.set(m[1]!, Number(m[2]))
  return out
}

describe("a hop's record latency", () => {
  it("is each committed record's age at the commit, once per record, known timestamps only", async () => {
    const metrics = createHopMetrics('validator')
    const tally = new CommittedTally(metrics)
    const transform = tally.wrap(async (records) => records.map((r) => ({ topic: 'out', value: r.value })))
    const now = Date.now()
    const records = [
      ...[0, 1, 2].map((i) => record(i, now - 200)), // three of one upstream send, 0.2 s old
      ...[3, 4].map((i) => record(i, now - 20)),
      record(5, -1), // no timestamp: not observed
    ]

    await transform(records, context)
    tally.onEvent(aborted) // the first attempt failed: nothing observed
    assert.equal((await latencyBuckets(metrics)).get('+Inf'), 0)
    await transform(records, context)
    tally.onEvent(committed(records.length))

    const buckets = await latencyBuckets(metrics)
    assert.equal(buckets.get('+Inf'), 5)
    assert.equal(buckets.get('0.01'), 0)
    assert.equal(buckets.get('0.15'), 2, 'the two records 20 ms old (and however long the test took)')
    assert.equal(buckets.get('0.3'), 5)
  })
})
