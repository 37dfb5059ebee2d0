import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buffersFull, commitDue, countByTopic } from '../../src/consuming/commit-due.ts'

const limits = { commitIntervalMs: 10_000, commitMaxRows: 100 }
const NOW = 1_000_000

describe('when the lake loop commits', () => {
  const cases: {
    name: string
    buffers: { rowCount: number; dirtySince: number | undefined }[]
    due: boolean
    full: boolean
  }[] = [
    { name: 'nothing buffered', buffers: [{ rowCount: 0, dirtySince: undefined }], due: false, full: false },
    {
      name: 'rows younger than the interval',
      buffers: [{ rowCount: 5, dirtySince: NOW - 9_999 }],
      due: false,
      full: false,
    },
    {
      name: 'rows that waited the interval',
      buffers: [{ rowCount: 5, dirtySince: NOW - 10_000 }],
      due: true,
      full: false,
    },
    {
      name: 'one buffer at COMMIT_MAX_ROWS, the other fresh',
      buffers: [
        { rowCount: 1, dirtySince: NOW },
        { rowCount: 100, dirtySince: NOW },
      ],
      due: true,
      full: true,
    },
    { name: 'no buffers', buffers: [], due: false, full: false },
  ]
  for (const c of cases) {
    it(`${c.name}: due ${c.due}, full ${c.full}`, () => {
      assert.equal(commitDue(c.buffers, limits, NOW), c.due)
      assert.equal(buffersFull(c.buffers, limits.commitMaxRows), c.full)
    })
  }

  it('counts consumed records per topic', () => {
    const counted = countByTopic([{ topic: 'a' }, { topic: 'b' }, { topic: 'a' }])
    assert.deepEqual(
      [...counted],
      [
        ['a', 2],
        ['b', 1],
      ],
    )
  })
})
