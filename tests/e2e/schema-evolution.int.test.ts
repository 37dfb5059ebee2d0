/**
 * Issue 19, part 2: fields a newer upstream schema adds reach `health_data_raw` as new columns, with
 * no service restarted. ingest, validator and lake-writer run on the stack; v2 batches land first;
 * then a v3 registered at run time under the raw topic's subject (a backward-compatible evolution:
 * batch `deviceModel`, per-sample `tags` and `sensorLocation`) sends batches with the new fields.
 * Checked: the samples and validated topics carry them as extras; the table gains the columns by
 * schema evolution (new field ids, the old data files untouched), old rows read null and new rows
 * filled, through pyiceberg and DuckDB; each kind of conflict is a `SCHEMA_CONFLICT` dead letter.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { localTarget } from '@healthstream/lake-writer/testing'
import { encode, HttpSchemaRegistry, healthDataBatchV2 } from '@healthstream/shared/avro'
import { readTable, tableFiles } from '@healthstream/testkit/lake'
import {
  endpoint,
  eventually,
  produceRaw,
  readSamples,
  readValidated,
  testPipeline,
} from '@healthstream/testkit/stack'
import avro from 'avsc'
import { batch, evolved, metadataOf, USER, V3 } from './support/upstream-v3.ts'

describe('new upstream fields become new lake columns without a deploy', { timeout: 300_000 }, () => {
  const pipeline = testPipeline('evolve')
  const dir = mkdtempSync(join(tmpdir(), 'hs-evolve-'))
  const target = localTarget(join(dir, 'lake'))
  const services = [
    pipeline.service('ingest'),
    pipeline.service('validator'),
    pipeline.service('lake-writer', { ...target.env, COMMIT_INTERVAL: '1s' }),
  ]
  const registry = new HttpSchemaRegistry({ url: endpoint('SCHEMA_REGISTRY_URL') })
  const subject = `${pipeline.topics.raw}-value`
  const raw = target.ref('health_data_raw')
  const errorsRef = target.ref('health_data_errors')
  const v2Type = avro.Type.forSchema(healthDataBatchV2 as avro.Schema)
  let v2Id = 0
  let pids: (number | undefined)[] = []

  before(async () => {
    v2Id = await registry.register(subject, healthDataBatchV2)
    for (const s of services) await s.start()
    pids = services.map((s) => s.pid)
  })
  after(async () => {
    for (const s of services) {
      const problems = s.lines.filter((l) => l.includes('"level":"error"'))
      if (problems.length > 0) console.error(`${s.name} logged:\n${problems.slice(-5).join('\n')}`)
    }
    await Promise.all(services.map((s) => s.stop()))
    rmSync(dir, { recursive: true, force: true })
  })

  const rowsOfAll = (engine: 'pyiceberg' | 'duckdb') => readTable({ ...raw, engine, sort: ['sample_id'] })
  const rowsOf = async (engine: 'pyiceberg' | 'duckdb') =>
    (await readTable({ ...raw, engine, sort: ['sample_id'] })).filter((r) => r.user_id === USER)

  it('adds device_model, tags and sensor_location: old rows null, new rows filled', async () => {
    await produceRaw(pipeline.topics.raw, [
      { key: USER, value: encode(v2Id, v2Type.toBuffer(batch('old-a', [{}, {}]))) },
      { key: USER, value: encode(v2Id, v2Type.toBuffer(batch('old-b', [{}]))) },
    ])
    await eventually('the v2 rows in the lake', async () => (await rowsOf('pyiceberg')).length === 3, 120_000)
    const before = metadataOf(dir, 'health_data_raw')
    const oldFiles = await tableFiles(raw)
    const oldSizes = oldFiles.map((f) => statSync(fileURLToPath(f.path)).size)

    const v3Id = await registry.register(subject, V3)
    assert.notEqual(v3Id, v2Id, 'v3 is a new version under the raw subject')
    const v3Type = avro.Type.forSchema(V3 as avro.Schema)
    const samples = [
      { tags: ['rest', 'morning'], sensorLocation: 'wrist' },
      { tags: [], sensorLocation: null },
    ]
    await produceRaw(pipeline.topics.raw, [
      {
        key: USER,
        value: encode(v3Id, v3Type.toBuffer(batch('new-a', samples, { deviceModel: 'Pixel 9' }))),
      },
    ])

    await eventually('the v3 samples on health-data-validated', async () => {
      const validated = await readValidated(pipeline.topics.validated)
      return validated.filter((v) => v.batchId === 'new-a' && v.extras !== null).length === 2
    })
    const samplesTopic = await readSamples(pipeline.topics.samples)
    const sample = samplesTopic.find((s) => s.sampleId === 'new-a-0')!
    assert.deepEqual(JSON.parse(sample.extras!), {
      deviceModel: { type: 'string', value: 'Pixel 9' },
      tags: { type: 'array<string>', value: ['rest', 'morning'] },
      sensorLocation: { type: 'string', value: 'wrist' },
    })
    assert.equal(samplesTopic.find((s) => s.sampleId === 'old-a-0')!.extras, null, 'v2 samples carry none')
    const validated = (await readValidated(pipeline.topics.validated)).find((v) => v.sampleId === 'new-a-0')!
    assert.equal(validated.extras, sample.extras, 'the validator passes them on')

    await eventually('the v3 rows in the lake', async () => (await rowsOf('pyiceberg')).length === 5, 120_000)
    for (const engine of ['pyiceberg', 'duckdb'] as const) {
      const rows = await rowsOf(engine)
      const by = new Map(rows.map((r) => [r.sample_id, r]))
      for (const id of ['old-a-0', 'old-a-1', 'old-b-0']) {
        const r = by.get(id)!
        assert.equal(r.device_model, null, `${engine}: old row ${id} reads null`)
        assert.equal(r.tags, null, `${engine}: old row ${id} has no tags`)
        assert.equal(r.sensor_location, null)
      }
      assert.equal(by.get('new-a-0')!.device_model, 'Pixel 9', `${engine}: batch field on every sample`)
      assert.deepEqual(by.get('new-a-0')!.tags, ['rest', 'morning'], engine)
      assert.equal(by.get('new-a-0')!.sensor_location, 'wrist', engine)
      assert.equal(by.get('new-a-1')!.device_model, 'Pixel 9', engine)
      assert.deepEqual(by.get('new-a-1')!.tags, [], engine)
      assert.equal(by.get('new-a-1')!.sensor_location, null, engine)
    }

    const now = metadataOf(dir, 'health_data_raw')
    const current = now.schemas.find((s) => s['schema-id'] === now['current-schema-id'])!
    const added = current.fields.filter((f) => ['device_model', 'tags', 'sensor_location'].includes(f.name))
    assert.equal(added.length, 3)
    for (const f of added) {
      assert.ok(f.id > before['last-column-id'], `${f.name} has a new field id (${f.id})`)
      assert.equal(f.required, false)
      assert.match(f.doc ?? '', /healthstream\.extra=/)
    }
    assert.ok(now['current-schema-id'] > before['current-schema-id'], 'a new schema is current')
    assert.ok(
      now.schemas.some((s) => s['schema-id'] === before['current-schema-id']),
      'the old schema is kept',
    )
    const files = await tableFiles(raw)
    for (const [i, f] of oldFiles.entries()) {
      assert.ok(
        files.some((g) => g.path === f.path && g.recordCount === f.recordCount),
        `${f.path} is still live`,
      )
      assert.equal(statSync(fileURLToPath(f.path)).size, oldSizes[i], 'and not rewritten')
    }
    assert.deepEqual(
      services.map((s) => s.pid),
      pids,
      'no service restarted',
    )
  })

  it('has two lake-writers add a column at once: it exists once, every row lands once, filled', async () => {
    const second = pipeline.service('lake-writer', {
      ...target.env,
      COMMIT_INTERVAL: '1s',
      INSTANCE_ID: 'lake-writer-2',
    })
    services.push(second)
    await second.start()
    pids.push(second.pid)
    const v3b = evolved(
      [{ name: 'deviceModel', type: ['null', 'string'], default: null }],
      [{ name: 'firmwareBuild', type: ['null', 'string'], default: null }],
    )
    const id = await registry.register(subject, v3b)
    const type = avro.Type.forSchema(v3b as avro.Schema)
    // many users, so both writers' partitions bring the new field in the same moments
    const users = Array.from({ length: 16 }, (_, i) => `${USER}-${i}`)
    await produceRaw(
      pipeline.topics.raw,
      users.map((user, i) => ({
        key: user,
        value: encode(id, type.toBuffer({ ...batch(`fw-${i}`, [{ firmwareBuild: `b${i}` }]), userId: user })),
      })),
    )
    let rows: Record<string, unknown>[] = []
    await eventually(
      '16 rows with firmware_build',
      async () => {
        rows = (await readTable({ ...raw, sort: ['sample_id'] })).filter((r) =>
          String(r.batch_id).startsWith('fw-'),
        )
        return rows.length >= 16
      },
      120_000,
    )
    assert.equal(new Set(rows.map((r) => r.sample_id)).size, rows.length, 'every row once')
    assert.equal(rows.length, 16)
    for (const r of rows) assert.equal(r.firmware_build, `b${String(r.batch_id).slice(3)}`)
    const now = metadataOf(dir, 'health_data_raw')
    const current = now.schemas.find((s) => s['schema-id'] === now['current-schema-id'])!
    assert.equal(current.fields.filter((f) => f.name === 'firmware_build').length, 1, 'one column')
    const duck = (await rowsOfAll('duckdb')).filter((r) => String(r.batch_id).startsWith('fw-'))
    assert.equal(duck.filter((r) => r.firmware_build !== null).length, 16)
  })

  it('dead-letters fields whose name or kind clashes, with SCHEMA_CONFLICT and the reason', async () => {
    // deviceModel now a long (under another subject: the raw subject would refuse the type change)
    const longModel = evolved([{ name: 'deviceModel', type: 'long' }], [])
    // a sample field named like a column of our own (kafka_offset)
    const ownName = evolved([], [{ name: 'kafkaOffset', type: ['null', 'long'], default: null }])
    // one name at batch and at sample level: ingest cannot tell them apart on a sample
    const twice = evolved([{ name: 'site', type: 'string' }], [{ name: 'site', type: 'string' }])
    const sent: [string, object, Record<string, unknown>[], Record<string, unknown>][] = [
      ['conflict-long', longModel, [{}], { deviceModel: 42 }],
      ['conflict-own', ownName, [{ kafkaOffset: 7 }], {}],
      ['conflict-twice', twice, [{ site: 'b' }], { site: 'a' }],
    ]
    for (const [id, schema, samples, extra] of sent) {
      const schemaId = await registry.register(`${pipeline.topics.raw}-${id}-value`, schema)
      const type = avro.Type.forSchema(schema as avro.Schema)
      await produceRaw(pipeline.topics.raw, [
        { key: USER, value: encode(schemaId, type.toBuffer(batch(id, samples, extra))) },
      ])
    }
    // and a good v2 batch behind them: the partition keeps moving
    await produceRaw(pipeline.topics.raw, [
      { key: USER, value: encode(v2Id, v2Type.toBuffer(batch('after', [{}]))) },
    ])

    let conflicts: Record<string, unknown>[] = []
    await eventually(
      'three SCHEMA_CONFLICT dead letters in health_data_errors',
      async () => {
        conflicts = (await readTable({ ...errorsRef, sort: ['error_id'] })).filter(
          (r) => r.reason_code === 'SCHEMA_CONFLICT',
        )
        return conflicts.length === 3
      },
      120_000,
    )
    const message = (stage: string, pattern: RegExp) =>
      conflicts.find((c) => c.stage === stage && pattern.test(String(c.message)))
    assert.ok(message('lake-writer', /extra deviceModel is long, its column device_model holds string/))
    assert.ok(
      message('lake-writer', /extra kafkaOffset would be column kafka_offset, a column not made for extras/),
    )
    assert.ok(message('ingest', /site is both a batch and a sample field/))
    await eventually('the batch behind them', async () =>
      (await rowsOf('pyiceberg')).some((r) => r.sample_id === 'after-0'),
    )
    const rows = await rowsOf('pyiceberg')
    assert.ok(
      !rows.some((r) => String(r.sample_id).startsWith('conflict-')),
      'no conflicting row in the table',
    )
    assert.deepEqual(
      services.map((s) => s.pid),
      pids,
      'no service restarted',
    )
  })
})
