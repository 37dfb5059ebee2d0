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

test('a batch lingers from its oldest record: records that waited out the linger go at once', async (t) => {
  const memory = broker(3)
  const prefetcher = prefetcherOver(new MemoryConsumer(memory, 'g'), t)
  prefetcher.reset(start)
  await eventually(() => prefetcher.buffered === 3)
  // Buffered while the previous batch was in its transaction, say: their linger is over
  await new Promise((resolve) => setTimeout(resolve, 250))
  let started = performance.now()
  assert.equal((await prefetcher.take(100, 200)).length, 3)
  const late = performance.now() - started
  assert.ok(late < 150, `took ${late.toFixed(0)} ms for records that had lingered 250 ms already`)

  // A fresh record lingers: the batch waits for more, up to lingerMs from when it was buffered
  appendInput(memory, 3, 1)
  await eventually(() => prefetcher.buffered === 1)
  started = performance.now()
  setTimeout(() => appendInput(memory, 4, 1), 20)
  const fresh = await prefetcher.take(100, 200)
  const waited = performance.now() - started
  assert.deepEqual(
    fresh.map((r) => r.offset),
    [3n, 4n],
  )
  assert.ok(waited >= 150, `a fresh batch lingered ${waited.toFixed(0)} ms`)
})
