/**
 * The Iceberg Kafka Connect peer of the lake-writer, on the real local stack: validated samples in a
 * fresh topic, the sink run until they land in a health_data_raw of its own, the table read back by
 * pyiceberg. Needs the stack's endpoints and LAKE_PYTHON (`npm test` sets them), Java 17 and Maven.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { InputProducer, localTarget, serializers, validatedSample } from '@healthstream/lake-writer/testing'
import { createAdmin, ensureTopics } from '@healthstream/shared/kafka'
import { readTable } from '@healthstream/testkit/lake'
import { testPipeline } from '@healthstream/testkit/stack'
import { type IcebergSinkResult, runIcebergSink } from '../lib/peers/iceberg-connect.ts'
import { cleanUp, stackEnv } from '../lib/stack.ts'

const SAMPLES = 3000
const USERS = 50
// Not a whole number of milliseconds: start times keep their microseconds only if nothing rounds them
const SPACING = 7_777_777.7

describe('the Iceberg Kafka Connect sink as the lake-writer peer', { timeout: 600_000 }, () => {
  const env = stackEnv()
  const pipeline = testPipeline('iceberg-connect')
  const topic = pipeline.topics.validated
  const dir = mkdtempSync(join(tmpdir(), 'hs-iceberg-connect-'))
  const target = localTarget(dir)
  after(async () => {
    await cleanUp(env.KAFKA_BROKERS!, env.REDIS_URL!, pipeline.prefix)
    rmSync(dir, { recursive: true, force: true })
  })

  it('lands every produced sample in health_data_raw with its user, value and microsecond time', async () => {
    const admin = createAdmin({ bootstrapBrokers: [env.KAFKA_BROKERS!], clientId: 'iceberg-connect-test' })
    await ensureTopics(admin, [{ topic, partitions: 2 }]).finally(() => admin.close())
    const ser = await serializers(pipeline.topics)
    const samples = Array.from({ length: SAMPLES }, (_, i) => validatedSample(i, USERS, SPACING))
    const producer = new InputProducer()
    await producer
      .send(
        topic,
        samples.map((s) => ({ key: s.userId, value: ser.validated.serialize(s) })),
        1000,
      )
      .finally(() => producer.close())

    let pid = 0
    const result: IcebergSinkResult = await runIcebergSink({
      brokers: env.KAFKA_BROKERS!,
      registryUrl: env.SCHEMA_REGISTRY_URL!,
      topic,
      lake: target.settings,
      commitIntervalMs: 2000,
      tasks: 2,
      expectedRows: SAMPLES,
      timeoutMs: 240_000,
      onPid: (p) => {
        pid = p
      },
    })
    assert.ok(pid > 0, 'onPid reported the worker')
    assert.equal(result.rows, SAMPLES)
    assert.ok(result.dataFiles > 0 && result.bytes > 0 && result.cpuSeconds > 0 && result.peakRssMiB > 0)
    console.log(JSON.stringify({ samples: SAMPLES, ...result }))

    const rows = await readTable({ ...target.ref('health_data_raw'), sort: ['sample_id'] })
    assert.equal(rows.length, SAMPLES)
    const byId = new Map(rows.map((r) => [r.sample_id, r]))
    for (const i of [0, 1, 1234, SAMPLES - 1]) {
      const s = samples[i]!
      const row = byId.get(s.sampleId)
      assert.ok(row, `${s.sampleId} is in the table`)
      assert.deepEqual(
        {
          user_id: row.user_id,
          value: row.value,
          start_time: row.start_time,
          end_time: row.end_time,
          flags: row.flags,
        },
        {
          user_id: s.userId,
          value: s.value,
          start_time: s.startTime,
          end_time: s.endTime,
          flags: s.flags,
        },
      )
      assert.equal(typeof row.kafka_offset, 'number')
    }
    assert.equal(new Set(rows.map((r) => `${r.kafka_partition}:${r.kafka_offset}`)).size, SAMPLES)
  })
})
