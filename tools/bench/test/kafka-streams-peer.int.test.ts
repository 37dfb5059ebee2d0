/**
 * The Kafka Streams peer does the same work as ingest + validator + aggregator: the same simulated
 * input (invalid samples, re-uploaded batches, samples out of order) through both, and the outputs
 * compared: the validated samples (user, sample, canonical value and unit), every dead letter by its
 * deterministic id and reason, and the newest row of every window (statistics, first/last, finality).
 *
 * Determinism (as in tests/e2e/e2e.int.test.ts): one partition per topic, so our instance watermark
 * and the peer's per-task watermark are the same thing; no samples held back for hours, and
 * out-of-orderness + daily lateness above the largest lag of the input (checked on the ground truth),
 * so no sample is too late for per-batch (ours) or per-sample (peer) processing alike. Revisions,
 * watermarks and processing times are left out: they follow how each side cuts its input.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { AvroDeserializer, HttpSchemaRegistry } from '@healthstream/shared/avro'
import type { AggregateRecord, ErrorRecord, ValidatedSample } from '@healthstream/shared/domain'
import { type ConsumedRecord, readCommittedTopic, readWatermarkMark } from '@healthstream/shared/kafka'
import { TopicSchemas } from '@healthstream/shared/topics'
import { parseTruth, simulate, simulatorOptions } from '@healthstream/simulator'
import { HOUR, maxEventLag, outcomes } from '@healthstream/testkit/lake'
import {
  committedOffsets,
  endpoint,
  eventually,
  nextOffsets,
  readErrors,
  readValidated,
  testPipeline,
} from '@healthstream/testkit/stack'
import { type KafkaStreamsPass, kafkaStreamsApp, runKafkaStreams } from '../lib/peers/kafka-streams.ts'

const OUT_OF_ORDERNESS = HOUR / 6
const LATENESS = 8 * HOUR
const START = Date.parse('2026-01-20T00:00:00Z')

const kafka = () => ({ bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'ks-peer-test' })

/** Waits until `group` has committed the end of every partition of `topic`. */
async function drained(group: string, topic: string): Promise<void> {
  const needed = nextOffsets(await readCommittedTopic(kafka(), topic))
  await eventually(
    `${group} to commit the end of ${topic}`,
    async () => {
      const committed = await committedOffsets(group, topic)
      return [...needed].every(([p, o]) => (committed.get(p) ?? -1n) >= o)
    },
    90_000,
  )
}

/** The newest row per window key (a partition is read in offset order, i.e. emission order). */
async function lastRows(topic: string): Promise<Map<string, AggregateRecord>> {
  const decoder = new AvroDeserializer<AggregateRecord>({
    registry: new HttpSchemaRegistry({ url: endpoint('SCHEMA_REGISTRY_URL') }),
    readerSchema: TopicSchemas.aggregates,
  })
  const rows = new Map<string, AggregateRecord>()
  for (const record of (await readCommittedTopic(kafka(), topic)) as ConsumedRecord[]) {
    if (readWatermarkMark(record.headers) !== null) continue // our aggregator's watermark marks
    const decoded = await decoder.decode(record.value ?? Buffer.alloc(0))
    if (!decoded.ok) throw new Error(`undecodable row at ${topic}@${record.offset}: ${decoded.detail}`)
    rows.set(record.key?.toString('utf8') ?? '', decoded.value)
  }
  return rows
}

const validatedForm = (v: ValidatedSample) =>
  `${v.userId}/${v.sampleId} ${v.value} ${v.unit} ${v.flags.join('+')}`
const errorForm = (e: ErrorRecord) => `${e.errorId} ${e.reasonCode}`
const byReason = (errors: readonly ErrorRecord[]) => {
  const counts: Record<string, number> = {}
  for (const e of errors) counts[e.reasonCode] = (counts[e.reasonCode] ?? 0) + 1
  return counts
}

/** What must agree between the two rows of a window; sums and moments to rounding (added in another order). */
function rowDifferences(key: string, ours: AggregateRecord, peer: AggregateRecord): string[] {
  const exact = [
    'unit',
    'windowEnd',
    'windowLabel',
    'zone',
    'count',
    'min',
    'max',
    'firstValue',
    'firstEventTime',
    'firstSampleId',
    'lastValue',
    'lastEventTime',
    'lastSampleId',
    'isFinal',
  ] as const
  const close = ['sum', 'mean', 'm2', 'stddevPop'] as const
  const out: string[] = []
  for (const f of exact) if (ours[f] !== peer[f]) out.push(`${key} ${f}: ours ${ours[f]}, peer ${peer[f]}`)
  for (const f of close) {
    const scale = Math.max(1, Math.abs(ours[f]), Math.abs(peer[f]))
    if (Math.abs(ours[f] - peer[f]) > 1e-9 * scale) out.push(`${key} ${f}: ours ${ours[f]}, peer ${peer[f]}`)
  }
  return out
}

describe('the Kafka Streams peer', { timeout: 300_000 }, () => {
  const pipeline = testPipeline('ks-peer')
  const one = { TOPIC_PARTITIONS: '1' }
  const services = [
    pipeline.service('ingest', one),
    pipeline.service('validator', one),
    pipeline.service('aggregator', {
      ...one,
      DAILY_WINDOW_ZONE: 'utc',
      OUT_OF_ORDERNESS: `${OUT_OF_ORDERNESS / 1000}ms`,
      ALLOWED_LATENESS_DAILY: `${LATENESS / 1000}ms`,
      ALLOWED_LATENESS_WEEKLY: `${LATENESS / 1000}ms`,
      ALLOWED_LATENESS_MONTHLY: `${LATENESS / 1000}ms`,
      PARTITION_IDLE_TIMEOUT: '1ms',
    }),
  ]
  const peer = {
    validated: `${pipeline.prefix}ks.validated`,
    errors: `${pipeline.prefix}ks.errors`,
    aggregates: `${pipeline.prefix}ks.aggregates`,
  }
  after(async () => {
    await Promise.all(services.map((s) => s.stop()))
  })

  it('validates, dead-letters and aggregates the simulated input as ingest + validator + aggregator do', async () => {
    kafkaStreamsApp() // built before the clock matters
    const truthPath = join(mkdtempSync(join(tmpdir(), 'hs-ks-truth-')), 'truth.ndjson')
    await simulate(
      simulatorOptions({
        samples: 4_000,
        users: 3,
        seed: 17,
        invalidShare: 0.05,
        duplicateShare: 0.05,
        lateShare: 0,
        outOfOrderShare: 0.05,
        start: START,
        truthPath,
        topic: pipeline.topics.raw,
        partitions: 1,
        brokers: [endpoint('KAFKA_BROKERS')],
        registryUrl: endpoint('SCHEMA_REGISTRY_URL'),
        progress: false,
      }),
    )
    const truth = parseTruth(readFileSync(truthPath, 'utf8'))
    const { valid, invalid } = outcomes(truth)
    assert.ok(
      truth.some((t) => t.duplicate) && invalid.length > 0,
      'the input has re-uploads and invalid samples',
    )
    const { maxLag } = maxEventLag(valid)
    assert.ok(
      maxLag < OUT_OF_ORDERNESS + LATENESS,
      `no sample lags by more than the lateness (${maxLag / HOUR} h)`,
    )

    await Promise.all(services.map((s) => s.start()))
    const passes: KafkaStreamsPass[] = []
    const ours = (async () => {
      await drained(`${pipeline.prefix}healthstream-ingest`, pipeline.topics.raw)
      await drained(`${pipeline.prefix}healthstream-validator`, pipeline.topics.samples)
      await drained(`${pipeline.prefix}healthstream-aggregator`, pipeline.topics.validated)
    })()
    passes.push(
      ...(await runKafkaStreams({
        brokers: endpoint('KAFKA_BROKERS'),
        registryUrl: endpoint('SCHEMA_REGISTRY_URL'),
        input: pipeline.topics.raw,
        outputs: peer,
        applicationId: `${pipeline.prefix}ks`,
        heap: '512m',
        semantics: {
          outOfOrderness: OUT_OF_ORDERNESS,
          lateness: { daily: LATENESS, weekly: LATENESS, monthly: LATENESS },
        },
      })),
    )
    await ours
    console.log(`kafka-streams peer: ${JSON.stringify(passes[0])}`)

    const [ourValidated, peerValidated] = await Promise.all([
      readValidated(pipeline.topics.validated),
      readValidated(peer.validated),
    ])
    assert.equal(ourValidated.length, valid.length, 'ours validated each valid sample once')
    assert.deepEqual(peerValidated.map(validatedForm).sort(), ourValidated.map(validatedForm).sort())

    const [ourErrors, peerErrors] = await Promise.all([
      readErrors(pipeline.topics.errors),
      readErrors(peer.errors),
    ])
    assert.ok(ourErrors.length > 0)
    assert.deepEqual(byReason(peerErrors), byReason(ourErrors))
    assert.deepEqual(peerErrors.map(errorForm).sort(), ourErrors.map(errorForm).sort())

    const [ourRows, peerRows] = await Promise.all([
      lastRows(pipeline.topics.aggregates),
      lastRows(peer.aggregates),
    ])
    assert.ok(
      ourRows.size > 0 && [...ourRows.values()].some((r) => r.isFinal),
      'some windows fired and some are final',
    )
    assert.deepEqual([...peerRows.keys()].sort(), [...ourRows.keys()].sort())
    const differences = [...ourRows].flatMap(([key, row]) => rowDifferences(key, row, peerRows.get(key)!))
    assert.deepEqual(differences.slice(0, 20), [])

    const [pass] = passes
    assert.equal(passes.length, 1)
    assert.equal(pass!.validated, peerValidated.length)
    assert.equal(pass!.deadLetters, peerErrors.length)
    assert.equal(pass!.aggregatesOut, (await readCommittedTopic(kafka(), peer.aggregates)).length)
  })
})
