import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import {
  AvroDeserializer,
  type HealthDataBatch,
  type HealthSample,
  HttpSchemaRegistry,
  healthDataBatchV2,
} from '@healthstream/shared/avro'
import { createAdmin, ensureTopics } from '@healthstream/shared/kafka'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import { Consumer, FetchIsolationLevels } from '@platformatic/kafka'
import { spec, toCanonical } from '../src/data-types.ts'
import { simulatorOptions } from '../src/options.ts'
import { simulate } from '../src/simulate.ts'
import { parseTruth, type TruthEntry } from '../src/truth.ts'
import { ISO_WITH_OFFSET, START } from './helpers.ts'

/** Reads `count` records of the topic from the start, as the pipeline will (read_committed). */
async function readTopic(topic: string, count: number): Promise<{ key: Buffer; value: Buffer }[]> {
  const consumer = new Consumer({
    groupId: uniqueName('sim-int'),
    clientId: 'sim-int-test',
    bootstrapBrokers: endpoint('KAFKA_BROKERS').split(','),
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    maxWaitTime: 500,
  })
  const records: { key: Buffer; value: Buffer }[] = []
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false })
    for await (const message of stream) {
      records.push({ key: message.key, value: message.value })
      if (records.length === count) break
    }
    await stream.close()
  } finally {
    await consumer.close(true)
  }
  return records
}

/** An oracle independent of the simulator's fault code: the outcome a sample's bytes call for. */
function outcomeOf(sample: HealthSample, uploadedAt: string): string {
  const start = ISO_WITH_OFFSET.test(sample.startTime) ? Date.parse(sample.startTime) : Number.NaN
  if (Number.isNaN(start)) return 'BAD_TIMESTAMP'
  if (sample.value === null) return 'MISSING_VALUE'
  if (!Number.isFinite(sample.value)) return 'NOT_FINITE'
  if (sample.value < 0) return 'NEGATIVE_VALUE'
  const canonical = toCanonical(sample.dataType, sample.unit, sample.value)
  if (canonical === undefined) return 'UNKNOWN_UNIT'
  const { min, max } = spec(sample.dataType)
  if (canonical < min || canonical > max) return 'OUT_OF_RANGE'
  if (sample.endTime !== null && Date.parse(sample.endTime) < start) return 'END_BEFORE_START'
  if (start > Date.parse(uploadedAt) + 86_400_000) return 'IN_FUTURE'
  return 'valid'
}

describe('simulator against the real broker and registry', () => {
  it('sends exactly what its ground truth says, decodable with the registry', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-int-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const options = simulatorOptions({
      users: 15,
      samples: 6000,
      seed: 7,
      invalidShare: 0.05,
      duplicateShare: 0.05,
      lateShare: 0.03,
      truthPath: join(dir, 'truth.ndjson'),
      start: START,
      brokers: endpoint('KAFKA_BROKERS').split(','),
      registryUrl: endpoint('SCHEMA_REGISTRY_URL'),
      topic: uniqueName('sim-int'),
      partitions: 3,
      progress: false,
    })
    const stats = await simulate(options)
    const truth = parseTruth(readFileSync(options.truthPath!, 'utf8'))
    assert.equal(stats.samples, 6000)
    assert.equal(truth.length, stats.samplesSent)

    const records = await readTopic(options.topic, stats.batches)
    const reader = new AvroDeserializer<HealthDataBatch>({
      registry: new HttpSchemaRegistry({ url: options.registryUrl }),
      readerSchema: healthDataBatchV2,
    })
    const decoded = await reader.decodeAll(records.map((r) => r.value))
    const seen: WireEntry[] = []
    const schemaIds = new Set<number>()
    decoded.forEach((result, i) => {
      assert.ok(result.ok, 'every record decodes')
      schemaIds.add(result.schemaId)
      const batch = result.value
      assert.equal(records[i]!.key.toString(), batch.userId, 'the key is the userId')
      for (const s of batch.samples) {
        seen.push(expectedEntry(s, batch, result.schemaId === stats.schemaIds.v2 ? 2 : 1))
      }
    })
    assert.deepEqual(schemaIds, new Set([stats.schemaIds.v1, stats.schemaIds.v2]))
    const key = (e: Pick<WireEntry, 'userId' | 'sampleId' | 'batchId' | 'outcome' | 'schemaVersion'>) =>
      `${e.userId}/${e.sampleId}/${e.batchId}/${e.outcome}/v${e.schemaVersion}`
    assert.deepEqual(seen.map(key).sort(), truth.map(key).sort())
    assertValidValues(truth, seen)
  })

  it('produces to a topic someone else created with fewer partitions than its own default', async (t) => {
    // As under `npm start`, where ingest may create health-data-raw (4 partitions) first
    const brokers = endpoint('KAFKA_BROKERS').split(',')
    const topic = uniqueName('sim-int-existing')
    const admin = createAdmin({ bootstrapBrokers: brokers, clientId: uniqueName('sim-int') })
    t.after(async () => {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
      await admin.close()
    })
    await ensureTopics(admin, [{ topic, partitions: 2 }])
    const options = simulatorOptions({
      users: 3,
      samples: 300,
      seed: 11,
      start: START,
      brokers,
      registryUrl: endpoint('SCHEMA_REGISTRY_URL'),
      topic,
      partitions: 6,
      progress: false,
    })
    const stats = await simulate(options)
    assert.equal(stats.samples, 300)
    assert.equal((await readTopic(topic, stats.batches)).length, stats.batches)
  })
})

type WireEntry = Pick<TruthEntry, 'userId' | 'sampleId' | 'batchId' | 'schemaVersion'> & {
  outcome: string
  value: number | undefined
  startMicros: number | undefined
}

function expectedEntry(s: HealthSample, batch: HealthDataBatch, schemaVersion: 1 | 2): WireEntry {
  const outcome = outcomeOf(s, batch.uploadedAt)
  const value = outcome === 'valid' ? toCanonical(s.dataType, s.unit, s.value!) : undefined
  const startMicros = outcome === 'valid' ? Date.parse(s.startTime) * 1000 : undefined
  return {
    userId: batch.userId,
    sampleId: s.sampleId,
    batchId: batch.batchId,
    outcome,
    schemaVersion,
    value,
    startMicros,
  }
}

/** The canonical value and start time of every valid sample agree with the bytes on the wire. */
function assertValidValues(truth: readonly TruthEntry[], seen: readonly WireEntry[]): void {
  const bySample = new Map(seen.map((e) => [`${e.userId}/${e.sampleId}`, e]))
  for (const entry of truth.filter((e) => e.outcome === 'valid')) {
    const wire = bySample.get(`${entry.userId}/${entry.sampleId}`)!
    assert.equal(wire.value, entry.value)
    assert.equal(wire.startMicros, entry.startMicros)
  }
}
