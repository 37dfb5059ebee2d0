import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LoopCounters } from '../src/loop-stats.ts'

describe("the lake loop's counters", () => {
  it('start at zero, with no error and nothing recovered', () => {
    assert.deepEqual(new LoopCounters().view(), {
      lastCommitAt: 0,
      lastProgressAt: 0,
      commits: 0,
      resyncs: 0,
      recoveredPositions: {},
    })
  })

  it('count commits as progress, keep the last error and every recovered table', () => {
    const c = new LoopCounters()
    c.progressed(10)
    c.committed(20)
    c.committed(30)
    c.failed(new Error('fenced'))
    c.resyncs++
    c.recovered('health_data_raw', 40)
    assert.deepEqual(c.view(), {
      lastCommitAt: 30,
      lastProgressAt: 30,
      commits: 2,
      resyncs: 1,
      recoveredPositions: { health_data_raw: 40 },
      lastError: 'fenced',
    })
    c.failed('not an Error')
    assert.equal(c.view().lastError, 'not an Error')
  })
})
