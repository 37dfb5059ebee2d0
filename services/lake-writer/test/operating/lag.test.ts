import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConsumerLag } from '@healthstream/shared/kafka'
import { MemoryBroker } from '@healthstream/testkit/memory'
import { recordedState } from '../../src/committing/offsets.ts'
import type { Lake } from '../../src/committing/open-lake.ts'
import { TableNames } from '../../src/committing/tables.ts'
import { LakeLoop } from '../../src/lake-loop.ts'
import type { LakeEvent } from '../../src/loop-stats.ts'
import { feedLag } from '../../src/operating/lag.ts'
import { codec, memoryConsumer, memoryLake, sinksOf, until } from '../support/memory.ts'
import { aggregate, errorRecord, validatedSample } from '../support/records.ts'

const PARTITIONS = [0, 1]

/** The lag as the tables tell it: per partition, its end minus the smallest offset of the tables it feeds. */
async function lagFromTables(
  lake: Lake,
  broker: MemoryBroker,
  feeds: Record<string, readonly string[]>,
): Promise<Record<string, number>> {
  const recorded = new Map<string, ReturnType<typeof recordedState>['offsets']>()
  for (const table of Object.values(TableNames)) {
    const { metadata } = await lake.catalog.loadTable({ namespace: ['health'], name: table })
    recorded.set(table, recordedState(metadata).offsets)
  }
  const out: Record<string, number> = {}
  for (const [topic, tables] of Object.entries(feeds))
    for (const p of PARTITIONS) {
      const offsets = tables.map((t) => Number(recorded.get(t)!.get(`${topic}:${p}`)?.offset ?? 0n))
      out[`${topic}:${p}`] = Number(broker.lastStableOffset(topic, p)) - Math.min(...offsets)
    }
  return out
}

describe('the lake-writer lag', () => {
  it('counts from the smallest offset the tables fed by a topic record, buffered rows included', async () => {
    const broker = new MemoryBroker()
    const { topics, routes, encode } = await codec()
    for (const t of [topics.validated, topics.aggregates, topics.errors]) broker.createTopic(t, 2)
    const feeds = {
      [topics.validated]: [TableNames.raw, TableNames.errors],
      [topics.aggregates]: [TableNames.daily, TableNames.weekly, TableNames.monthly, TableNames.errors],
      [topics.errors]: [TableNames.errors],
    }
    const lake = await memoryLake()
    const consumer = memoryConsumer(broker)
    const lag = new ConsumerLag()
    let consumed = 0
    const loop = new LakeLoop({
      consumer,
      sinks: await sinksOf(lake, 'w'),
      routes,
      commitIntervalMs: 60_000, // commits only when flushed
      commitMaxRows: 1000,
      onEvent: (event: LakeEvent) => {
        if (event.type === 'consumed') consumed += event.records
        feedLag(lag, event)
      },
    })
    const sample = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => encode('validated', validatedSample(from + i)))
    broker.append([
      ...sample(0, 30),
      encode('aggregates', aggregate('a', 0, 1, 'daily')),
      encode('aggregates', aggregate('b', 0, 1, 'weekly')),
      ...[0, 1, 2].map((i) => encode('errors', errorRecord(i))),
    ])
    const done = loop.run()
    const lagNow = async () => {
      await lag.refresh(consumer.member)
      return Object.fromEntries(lag.current.map((p) => [`${p.topic}:${p.partition}`, Number(p.lag)]))
    }
    const total = (lags: Record<string, number>) => Object.values(lags).reduce((a, b) => a + b)

    await until('every record read', () => consumed === 35)
    const buffered = await lagNow()
    assert.deepEqual(buffered, await lagFromTables(lake, broker, feeds))
    assert.equal(total(buffered), 35, 'read but not committed: all of it is still lag')

    await loop.flush()
    assert.deepEqual(await lagNow(), await lagFromTables(lake, broker, feeds))
    assert.equal(total(await lagNow()), 0)

    broker.append(sample(30, 40))
    await until('the new samples read', () => consumed === 45)
    const behind = await lagNow()
    assert.deepEqual(behind, await lagFromTables(lake, broker, feeds))
    assert.equal(total(behind), 10)

    await loop.flush()
    assert.equal(total(await lagNow()), 0)
    await loop.stop()
    await done
  })
})
