/**
 * The whole chain on Bun and on Deno (Node.js runs it in every other test): all four services started
 * on the runtime, one upload produced to health-data-raw, and its samples read back from the lake
 * (embedded SQLite catalog through `node:sqlite`, local warehouse) by pyiceberg.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { localTarget } from '@healthstream/lake-writer/testing'
import { encode, HttpSchemaRegistry, healthDataBatchV2 } from '@healthstream/shared/avro'
import { readTable } from '@healthstream/testkit/lake'
import {
  endpoint,
  eventually,
  produceRaw,
  type ServiceProcess,
  testPipeline,
} from '@healthstream/testkit/stack'
import avro from 'avsc'

const RUNTIMES: [string, () => string[]][] = [
  ['Bun', () => [endpoint('BUN_BIN')]],
  ['Deno', () => [endpoint('DENO_BIN'), 'run', '--allow-all']],
]

const HOUR = 3_600_000

/** One upload of three step counts an hour apart, two days ago (so the daily window closes). */
function upload(id: string) {
  const start = Date.now() - 2 * 24 * HOUR
  return {
    batchId: id,
    userId: `user-${id}`,
    deviceId: 'd',
    platform: 'ANDROID',
    appVersion: null,
    uploadedAt: new Date().toISOString(),
    timeZone: null,
    samples: [0, 1, 2].map((i) => ({
      sampleId: `${id}-${i}`,
      dataType: 'steps',
      value: 100 * (i + 1),
      unit: 'count',
      startTime: new Date(start + i * HOUR).toISOString(),
      endTime: new Date(start + i * HOUR + 60_000).toISOString(),
      sourceApp: null,
      confidence: null,
      metadata: {},
    })),
    metadata: {},
  }
}

for (const [name, command] of RUNTIMES) {
  describe(`the whole chain on ${name}`, { timeout: 180_000 }, () => {
    const pipeline = testPipeline(`chain-${name.toLowerCase()}`)
    const dir = mkdtempSync(join(tmpdir(), 'hs-chain-'))
    const target = localTarget(dir)
    const services: ServiceProcess[] = []
    after(async () => {
      await Promise.all(services.map((s) => s.stop()))
      rmSync(dir, { recursive: true, force: true })
    })

    it('turns an upload into rows of health_data_raw, each service on that runtime', async () => {
      const extra: Record<string, Record<string, string>> = {
        aggregator: { PARTITION_IDLE_TIMEOUT: '1ms' },
        // Parquet encoded on a worker thread: node:worker_threads on this runtime too
        'lake-writer': { ...target.env, COMMIT_INTERVAL: '1s', ENCODE_THREADS: '1' },
      }
      for (const service of ['ingest', 'validator', 'aggregator', 'lake-writer']) {
        const process = pipeline.service(service, extra[service] ?? {})
        // ServiceProcess runs the runtime given; pipeline.service builds it for this Node
        services.push(process.onRuntime(command()))
      }
      await Promise.all(services.map((s) => s.start(90_000)))
      for (const s of services)
        await eventually(`${s.name} ready`, async () => (await s.fetch('/readyz')).status === 200)

      const registry = new HttpSchemaRegistry({ url: endpoint('SCHEMA_REGISTRY_URL') })
      const id = await registry.register(`${pipeline.topics.raw}-value`, healthDataBatchV2)
      const type = avro.Type.forSchema(healthDataBatchV2 as avro.Schema)
      await produceRaw(pipeline.topics.raw, [
        { key: 'user-u1', value: encode(id, type.toBuffer(upload('u1'))) },
      ])

      let rows: Record<string, unknown>[] = []
      await eventually(
        '3 rows in health_data_raw',
        async () => {
          rows = await readTable({ ...target.ref('health_data_raw'), sort: ['sample_id'] }).catch(() => [])
          return rows.length >= 3
        },
        90_000,
      )
      assert.deepEqual(
        rows.map((r) => [r.user_id, r.sample_id, r.data_type, r.value]),
        [0, 1, 2].map((i) => ['user-u1', `u1-${i}`, 'steps', 100 * (i + 1)]),
      )
      for (const s of services) assert.deepEqual(s.unexpectedExits, [], `${s.name} on ${name}`)
    })
  })
}
