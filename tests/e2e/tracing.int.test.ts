/**
 * Traces through the whole chain, exported over OTLP to the stack's real Jaeger and read back from its
 * query API. The simulator sends each upload with a `traceparent`, as a phone's SDK would (most
 * sampled, some not); each service exports under a name of this run's own, so runs never mix.
 *
 * For each sampled upload, one trace: the phone's span → `ingest process` → `validator process` →
 * `aggregator process` and `lake.write` (both children of a validator span), each hop's span the
 * parent of the next, not a sibling. Every validator span a `lake.write` hangs from is linked by a
 * `lake.commit` span (a root of its own, with the table, rows, snapshot id and offsets). Unsampled
 * uploads leave no span anywhere, yet their data lands like the rest.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { localTarget } from '@healthstream/lake-writer/testing'
import { readCommittedTopic } from '@healthstream/shared/kafka'
import {
  endpoint,
  type JaegerSpan,
  jaegerOtlpUrl,
  jaegerSpans,
  simulateWithStats,
  testPipeline,
  uniqueName,
  waitForSpans,
} from '@healthstream/testkit/stack'

const SERVICES = ['ingest', 'validator', 'aggregator', 'lake-writer'] as const

describe('traces from the phone through every hop into the lake, in Jaeger', { timeout: 120_000 }, () => {
  const pipeline = testPipeline('tracing')
  const run = uniqueName('trace')
  const serviceName = (s: string) => `${run}-${s}`
  const dir = mkdtempSync(join(tmpdir(), 'hs-tracing-'))
  const target = localTarget(join(dir, 'lake'))
  const common = {
    TOPIC_PARTITIONS: '4',
    OTEL_EXPORTER_OTLP_ENDPOINT: jaegerOtlpUrl(),
    OTEL_BSP_SCHEDULE_DELAY: '200',
  }
  const extra: Record<string, Record<string, string>> = {
    aggregator: { DAILY_WINDOW_ZONE: 'utc', PARTITION_IDLE_TIMEOUT: '1ms' },
    'lake-writer': { ...target.env, COMMIT_INTERVAL: '1s' },
  }
  const services = SERVICES.map((s) =>
    pipeline.service(s, { ...common, ...extra[s], OTEL_SERVICE_NAME: serviceName(s) }),
  )
  after(async () => {
    await Promise.all(services.map((s) => s.stop()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('holds one trace per sampled upload, each hop the child of the one before', async () => {
    mkdirSync(join(dir, 'lake'))
    const { stats } = await simulateWithStats(pipeline, {
      samples: 600,
      users: 3,
      seed: 23,
      invalidShare: 0,
      duplicateShare: 0,
      lateShare: 0,
      traceShare: 1,
      traceSampledShare: 0.75,
      start: Date.parse('2026-02-02T00:00:00Z'),
    })
    const uploads = await readCommittedTopic(
      { bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'tracing-test' },
      pipeline.topics.raw,
    )
    const phone = new Map(
      uploads.map((u) => {
        const [, traceId, spanId, flags] = u.headers.get('traceparent')!.toString().split('-')
        return [traceId!, { spanId: spanId!, sampled: flags === '01' }] as const
      }),
    )
    const sampled = [...phone].filter(([, p]) => p.sampled).map(([t]) => t)
    assert.equal(phone.size, stats.batches, 'a trace per upload')
    assert.equal(sampled.length, stats.sampledUploads)
    assert.ok(sampled.length > 0 && sampled.length < phone.size, 'sampled and unsampled uploads both')

    await Promise.all(services.map((s) => s.start()))
    const writes = (spans: readonly JaegerSpan[]) => spans.filter((s) => s.operationName === 'lake.write')
    // Done when every sampled upload's trace reached the lake
    const lakeSpans = await waitForSpans(
      serviceName('lake-writer'),
      (spans) => new Set(writes(spans).map((s) => s.traceID)).size >= sampled.length,
      60_000,
    )
    const spans = new Map<string, JaegerSpan>()
    for (const s of [...lakeSpans, ...(await jaegerSpans(serviceName('ingest')))]) spans.set(s.spanID, s)
    const parentOf = (s: JaegerSpan) => s.references.find((r) => r.refType === 'CHILD_OF')
    // This run's spans only (its own service names), whatever else the shared Jaeger holds
    const ours = new Set(SERVICES.map(serviceName))
    const inTrace = (traceId: string, name: string) =>
      [...spans.values()].filter(
        (s) => s.traceID === traceId && s.operationName === name && ours.has(s.service),
      )

    for (const traceId of sampled) {
      const [ingest, ...more] = inTrace(traceId, 'ingest process')
      assert.ok(ingest && more.length === 0, `one ingest span in trace ${traceId}`)
      assert.equal(ingest.service, serviceName('ingest'))
      assert.equal(
        parentOf(ingest)?.spanID,
        phone.get(traceId)!.spanId,
        "ingest's parent is the phone's span",
      )
      const validators = inTrace(traceId, 'validator process')
      assert.ok(validators.length > 0, `validator spans in trace ${traceId}`)
      for (const v of validators)
        assert.equal(parentOf(v)?.spanID, ingest.spanID, "a validator's parent is ingest")
      const validatorIds = new Set(validators.map((v) => v.spanID))
      const aggregators = inTrace(traceId, 'aggregator process')
      assert.ok(aggregators.length > 0, `aggregator spans in trace ${traceId}`)
      for (const a of aggregators)
        assert.ok(validatorIds.has(parentOf(a)!.spanID), "an aggregator span's parent is a validator span")
      const lake = inTrace(traceId, 'lake.write')
      assert.ok(lake.length > 0, `lake.write spans in trace ${traceId}`)
      for (const w of lake) {
        assert.ok(validatorIds.has(parentOf(w)!.spanID), "a lake.write's parent is a validator span")
        assert.equal(w.attributes['iceberg.table'], 'health_data_raw')
        assert.equal(w.service, serviceName('lake-writer'))
      }
      // Nothing dropped or invented: the lake wrote as many rows as the validator passed, the upload's samples
      const rows = (list: JaegerSpan[], key: string) =>
        list.reduce((n, s) => n + Number(s.attributes[key]), 0)
      assert.equal(rows(lake, 'iceberg.rows'), rows(validators, 'messaging.batch.message_count'))
      assert.equal(
        rows(validators, 'messaging.batch.message_count'),
        rows(aggregators, 'messaging.batch.message_count'),
      )
    }

    // Every validator span a lake.write hangs from is linked by a raw-table commit span
    const commits = lakeSpans.filter((s) => s.operationName === 'lake.commit')
    const rawCommits = commits.filter((c) => c.attributes['iceberg.table'] === 'health_data_raw')
    assert.ok(rawCommits.length > 0, 'lake.commit spans of health_data_raw')
    for (const c of rawCommits) {
      assert.equal(parentOf(c), undefined, 'a commit is a root')
      assert.match(String(c.attributes['iceberg.snapshot_id']), /^-?\d+$/)
      assert.ok(String(c.attributes['messaging.kafka.offsets']).includes(pipeline.topics.validated))
    }
    const linked = new Set(
      rawCommits.flatMap((c) =>
        c.references.filter((r) => r.refType === 'FOLLOWS_FROM').map((r) => r.spanID),
      ),
    )
    const writtenFrom = new Set(
      writes(lakeSpans)
        .filter((w) => sampled.includes(w.traceID))
        .map((w) => parentOf(w)!.spanID),
    )
    assert.deepEqual(
      [...writtenFrom].filter((id) => !linked.has(id)),
      [],
      'validator spans no commit links',
    )

    // Unsampled uploads propagate but record nothing, in any service
    const unsampled = new Set([...phone].filter(([, p]) => !p.sampled).map(([t]) => t))
    for (const s of SERVICES) {
      const leaked = (await jaegerSpans(serviceName(s))).filter((span) => unsampled.has(span.traceID))
      assert.deepEqual(leaked, [], `${s} recorded spans of unsampled uploads`)
    }
    for (const s of services) assert.deepEqual(s.unexpectedExits, [], `${s.name} exits`)
  })

  it("gives window rows the aggregator's batch span, a root linking the spans of its samples", async () => {
    // Days later in event time: the first upload's days fire, as rows built from many uploads' samples
    await simulateWithStats(pipeline, {
      samples: 60,
      users: 3,
      seed: 24,
      invalidShare: 0,
      duplicateShare: 0,
      lateShare: 0,
      traceShare: 1,
      start: Date.parse('2026-02-09T00:00:00Z'),
    })
    const daily = (spans: readonly JaegerSpan[]) =>
      spans.filter(
        (s) => s.operationName === 'lake.write' && s.attributes['iceberg.table'] === 'health_data_daily_agg',
      )
    const lakeSpans = await waitForSpans(
      serviceName('lake-writer'),
      (spans) => daily(spans).length > 0,
      30_000,
    )
    const writes = daily(lakeSpans)
    assert.ok(writes.length > 0, 'daily rows reached the lake')
    const aggregatorSpans = new Map((await jaegerSpans(serviceName('aggregator'))).map((s) => [s.spanID, s]))
    for (const w of writes) {
      const parentId = w.references.find((r) => r.refType === 'CHILD_OF')?.spanID
      const batch = aggregatorSpans.get(parentId ?? '')
      assert.equal(
        batch?.operationName,
        'aggregator batch',
        "a row's lake.write hangs from the aggregator's batch span",
      )
      assert.equal(batch.references.filter((r) => r.refType === 'CHILD_OF').length, 0, 'which is a root')
      const links = batch.references.filter((r) => r.refType === 'FOLLOWS_FROM')
      assert.ok(links.length > 0, 'linking the spans of the samples it took')
      for (const l of links) assert.equal(aggregatorSpans.get(l.spanID)?.operationName, 'aggregator process')
    }
  })
})
