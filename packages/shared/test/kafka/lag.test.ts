import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConsumerLag, type LogEdge, type LogOffsetsPort, lagOf } from '../../src/kafka/lag.ts'
import type { LoopEvent } from '../../src/kafka/loop-stats.ts'
import type { PartitionOffset, TopicPartition } from '../../src/kafka/ports.ts'

const tp = (partition: number, topic = 't'): TopicPartition => ({ topic, partition })
const at = (partition: number, offset: number, topic = 't'): PartitionOffset => ({
  topic,
  partition,
  offset: BigInt(offset),
})

/** A broker's answers to ListOffsets read_committed: ends and log starts by partition of topic `t`. */
class FakeOffsets implements LogOffsetsPort {
  readonly asked: { partitions: number[]; edge: LogEdge }[] = []
  readonly #ends: Record<number, number>
  readonly #starts: Record<number, number>
  constructor(ends: Record<number, number>, starts: Record<number, number> = {}) {
    this.#ends = ends
    this.#starts = starts
  }
  async logOffsets(partitions: readonly TopicPartition[], edge: LogEdge): Promise<PartitionOffset[]> {
    this.asked.push({ partitions: partitions.map((p) => p.partition), edge })
    const listed = edge === 'latest' ? this.#ends : this.#starts
    return partitions
      .filter((p) => listed[p.partition] !== undefined)
      .map((p) => at(p.partition, listed[p.partition]!))
  }
}

const lags = (lag: ConsumerLag) =>
  Object.fromEntries(lag.current.map((p) => [`${p.topic}:${p.partition}`, Number(p.lag)]))

describe('lagOf', () => {
  const table: [what: string, end: number, position: number, lag: number][] = [
    ['records behind the end', 10, 4, 6],
    ['caught up', 4, 4, 0],
    ['an end read before the position moved past it', 3, 4, 0],
    ['an empty partition', 0, 0, 0],
  ]
  for (const [what, end, position, lag] of table) {
    it(`is ${lag} for ${what} (end ${end}, position ${position})`, () => {
      assert.equal(lagOf(BigInt(end), BigInt(position)), BigInt(lag))
    })
  }
})

describe('ConsumerLag after one refresh', () => {
  const table: {
    what: string
    owned: number[]
    positions: PartitionOffset[]
    commits?: PartitionOffset[]
    ends: Record<number, number>
    starts?: Record<number, number>
    lag: Record<string, number>
  }[] = [
    {
      what: 'counts, per owned partition, the read_committed end minus the committed position',
      owned: [0, 1],
      positions: [at(0, 3), at(1, 0)],
      ends: { 0: 10, 1: 7 },
      lag: { 't:0': 7, 't:1': 7 },
    },
    {
      // records 0-4, their commit marker at 5: the consumer commits 5, the last stable offset is 6
      what: 'counts the commit marker after the last record, as Kafka counts offsets',
      owned: [0],
      positions: [at(0, 5)],
      ends: { 0: 6 },
      lag: { 't:0': 1 },
    },
    {
      what: 'counts from the newest commit, not from the assignment',
      owned: [0, 1],
      positions: [at(0, 0), at(1, 0)],
      commits: [at(0, 8), at(1, 2)],
      ends: { 0: 10, 1: 7 },
      lag: { 't:0': 2, 't:1': 5 },
    },
    {
      what: 'counts a partition without a committed position from its log start',
      owned: [0, 1],
      positions: [at(1, 4)],
      ends: { 0: 130, 1: 4 },
      starts: { 0: 100 },
      lag: { 't:0': 30, 't:1': 0 },
    },
    {
      what: 'ignores commits of partitions it does not own',
      owned: [0],
      positions: [at(0, 1)],
      commits: [at(1, 9), at(0, 2)],
      ends: { 0: 2, 1: 12 },
      lag: { 't:0': 0 },
    },
    {
      what: 'leaves out a partition whose end the broker does not list',
      owned: [0, 1],
      positions: [at(0, 1), at(1, 1)],
      ends: { 0: 3 },
      lag: { 't:0': 2 },
    },
  ]
  for (const row of table) {
    it(row.what, async () => {
      const lag = new ConsumerLag()
      lag.assigned(
        row.owned.map((p) => tp(p)),
        row.positions,
      )
      if (row.commits) lag.committed(row.commits)
      await lag.refresh(new FakeOffsets(row.ends, row.starts))
      assert.deepEqual(lags(lag), row.lag)
    })
  }
})

describe('ConsumerLag over time', () => {
  it('asks for log starts only for partitions without a position, and nothing when it owns none', async () => {
    const offsets = new FakeOffsets({ 0: 5, 1: 5 }, { 1: 0 })
    const lag = new ConsumerLag()
    await lag.refresh(offsets)
    assert.deepEqual(offsets.asked, [])
    lag.assigned([tp(0), tp(1)], [at(0, 5)])
    await lag.refresh(offsets)
    assert.deepEqual(offsets.asked, [
      { partitions: [0, 1], edge: 'latest' },
      { partitions: [1], edge: 'earliest' },
    ])
  })

  it('drops a partition given up in a rebalance at once, before the next refresh', async () => {
    const lag = new ConsumerLag()
    lag.assigned([tp(0), tp(1)], [at(0, 0), at(1, 0)])
    await lag.refresh(new FakeOffsets({ 0: 4, 1: 6 }))
    lag.assigned([tp(1), tp(2)], [at(1, 0), at(2, 0)])
    assert.deepEqual(lags(lag), { 't:1': 6 })
  })

  it('forgets partitions a new session revoked, keeping the positions of the others', async () => {
    const lag = new ConsumerLag()
    lag.assigned([tp(0), tp(1)], [at(0, 1), at(1, 2)])
    await lag.refresh(new FakeOffsets({ 0: 4, 1: 6 }))
    lag.retain([tp(1), tp(3)])
    assert.deepEqual(lags(lag), { 't:1': 4 })
    await lag.refresh(new FakeOffsets({ 0: 9, 1: 9, 3: 9 }))
    assert.deepEqual(lags(lag), { 't:1': 7 })
  })

  it('keeps the last lag of a partition whose end a later refresh does not list', async () => {
    const lag = new ConsumerLag()
    lag.assigned([tp(0), tp(1)], [at(0, 0), at(1, 0)])
    await lag.refresh(new FakeOffsets({ 0: 4, 1: 6 }))
    await lag.refresh(new FakeOffsets({ 1: 9 }))
    assert.deepEqual(lags(lag), { 't:0': 4, 't:1': 9 })
  })

  it('leaves a partition given up while the ends were read out of the answer', async () => {
    const lag = new ConsumerLag()
    lag.assigned([tp(0), tp(1)], [at(0, 0), at(1, 0)])
    const port: LogOffsetsPort = {
      async logOffsets(partitions) {
        lag.assigned([tp(1)], [at(1, 2)]) // a rebalance while the request is out
        return partitions.map((p) => at(p.partition, 5))
      },
    }
    await lag.refresh(port)
    assert.deepEqual(lags(lag), { 't:1': 3 })
  })

  it('follows the loop: positions on assignment, offsets on commit, nothing once stopped', async () => {
    const lag = new ConsumerLag()
    const session = { groupId: 'g', memberId: 'm', generationId: 1, assignment: [tp(0), tp(1)] }
    const events: LoopEvent[] = [
      { type: 'assigned', session, positions: [at(0, 2), at(1, 0)] },
      { type: 'committed', records: 3, outputs: 3, offsets: [at(0, 5)], durationMs: 1 },
    ]
    for (const event of events) lag.onLoopEvent(event)
    await lag.refresh(new FakeOffsets({ 0: 9, 1: 1 }))
    assert.deepEqual(lags(lag), { 't:0': 4, 't:1': 1 })
    lag.onLoopEvent({ type: 'state', state: 'stopped' })
    assert.deepEqual(lags(lag), {})
  })

  it('throws what the broker throws and keeps the last lag', async () => {
    const lag = new ConsumerLag()
    lag.assigned([tp(0)], [at(0, 1)])
    await lag.refresh(new FakeOffsets({ 0: 4 }))
    const failing: LogOffsetsPort = { logOffsets: async () => Promise.reject(new Error('broker down')) }
    await assert.rejects(lag.refresh(failing), /broker down/)
    assert.deepEqual(lags(lag), { 't:0': 3 })
  })
})
