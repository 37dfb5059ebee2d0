import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { behindEnds, CatchUpTimeoutError, caughtUp } from '../../src/operating/catch-up.ts'

const at = (topic: string, partition: number, offset: bigint) => ({ topic, partition, offset })

describe('catching up before an erasure', () => {
  it('names the partitions read before their end, and not those given up', () => {
    const positions = [at('v', 0, 10n), at('v', 1, 7n)]
    const ends = [at('v', 0, 10n), at('v', 1, 9n), at('v', 2, 5n)]
    assert.deepEqual(behindEnds(positions, ends), [at('v', 1, 9n)])
  })

  it('waits until reading passes the ends as they stood when it began', async () => {
    let position = 3n
    const loop = { readPositions: () => [at('v', 0, position)] }
    const asked: unknown[] = []
    const ends = async (tps: readonly unknown[]) => {
      asked.push(tps)
      return [at('v', 0, 5n)]
    }
    const timer = setInterval(() => position++, 30)
    try {
      await caughtUp(loop, ends, 5_000)
    } finally {
      clearInterval(timer)
    }
    assert.ok(position >= 5n)
    assert.deepEqual(asked, [[{ topic: 'v', partition: 0 }]], 'the ends are read once')
  })

  it('gives up after the timeout with a retryable error naming the partition', async () => {
    const loop = { readPositions: () => [at('v', 3, 1n)] }
    await assert.rejects(
      caughtUp(loop, async () => [at('v', 3, 2n)], 150),
      (e: unknown) => e instanceof CatchUpTimeoutError && e.canRetry && /v\[3\] < 2/.test(e.message),
    )
  })
})
