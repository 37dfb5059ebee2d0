import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ExtraType } from '@healthstream/shared/domain'
import { MemoryBroker } from '@healthstream/testkit/memory'
import { bufferSchema, fitExtras } from '../src/committing/extra-columns.ts'
import { TableNames } from '../src/committing/tables.ts'
import type { TopicRoute } from '../src/consuming/routing.ts'
import {
  codec,
  memoryConsumer,
  memoryLoop,
  type SharedLake,
  sharedLake,
  sinksOf,
  tableRows,
  until,
  writerLake,
} from './support/memory.ts'
import { validatedSample } from './support/records.ts'

async function writer(shared: SharedLake, broker: MemoryBroker, routes: TopicRoute[], name: string) {
  const lake = writerLake(shared)
  const consumer = memoryConsumer(broker)
  const { loop, events } = memoryLoop(consumer, await sinksOf(lake, name), routes, { commitMaxRows: 7 })
  const done = loop.run()
  return { lake, loop, events, done }
}

async function setup() {
  const broker = new MemoryBroker()
  const { topics, routes, encode } = await codec()
  for (const t of [topics.validated, topics.aggregates, topics.errors]) broker.createTopic(t, 3)
  const shared = await sharedLake()
  return { broker, routes, encode, shared, lake: writerLake(shared) }
}

/** Sample `i` with the extras of a v3 upload on every third sample. */
function sample(i: number, extras = i % 3 === 0) {
  const s = validatedSample(i)
  if (!extras) return s
  const value = {
    deviceModel: { type: 'string', value: `model-${i}` },
    tags: { type: 'array<string>', value: i % 2 === 0 ? ['rest'] : [] },
    steps: { type: 'long', value: i },
  }
  return { ...s, extras: JSON.stringify(value) }
}

describe('extras in the lake loop', () => {
  it('adds a column per extra, fills it for the rows that bring one and leaves the others null', async () => {
    const { broker, routes, encode, shared, lake } = await setup()
    broker.append(Array.from({ length: 60 }, (_, i) => encode('validated', sample(i))))
    const w = await writer(shared, broker, routes, 'w')
    await until('60 rows', async () => (await tableRows(lake, TableNames.raw)).length === 60)
    await w.loop.stop()
    const table = await lake.catalog.loadTable({ namespace: ['health'], name: TableNames.raw })
    const schema = table.metadata.schemas.find((s) => s.schemaId === table.metadata.currentSchemaId)!
    assert.deepEqual(
      schema.fields.slice(-3).map((f) => [f.name, f.id > 37, f.required]),
      [
        ['device_model', true, false],
        ['tags', true, false],
        ['steps', true, false],
      ],
    )
    const rows = new Map((await tableRows(lake, TableNames.raw)).map((r) => [r.sample_id, r]))
    assert.equal(rows.get('sample-3')!.device_model, 'model-3')
    assert.deepEqual(rows.get('sample-6')!.tags, ['rest'])
    assert.equal(rows.get('sample-9')!.steps, 9n)
    assert.equal(rows.get('sample-4')!.device_model, null, 'a row without extras reads null')
    assert.equal(rows.get('sample-4')!.tags, null)
  })

  it('has two writers adding the same columns at once end with each column once and every row once', async () => {
    const { broker, routes, encode, shared, lake } = await setup()
    const a = await writer(shared, broker, routes, 'a')
    const b = await writer(shared, broker, routes, 'b')
    broker.append(Array.from({ length: 150 }, (_, i) => encode('validated', sample(i, i >= 20))))
    await until('150 rows', async () => (await tableRows(lake, TableNames.raw)).length === 150)
    await Promise.all([a.loop.stop(), b.loop.stop()])
    const rows = await tableRows(lake, TableNames.raw)
    assert.equal(new Set(rows.map((r) => r.sample_id)).size, 150, 'every sample once')
    const table = await lake.catalog.loadTable({ namespace: ['health'], name: TableNames.raw })
    const names = table.metadata.schemas
      .find((s) => s.schemaId === table.metadata.currentSchemaId)!
      .fields.map((f) => f.name)
    assert.equal(names.filter((n) => n === 'device_model').length, 1)
    // a file written before the columns existed has none: its rows read them as absent (null)
    const filled = rows.filter((r) => r.device_model !== null && r.device_model !== undefined)
    const index = (r: Record<string, unknown>) => Number(String(r.sample_id).replace('sample-', ''))
    const brought = rows.filter((r) => index(r) >= 20)
    assert.deepEqual(
      filled.map(index).sort(),
      brought.map(index).sort(),
      'the rows that brought extras, no other',
    )
    assert.ok(a.events.some((e) => e.type === 'resync') || b.events.some((e) => e.type === 'resync'))
  })

  it('lets one of two sinks adding columns at once win; the other reloads and finds them', async () => {
    const shared = await sharedLake()
    const rawOf = async (name: string) =>
      (await sinksOf(writerLake(shared), name)).find((s) => s.def.name === TableNames.raw)!
    const [a, b] = [await rawOf('a'), await rawOf('b')]
    const model = (kind: ExtraType) => fitExtras({ deviceModel: { type: kind, value: null } }, a.def.schema)
    const [asString, asLong] = [model('string'), model('long')]
    assert.ok(asString.kind === 'missing' && asLong.kind === 'missing')
    // Both base their change on the same metadata; the catalog's compare-and-swap takes one first
    await Promise.all([a.addColumns(asString.columns), b.addColumns(asLong.columns)])
    await Promise.all([a.refresh(), b.refresh()])
    const fields = a.table.schema.fields.filter((f) => f.name === 'device_model')
    assert.equal(fields.length, 1, 'one column')
    assert.deepEqual(b.table.schema.fields, a.table.schema.fields, 'both see the same schema')
    const winner = fields[0]!.type === 'string' ? 'string' : 'long'
    const loser: ExtraType = winner === 'string' ? 'long' : 'string'
    const buffered = bufferSchema(b.def, b.table.schema)
    assert.equal(fitExtras({ deviceModel: { type: winner, value: null } }, buffered).kind, 'fit')
    assert.equal(
      fitExtras({ deviceModel: { type: loser, value: null } }, buffered).kind,
      'conflict',
      "the loser's rows become dead letters, not values in a column of another type",
    )
  })

  it('dead-letters a row whose extra changed kind, or is named like a column of ours, as SCHEMA_CONFLICT', async () => {
    const { broker, routes, encode, shared, lake } = await setup()
    const conflicting = [
      { ...validatedSample(1), extras: JSON.stringify({ deviceModel: { type: 'string', value: 'a' } }) },
      { ...validatedSample(2), extras: JSON.stringify({ deviceModel: { type: 'long', value: 2 } }) },
      { ...validatedSample(3), extras: JSON.stringify({ userId: { type: 'string', value: 'x' } }) },
      { ...validatedSample(4), extras: '{"broken"' },
    ]
    // one partition, so the string comes before the long
    broker.append(conflicting.map((s) => encode('validated', s, 'one-key')))
    const w = await writer(shared, broker, routes, 'w')
    await until('1 row and 3 dead letters', async () => {
      const raw = await tableRows(lake, TableNames.raw)
      const errors = await tableRows(lake, TableNames.errors)
      return raw.length === 1 && errors.length === 3
    })
    await w.loop.stop()
    const errors = await tableRows(lake, TableNames.errors)
    assert.deepEqual(errors.map((e) => e.reason_code).sort(), [
      'DECODE_FAILED',
      'SCHEMA_CONFLICT',
      'SCHEMA_CONFLICT',
    ])
    const messages = errors.map((e) => String(e.message)).sort()
    assert.ok(messages.includes('extra deviceModel is long, its column device_model holds string'))
    assert.ok(messages.includes('extra userId would be column user_id, a column not made for extras'))
  })
})
