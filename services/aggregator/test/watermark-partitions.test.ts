import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { clockedSetUp, consumed, decodeOutputs, run, session, setUp } from './support/harness.ts'
import { at, MINUTE } from './support/samples.ts'

describe('the aggregator across partitions: idle ones, ticks, the instance watermark', () => {
  it('lets windows fire by the other partitions and ignores partitions idle beyond the timeout', async () => {
    const { clock, aggregator, s } = await clockedSetUp({ idleTimeout: 5 * MINUTE })
    const sess = session(1, [0, 1])
    await run(aggregator, consumed(s, 0, 0, [at('2026-03-10T08:00:00Z')]), sess)
    const held = await run(aggregator, consumed(s, 0, 1, [at('2026-03-12T08:00:00Z')]), sess)
    assert.deepEqual(held, [], 'partition 1 has no data yet and is not idle: it holds the watermark')
    clock.now += 6 * MINUTE
    const released = await decodeOutputs(
      s,
      await run(aggregator, consumed(s, 0, 2, [at('2026-03-12T09:00:00Z')]), sess),
    )
    assert.deepEqual(
      released.rows.map(({ row }) => row.windowLabel),
      ['2026-03-10'],
    )
    assert.deepEqual(aggregator.status().idlePartitions, [1])
  })

  it('emits provisional rows of changed open windows every early-fire interval', async () => {
    const { clock, aggregator, s } = await clockedSetUp({ earlyFireInterval: 10 * MINUTE })
    const sess = session(1, [0])
    const first = await decodeOutputs(
      s,
      await run(aggregator, consumed(s, 0, 0, [at('2026-03-10T08:00:00Z')]), sess),
    )
    assert.deepEqual(
      first.rows.map(({ row }) => [row.granularity, row.revision, row.isFinal]),
      [
        ['daily', 1, false],
        ['monthly', 1, false],
        ['weekly', 1, false],
      ],
    )
    clock.now += MINUTE
    assert.deepEqual(await run(aggregator, consumed(s, 0, 1, [at('2026-03-10T09:00:00Z')]), sess), [])
    clock.now += 10 * MINUTE
    const second = await decodeOutputs(
      s,
      await run(aggregator, consumed(s, 0, 2, [at('2026-03-10T10:00:00Z')]), sess),
    )
    assert.deepEqual(
      second.rows.map(({ row }) => [row.granularity, row.revision, row.count]),
      [
        ['daily', 2, 3],
        ['monthly', 2, 3],
        ['weekly', 2, 3],
      ],
    )
  })
  it('fires the due windows of a partition whose data ran out, by the other partitions (same transaction, replayable)', async () => {
    const { aggregator, s, store } = await setUp()
    const sess = session(1, [0, 1])
    const a = (iso: string) => at(iso, { userId: 'u-a' })
    const b = (iso: string) => at(iso, { userId: 'u-b' })
    // A's data ends on Mar 11 05:00 (its own watermark passes Mar 10 + lateness); B still lags behind
    await run(
      aggregator,
      [
        ...consumed(s, 0, 0, [a('2026-03-10T08:00:00Z'), a('2026-03-11T05:00:00Z')]),
        ...consumed(s, 1, 0, [b('2026-03-09T08:00:00Z')]),
      ],
      sess,
    )
    // B continues far past A's day + lateness; A delivers nothing more
    const batch = consumed(s, 1, 1, [b('2026-03-10T09:00:00Z'), b('2026-03-12T09:00:00Z')])
    const first = await run(aggregator, batch, sess)
    const again = await run(aggregator, batch, sess) // its transaction aborted: the same bytes again
    assert.deepEqual(again, first)
    const { rows } = await decodeOutputs(s, first)
    assert.deepEqual(
      rows
        .filter(({ row }) => row.userId === 'u-a')
        .map(({ row }) => [row.windowLabel, row.revision, row.isFinal]),
      [['2026-03-10', 1, true]],
    )
    const [day] = await store.query({ userId: 'u-a', granularity: 'daily' })
    assert.deepEqual([day!.window.label, day!.final, day!.revision], ['2026-03-10', true, 1])
    // committed: the next batch starts after it and emits A's row no more
    const next = await decodeOutputs(
      s,
      await run(aggregator, consumed(s, 1, 3, [b('2026-03-12T10:00:00Z')]), sess),
    )
    assert.deepEqual(
      next.rows.filter(({ row }) => row.userId === 'u-a'),
      [],
    )
  })

  it("fires an idle partition's windows by the instance watermark, past its own", async () => {
    const { clock, aggregator, s } = await clockedSetUp({ idleTimeout: 5 * MINUTE })
    const sess = session(1, [0, 1])
    await run(
      aggregator,
      [
        ...consumed(s, 0, 0, [at('2026-03-10T08:00:00Z', { userId: 'u-a' })]),
        ...consumed(s, 1, 0, [at('2026-03-10T07:00:00Z', { userId: 'u-b' })]),
      ],
      sess,
    )
    clock.now += 6 * MINUTE
    const out = await decodeOutputs(
      s,
      await run(aggregator, consumed(s, 1, 1, [at('2026-03-12T08:00:00Z', { userId: 'u-b' })]), sess),
    )
    assert.deepEqual(out.rows.map(({ row }) => [row.userId, row.windowLabel, row.isFinal]).sort(), [
      ['u-a', '2026-03-10', true],
      ['u-b', '2026-03-10', true],
    ])
    assert.deepEqual(aggregator.status().idlePartitions, [0])
  })
})
