import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryBroker, MemoryConsumer } from '@healthstream/testkit/memory'
import type { ConsumerPort, FetchResult, PartitionOffset } from '../../src/kafka/ports.ts'
import { Prefetcher } from '../../src/kafka/prefetcher.ts'
import { appendInput, eventually, INPUT } from './memory-helpers.ts'

const limits = {
  fetchMaxWaitMs: 10,
  fetchMaxBytes: 10 * 1024,
  maxBufferedRecords: 25,
  maxBufferedBytes: 1 << 20,
}

function prefetcherOver(
  consumer: ConsumerPort,
  t: { after(fn: () => unknown): void },
  options = limits,
): Prefetcher {
  const prefetcher = new Prefetcher(consumer, options)
  prefetcher.start()
  t.after(() => prefetcher.stop())
  return prefetcher
}

function broker(records: number): MemoryBroker {
  const memory = new MemoryBroker()
  memory.createTopic(INPUT, 1)
  appendInput(memory, 0, records)
  return memory
}

const start: PartitionOffset[] = [{ topic: INPUT, partition: 0, offset: 0n }]

test('stops reading ahead once the buffer holds maxBufferedRecords, and goes on when it drains', async (t) => {
  const prefetcher = prefetcherOver(new MemoryConsumer(broker(100), 'g'), t)
  prefetcher.reset(start)

  await eventually(() => prefetcher.buffered >= 25)
  await new Promise((resolve) => setTimeout(resolve, 30))
  assert.ok(prefetcher.buffered < 25 + 10, `read ahead ${prefetcher.buffered} records past the limit`)
  assert.equal(prefetcher.throttled, true)

  const taken = await prefetcher.take(100, 0)
  assert.equal(taken[0]?.offset, 0n)
  await eventually(() => prefetcher.buffered > 0, 1000, 'reading ahead again')
})

test('hands out at most maxRecords and keeps the rest in order', async (t) => {
  const prefetcher = prefetcherOver(new MemoryConsumer(broker(20), 'g'), t)
  prefetcher.reset(start)
  await eventually(() => prefetcher.buffered === 20)

  const first = await prefetcher.take(8, 0)
  const second = await prefetcher.take(100, 0)
  assert.deepEqual(
    [...first, ...second].map((r) => r.offset),
    Array.from({ length: 20 }, (_, i) => BigInt(i)),
  )
})

test('drops what a fetch started before a reset returns, and reads from the new positions', async (t) => {
  let release: ((result: FetchResult) => void) | undefined
  const stale: FetchResult = { records: [], next: [{ topic: INPUT, partition: 0, offset: 99n }] }
  const memory = broker(5)
  const real = new MemoryConsumer(memory, 'g')
  const slowFirst: ConsumerPort = Object.assign(Object.create(real) as ConsumerPort, {
    fetch: (positions: readonly PartitionOffset[], options: { maxWaitMs: number; maxBytes: number }) =>
      release === undefined
        ? new Promise<FetchResult>((resolve) => {
            release = resolve
          })
        : real.fetch(positions, options),
  })
  const prefetcher = prefetcherOver(slowFirst, t)
  prefetcher.reset(start)
  await eventually(() => release !== undefined)

  prefetcher.reset([{ topic: INPUT, partition: 0, offset: 3n }])
  release?.(stale)
  const records = await prefetcher.take(10, 20)
  assert.deepEqual(
    records.map((r) => r.offset),
    [3n, 4n],
  )
})

test('returns an empty batch when the signal aborts while waiting for the first record', async (t) => {
  const prefetcher = prefetcherOver(new MemoryConsumer(broker(0), 'g'), t)
  prefetcher.reset(start)
  const controller = new AbortController()
  setTimeout(() => controller.abort(), 10)
  assert.deepEqual(await prefetcher.take(10, 0, controller.signal), [])
})

test('throws the fetch error to the taker once the buffer is empty', async (t) => {
  const consumer = new MemoryConsumer(broker(0), 'g')
  consumer.faults.failNext('fetch', new Error('broker down'))
  const prefetcher = prefetcherOver(consumer, t)
  prefetcher.reset(start)
  await assert.rejects(prefetcher.take(10, 0), /broker down/)
})
