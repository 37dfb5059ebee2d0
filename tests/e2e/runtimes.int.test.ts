/**
 * The services run on Node.js 24, Bun and Deno: ingest, started on each runtime against the real
 * stack, answers its health endpoints and moves a raw batch to health-data-samples in a transaction.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { encode, HttpSchemaRegistry, healthDataBatchV2 } from '@healthstream/shared/avro'
import { readCommittedTopic } from '@healthstream/shared/kafka'
import {
  endpoint,
  eventually,
  produceRaw,
  ServiceProcess,
  TEST_ADMIN_TOKEN,
  testPipeline,
} from '@healthstream/testkit/stack'
import avro from 'avsc'

const RUNTIMES: [string, () => string[]][] = [
  ['Node.js', () => [process.execPath]],
  ['Bun', () => [endpoint('BUN_BIN')]],
  ['Deno', () => [endpoint('DENO_BIN'), 'run', '--allow-all']],
]

function batch(id: string) {
  return {
    batchId: id,
    userId: `user-${id}`,
    deviceId: 'd',
    platform: 'IOS',
    appVersion: null,
    uploadedAt: new Date().toISOString(),
    timeZone: null,
    samples: [1, 2, 3].map((i) => ({
      sampleId: `${id}-${i}`,
      dataType: 'steps',
      value: 100 * i,
      unit: 'count',
      startTime: new Date(Date.now() - i * 60_000).toISOString(),
      endTime: new Date(Date.now() - i * 60_000 + 30_000).toISOString(),
      sourceApp: null,
      confidence: null,
      metadata: {},
    })),
    metadata: {},
  }
}

describe('ingest on every runtime', () => {
  for (const [name, command] of RUNTIMES) {
    const pipeline = testPipeline(`rt-${name.toLowerCase().replace('.', '')}`)
    let service: ServiceProcess | undefined
    after(() => service?.stop())

    it(`runs on ${name}: health, readiness, admin auth, and a batch through its transaction`, async () => {
      service = new ServiceProcess('ingest', { ...pipeline.env, INSTANCE_ID: 'rt' }, command())
      await service.start()
      assert.equal((await service.fetch('/healthz')).status, 200)
      assert.equal((await service.fetch('/admin/status')).status, 401)
      const status = await service.fetch('/admin/status', {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      })
      assert.equal(status.status, 200)
      await eventually('/readyz to answer 200', async () => (await service!.fetch('/readyz')).status === 200)

      const registry = new HttpSchemaRegistry({ url: endpoint('SCHEMA_REGISTRY_URL') })
      const id = await registry.register(`${pipeline.topics.raw}-value`, healthDataBatchV2)
      const type = avro.Type.forSchema(healthDataBatchV2 as avro.Schema)
      await produceRaw(pipeline.topics.raw, [
        { key: 'user-b1', value: encode(id, type.toBuffer(batch('b1'))) },
      ])
      const kafka = { bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'rt-reader' }
      await eventually('3 samples on health-data-samples', async () => {
        return (await readCommittedTopic(kafka, pipeline.topics.samples)).length === 3
      })
      assert.deepEqual(service.unexpectedExits, [])
    })
  }
})
