import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LoopProgress } from '../../src/kafka/loop-progress.ts'

describe("the transactional loop's progress", () => {
  it('is the latest of a commit, a caught-up read and an assignment', () => {
    const p = new LoopProgress()
    assert.equal(p.lastProgressAt(4, 0, 1000), 0)
    p.synced(100)
    assert.equal(p.lastProgressAt(4, 50, 1000), 100)
    assert.equal(p.lastProgressAt(4, 300, 1000), 300, 'a read that found nothing new')
    assert.equal(p.committed(10, 7, 500), 500)
    assert.equal(p.lastProgressAt(4, 300, 1000), 500)
    assert.deepEqual(
      [p.counters.recordsIn, p.counters.recordsOut, p.counters.transactionsCommitted],
      [10, 7, 1],
    )
  })

  it('is frozen at the moment a batch was taken while it is in hand, however often reads find nothing', () => {
    const p = new LoopProgress()
    p.busy(200)
    assert.equal(p.lastProgressAt(4, 900, 1000), 200)
    p.idle()
    assert.equal(p.lastProgressAt(4, 900, 1000), 900)
  })

  it('is now for a member without partitions (nothing to do)', () => {
    const p = new LoopProgress()
    p.busy(200)
    assert.equal(p.lastProgressAt(0, 0, 1234), 1234)
    assert.equal(p.lastProgressAt(undefined, 0, 1234), 200, 'not yet joined: no such excuse')
  })

  it('counts a rebalance for each new generation after the first, not for a repeated one', () => {
    const p = new LoopProgress()
    for (const generation of [1, 1, 2, 3, 3]) p.joined(generation)
    assert.equal(p.counters.rebalances, 2)
  })
})
