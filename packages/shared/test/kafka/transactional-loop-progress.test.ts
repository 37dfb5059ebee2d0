/**
 * What the loop counts as progress, which /readyz and the liveness probe (/healthz) judge it by: a
 * commit or a read that found nothing new, never a batch hanging in hand.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { brokerWithInput, eventually, OUTPUT, startLoop } from './memory-helpers.ts'

test('a batch hanging in the transform is no progress, however often the reads find nothing new', async (t) => {
  const broker = brokerWithInput(10, 1)
  let release: () => void = () => undefined
  const hanging = new Promise<void>((resolve) => {
    release = resolve
  })
  const { loop } = startLoop(broker, {
    transform: async (records) => {
      await hanging
      return records.map((r) => ({ topic: OUTPUT, key: r.key, value: r.value }))
    },
  })
  t.after(async () => {
    release()
    await loop.stop()
  })

  await eventually(() => loop.stats.bufferedRecords === 0 && loop.stats.session !== undefined)
  const stuckAt = loop.stats.lastProgressAt
  await new Promise((resolve) => setTimeout(resolve, 300)) // the prefetcher keeps reading meanwhile
  assert.equal(loop.stats.lastProgressAt, stuckAt, 'no progress while the batch hangs')
  release()
  await eventually(() => loop.stats.recordsIn === 10)
  assert.ok(loop.stats.lastProgressAt > stuckAt)
})
