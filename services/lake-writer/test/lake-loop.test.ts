import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { KafkaErrorCode, KafkaLoopError, type OutputRecord } from '@healthstream/shared/kafka'
import { MemoryBroker } from '@healthstream/testkit/memory'
import { recordedState } from '../src/committing/offsets.ts'
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
import { type Poison, poisonFrom } from './support/poison.ts'
import { aggregate, errorRecord, validatedSample } from './support/records.ts'

async function writer(
  shared: SharedLake,
  broker: MemoryBroker,
  routes: TopicRoute[],
  name: string,
  options: { commitMaxRows?: number } = {},
) {
  const lake = writerLake(shared)
  const consumer = memoryConsumer(broker)
  const { loop, events } = memoryLoop(consumer, await sinksOf(lake, name), routes, options)
  const done = loop.run()
  return { lake, consumer, loop, events, done }
}

async function setup() {
  const broker = new MemoryBroker()
  const { topics, routes, encode } = await codec()
  for (const t of [topics.validated, topics.aggregates, topics.errors]) broker.createTopic(t, 3)
  const shared = await sharedLake()
  const lake = writerLake(shared)
  const samples = (from: number, to: number) =>
    broker.append(Array.from({ length: to - from }, (_, i) => encode('validated', validatedSample(from + i))))
  return { broker, routes, encode, shared, lake, samples, codecTopic: topics.validated }
}

const count = (ids: readonly unknown[]) => {
  const m = new Map<string, number>()
  for (const id of ids) m.set(String(id), (m.get(String(id)) ?? 0) + 1)
  return m
}

async function sampleIds(lake: ReturnType<typeof writerLake>): Promise<Map<string, number>> {
  return count((await tableRows(lake, TableNames.raw)).map((r) => r.sample_id))
}

function assertExactlyOnce(ids: Map<string, number>, n: number): void {
  assert.deepEqual(
    [...ids].filter(([, c]) => c > 1),
    [],
    'no sample twice',
  )
  assert.deepEqual(ids.size, n, 'no sample missing')
}

describe('the lake loop', () => {
  it('writes every record of the three topics to its table once, with values intact', async () => {
    const { broker, routes, encode, shared, lake, samples } = await setup()
    samples(0, 120)
    broker.append([
      ...['daily', 'weekly', 'monthly'].map((g) => encode('aggregates', aggregate('a', 0, 1, g as 'daily'))),
      encode('aggregates', aggregate('a', 0, 2)),
      ...[0, 1, 2].map((i) => encode('errors', errorRecord(i))),
    ])
    const w = await writer(shared, broker, routes, 'w1')
    await until('120 samples', async () => (await sampleIds(lake)).size === 120)
    await w.loop.stop()
    assertExactlyOnce(await sampleIds(lake), 120)
    const raw = (await tableRows(lake, TableNames.raw)).find((r) => r.sample_id === 'sample-7')!
    const sample = validatedSample(7)
    assert.equal(raw.value, sample.value)
    assert.equal(raw.start_time, BigInt(sample.startTime))
    assert.deepEqual(raw.flags, ['UNIT_CONVERTED'])
    assert.deepEqual(raw.metadata, new Map())
    const daily = await tableRows(lake, TableNames.daily)
    assert.deepEqual(
      daily.map((r) => r.revision),
      [2n],
    )
    assert.equal((await tableRows(lake, TableNames.weekly)).length, 1)
    assert.equal((await tableRows(lake, TableNames.monthly)).length, 1)
    const errors = await tableRows(lake, TableNames.errors)
    assert.deepEqual(
      errors.map((e) => e.error_id).sort(),
      [0, 1, 2].map((i) => errorRecord(i).errorId),
    )
    const first = errors.find((e) => e.error_id === errorRecord(0).errorId)!
    assert.equal(Buffer.from(first.payload as Uint8Array).toString(), JSON.stringify({ i: 0 }))
  })

  it('lands every record once although writers die at each write of a commit in turn', async () => {
    const { broker, routes, shared, lake, samples } = await setup()
    let next = 0
    for (let k = 0; k < 10; k++) {
      const w = await writer(shared, broker, routes, `crash-${k}`)
      w.lake.store.hangAfter(k)
      // Small batches, so that the k-th write falls into a later commit for larger k
      while (w.lake.store.hung === 0) {
        samples(next, next + 5)
        next += 5
        await until(
          `writer ${k} to commit or die`,
          () => w.lake.store.hung > 0 || w.loop.stats.buffered[TableNames.raw] === 0,
          5000,
        )
        await new Promise((r) => setTimeout(r, 150))
      }
      broker.leave('lake', w.consumer.member.memberId!) // its session times out
    }
    samples(next, next + 25)
    next += 25
    const survivor = await writer(shared, broker, routes, 'survivor')
    await until('every sample', async () => (await sampleIds(lake)).size === next)
    await survivor.loop.stop()
    assertExactlyOnce(await sampleIds(lake), next)
  })

  it('dead-letters every record no table can hold exactly once, beside the good ones, although writers die at each write', async () => {
    const { broker, routes, encode, shared, lake, samples } = await setup()
    const goods = {
      validated: encode('validated', validatedSample(0)),
      aggregates: encode('aggregates', aggregate('a', 0, 1)),
      errors: encode('errors', errorRecord(0)),
    }
    const poison = new Map<string, Poison>()
    const records: OutputRecord[] = []
    for (const [name, good] of Object.entries(goods)) {
      for (const p of poisonFrom(good.value!)) {
        poison.set(`poison:${name}:${p.kind}`, p)
        records.push({ topic: good.topic, key: Buffer.from(`poison:${name}:${p.kind}`), value: p.value })
      }
    }
    const hourly = encode('aggregates', { ...aggregate('b', 0, 1), granularity: 'hourly' }, 'poison:hourly')
    poison.set('poison:hourly', { kind: 'hourly', value: hourly.value, reason: 'UNKNOWN_GRANULARITY' })
    samples(0, 20)
    broker.append([...records, hourly, goods.aggregates, goods.errors])
    samples(20, 40)
    for (let k = 0; k < 6; k++) {
      const w = await writer(shared, broker, routes, `crash-${k}`)
      w.lake.store.hangAfter(k)
      await until(`writer ${k} to die`, () => w.lake.store.hung > 0, 5000).catch(() => undefined)
      broker.leave('lake', w.consumer.member.memberId!)
    }
    const survivor = await writer(shared, broker, routes, 'survivor')
    await until('every sample', async () => (await sampleIds(lake)).size === 40)
    await survivor.loop.flush()
    await survivor.loop.stop()
    assertExactlyOnce(await sampleIds(lake), 40)
    assert.equal(survivor.loop.stats.state, 'stopped')

    const rows = await tableRows(lake, TableNames.errors)
    const dead = rows.filter((r) => r.stage === 'lake-writer')
    const wanted = [goods.validated.topic, goods.aggregates.topic, goods.errors.topic].flatMap((t) =>
      broker.readCommitted(t).filter((r) => r.key?.toString().startsWith('poison:')),
    )
    assert.equal(wanted.length, poison.size)
    assert.equal(dead.length, wanted.length, 'one dead letter per poison record')
    for (const r of wanted) {
      const p = poison.get(r.key!.toString())!
      const id = `lake-writer:${r.topic}:${r.partition}:${r.offset}`
      const row = dead.find((d) => d.error_id === id)
      assert.ok(row, `${p.kind} on ${r.topic} is dead-lettered`)
      assert.equal(row.reason_code, p.reason, p.kind)
      assert.deepEqual(
        [row.source_topic, row.source_partition, row.source_offset, row.kafka_partition, row.kafka_offset],
        [r.topic, r.partition, r.offset, r.partition, r.offset],
      )
      assert.equal(row.payload_format, 'raw')
      assert.deepEqual(Buffer.from(row.payload as Uint8Array), p.value ?? Buffer.alloc(0), p.kind)
    }
    assert.deepEqual(
      rows.filter((r) => r.stage !== 'lake-writer').map((r) => r.error_id),
      [errorRecord(0).errorId],
    )
  })

  it("keeps both writers' rows and offsets when two share the partitions", async () => {
    const { broker, routes, shared, lake, samples, codecTopic } = await setup()
    const a = await writer(shared, broker, routes, 'a', { commitMaxRows: 7 })
    samples(0, 100)
    const b = await writer(shared, broker, routes, 'b', { commitMaxRows: 7 })
    samples(100, 300)
    await until('300 samples', async () => (await sampleIds(lake)).size === 300)
    await Promise.all([a.loop.stop(), b.loop.stop()])
    assertExactlyOnce(await sampleIds(lake), 300)
    const committed = (w: typeof a) => w.events.some((e) => e.type === 'committed' && e.result.rows > 0)
    assert.ok(committed(a) && committed(b), 'both wrote rows')
    const ends = count(broker.readCommitted(codecTopic).map((r) => r.partition))
    const recorded = (await b.lake.catalog.loadTable({ namespace: ['health'], name: TableNames.raw }))
      .metadata
    assert.deepEqual(
      [...recordedState(recorded).offsets.values()].map((o) => [o.partition, Number(o.offset)]),
      [...ends].map(([p, n]) => [Number(p), n]).sort(),
      'the offsets of every partition, whoever wrote them last',
    )
  })

  it('reads on while a commit is held, and lands what it read meanwhile in the next commit, once', async () => {
    const { broker, routes, shared, lake, samples } = await setup()
    const w = await writer(shared, broker, routes, 'w1', { commitMaxRows: 30 })
    const release = w.lake.store.hold()
    samples(0, 30)
    await until('the first commit to be held mid-way', () => w.lake.store.waiting > 0)
    samples(30, 55)
    const consumed = () =>
      w.events.reduce(
        (n, e) => n + (e.type === 'consumed' && e.topic.endsWith('validated') ? e.records : 0),
        0,
      )
    await until('all 55 records to be read while the commit is held', () => consumed() === 55)
    assert.ok(w.lake.store.waiting > 0, 'the commit is still held')
    assert.ok((w.loop.stats.buffered[TableNames.raw] ?? 0) > 0, 'records read meanwhile are buffered')
    assert.equal((await sampleIds(lake)).size, 0, 'nothing landed yet')
    release()
    await until('all 55 samples', async () => (await sampleIds(lake)).size === 55)
    await w.loop.stop()
    assertExactlyOnce(await sampleIds(lake), 55)
    assert.equal(
      w.events.filter((e) => e.type === 'resync').length,
      0,
      'no resync: the second commit fenced on the first',
    )
  })

  it('fences a writer frozen mid-commit after its partitions moved to another', async () => {
    const { broker, routes, shared, lake, samples } = await setup()
    const zombie = await writer(shared, broker, routes, 'zombie')
    const release = zombie.lake.store.hold()
    samples(0, 40)
    await until('the zombie to be mid-commit', () => zombie.lake.store.waiting > 0)
    broker.leave('lake', zombie.consumer.member.memberId!)
    const owner = await writer(shared, broker, routes, 'owner')
    await until('the owner to write all 40', async () => (await sampleIds(lake)).size === 40)
    release()
    await until('the zombie to be fenced', () => zombie.events.some((e) => e.type === 'resync'))
    await Promise.all([zombie.loop.stop(), owner.loop.stop()])
    assertExactlyOnce(await sampleIds(lake), 40)
    const resync = zombie.events.find((e) => e.type === 'resync')
    assert.match(String((resync as { error: Error }).error.message), /offsets moved under this writer/)
  })

  it('stops and rejects with a Kafka error no retry can fix (an ACL refusing a topic), closing the consumer', async () => {
    const { broker, routes, shared, samples } = await setup()
    samples(0, 10)
    const consumer = memoryConsumer(broker)
    let closed = false
    const refused = new KafkaLoopError(KafkaErrorCode.FATAL, 'fetch: refused [TOPIC_AUTHORIZATION_FAILED]')
    const { loop, events } = memoryLoop(
      {
        ...consumer,
        fetch: () => Promise.reject(refused),
        close: async () => {
          closed = true
          await consumer.close()
        },
      },
      await sinksOf(writerLake(shared), 'w'),
      routes,
    )
    await assert.rejects(loop.run(), refused)
    assert.ok(closed, 'the consumer is closed: the group learns at once')
    assert.deepEqual(
      events.filter((e) => e.type === 'resync'),
      [],
      'no resync: retrying cannot help',
    )
  })
})
