import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Topics } from '@healthstream/shared/topics'
import { consumed, decodeOutputs, run, session, setUp } from './support/harness.ts'
import { InMemoryAggregateStore } from './support/memory-store.ts'
import { at, us } from './support/samples.ts'

describe('the aggregator transform', () => {
  it('emits nothing while the windows are open', async () => {
    const { aggregator, s } = await setUp()
    const out = await run(
      aggregator,
      consumed(s, 0, 0, [at('2026-03-10T08:00:00Z'), at('2026-03-10T09:00:00Z')]),
      session(1, [0]),
    )
    assert.deepEqual(out, [])
  })

  it('fires a day when the watermark passes its end, then updates it for late data and finalises it', async () => {
    const { aggregator, s } = await setUp()
    const sess = session(1, [0])
    await run(aggregator, consumed(s, 0, 0, [at('2026-03-10T08:00:00Z', { value: 10 })]), sess)
    const fired = await decodeOutputs(
      s,
      await run(aggregator, consumed(s, 0, 1, [at('2026-03-11T00:20:00Z')]), sess),
    )
    assert.deepEqual(
      fired.rows.map(({ row }) => [row.windowLabel, row.revision, row.isFinal, row.count, row.sum]),
      [['2026-03-10', 1, false, 1, 10]],
    )
    const late = await decodeOutputs(
      s,
      await run(aggregator, consumed(s, 0, 2, [at('2026-03-10T23:50:00Z', { value: 4 })]), sess),
    )
    assert.deepEqual(
      late.rows.map(({ row }) => [row.windowLabel, row.revision, row.isFinal, row.count, row.sum]),
      [['2026-03-10', 2, false, 2, 14]],
    )
    const final = await decodeOutputs(
      s,
      await run(aggregator, consumed(s, 0, 3, [at('2026-03-11T01:10:00Z')]), sess),
    )
    assert.deepEqual(
      final.rows.map(({ row }) => [row.windowLabel, row.revision, row.isFinal, row.count]),
      [['2026-03-10', 3, true, 2]],
    )
  })

  it('keys each row by its window id and carries the window and statistics', async () => {
    const { aggregator, s } = await setUp()
    const sess = session(1, [0])
    await run(
      aggregator,
      consumed(s, 0, 0, [at('2026-03-10T08:00:00Z', { value: 2 }), at('2026-03-10T09:00:00Z', { value: 4 })]),
      sess,
    )
    const out = await run(aggregator, consumed(s, 0, 2, [at('2026-03-12T00:00:00Z')]), sess)
    const { rows } = await decodeOutputs(s, out)
    const { key, row } = rows[0]!
    assert.equal(key, JSON.stringify(['u-1', 'heart_rate', 'daily', us('2026-03-10T00:00:00Z'), 'UTC']))
    assert.deepEqual(
      [row.windowStart, row.windowEnd, row.zone, row.min, row.max, row.mean, row.stddevPop, row.stddevSample],
      [us('2026-03-10T00:00:00Z'), us('2026-03-11T00:00:00Z'), 'UTC', 2, 4, 3, 1, Math.SQRT2],
    )
    assert.deepEqual(
      [row.firstValue, row.lastValue, row.isFinal, row.watermark],
      [2, 4, true, us('2026-03-11T23:50:00Z')],
    )
  })

  it('dead-letters a sample too late for all its windows as TOO_LATE, with its provenance', async () => {
    const { aggregator, s } = await setUp()
    const sess = session(1, [0])
    await run(aggregator, consumed(s, 0, 0, [at('2026-03-10T08:00:00Z')]), sess)
    const late = at('2026-01-05T08:00:00Z', { sourceOffset: 77, sourceIndex: 3 })
    const { errors, rows } = await decodeOutputs(s, await run(aggregator, consumed(s, 0, 1, [late]), sess))
    assert.deepEqual(rows, [])
    assert.deepEqual(
      errors.map((e) => [e.errorId, e.reasonCode, e.stage, e.sampleId, e.occurredAt]),
      [['aggregator:health-data-raw:0:77:3', 'TOO_LATE', 'aggregator', late.sampleId, late.startTime]],
    )
  })

  it('dead-letters an undecodable record instead of failing', async () => {
    const { aggregator, s } = await setUp()
    const [record] = consumed(s, 0, 5, [at('2026-03-10T08:00:00Z')])
    const out = await run(aggregator, [{ ...record!, value: Buffer.from('not avro') }], session(1, [0]))
    const { errors } = await decodeOutputs(s, out)
    assert.deepEqual(
      errors.map((e) => [e.reasonCode, e.sourceTopic, e.sourceOffset]),
      [['BAD_MAGIC', Topics.validated, 5]],
    )
  })

  it('produces the same bytes again for a replayed batch and counts its samples once', async () => {
    const { aggregator, s, store } = await setUp()
    const sess = session(1, [0])
    await run(aggregator, consumed(s, 0, 0, [at('2026-03-10T08:00:00Z')]), sess)
    const batch = consumed(s, 0, 1, [at('2026-03-10T09:00:00Z'), at('2026-03-11T02:00:00Z')])
    const first = await run(aggregator, batch, sess)
    const again = await run(aggregator, batch, sess) // the transaction carrying `first` aborted
    assert.ok(first.length > 0)
    assert.deepEqual(again, first)
    const [day] = await store.query({ userId: 'u-1', granularity: 'daily', to: us('2026-03-11T00:00:00Z') })
    assert.equal(day!.stats.count, 2)
  })

  it('re-emits a replayed group and then applies only the records after it', async () => {
    const { aggregator, s, store } = await setUp()
    const sess = session(1, [0])
    const samples = [at('2026-03-10T08:00:00Z'), at('2026-03-11T02:00:00Z'), at('2026-03-12T02:00:00Z')]
    const first = await run(aggregator, consumed(s, 0, 0, samples.slice(0, 2)), sess)
    const longer = await run(aggregator, consumed(s, 0, 0, samples), sess)
    assert.deepEqual(longer.slice(0, first.length), first)
    const days = await store.query({ userId: 'u-1', granularity: 'daily' })
    assert.deepEqual(
      days.map((d) => d.stats.count),
      [1, 1, 1],
    )
  })

  it('skips the rest of a group after a shorter replay committed, and loses nothing after it', async () => {
    const { aggregator, s, store } = await setUp()
    const sess = session(1, [0])
    const samples = [0, 1, 2, 3].map((i) => at(`2026-03-1${i}T08:00:00Z`))
    const whole = await run(aggregator, consumed(s, 0, 0, samples.slice(0, 3)), sess)
    const shorter = await run(aggregator, consumed(s, 0, 0, samples.slice(0, 1)), sess)
    assert.deepEqual(shorter, whole) // the whole group is re-emitted, in the commit of offset 0 only
    await run(aggregator, consumed(s, 0, 1, samples.slice(1)), sess)
    const counts = (await store.query({ userId: 'u-1', granularity: 'daily' })).map((d) => d.stats.count)
    assert.deepEqual(counts, [1, 1, 1, 1])
  })

  it('refuses to write a partition claimed by a newer generation', async () => {
    const store = new InMemoryAggregateStore()
    const old = await setUp(store)
    await run(old.aggregator, consumed(old.s, 0, 0, [at('2026-03-10T08:00:00Z')]), session(1, [0]))
    const next = await setUp(store)
    await run(next.aggregator, consumed(next.s, 0, 1, [at('2026-03-10T09:00:00Z')]), session(2, [0]))
    await assert.rejects(
      run(old.aggregator, consumed(old.s, 0, 1, [at('2026-03-10T09:00:00Z')]), session(1, [0])),
      {
        code: 'FENCED',
      },
    )
  })

  it('refuses the writes of a replaced process of the same instance, which keeps its generation', async () => {
    const store = new InMemoryAggregateStore()
    const zombie = await setUp(store)
    await run(zombie.aggregator, consumed(zombie.s, 0, 0, [at('2026-03-10T08:00:00Z')]), session(4, [0]))
    const restarted = await setUp(store)
    await run(
      restarted.aggregator,
      consumed(restarted.s, 0, 1, [at('2026-03-10T09:00:00Z')]),
      session(4, [0]),
    )
    const late = run(
      zombie.aggregator,
      consumed(zombie.s, 0, 1, [at('2026-03-10T09:00:00Z')]),
      session(4, [0]),
    )
    await assert.rejects(late, { code: 'FENCED' })
  })

  it('resumes a partition from the store after a restart: its watermark and windows survive', async () => {
    const store = new InMemoryAggregateStore()
    const before = await setUp(store)
    await run(
      before.aggregator,
      consumed(before.s, 0, 0, [at('2026-03-10T08:00:00Z', { value: 1 })]),
      session(1, [0]),
    )
    const after = await setUp(store)
    const out = await run(
      after.aggregator,
      consumed(after.s, 0, 1, [at('2026-03-11T03:00:00Z', { value: 2 })]),
      session(2, [0]),
    )
    const { rows } = await decodeOutputs(after.s, out)
    assert.deepEqual(
      rows.map(({ row }) => [row.windowLabel, row.count, row.sum, row.isFinal]),
      [['2026-03-10', 1, 1, true]],
    )
    assert.equal(after.aggregator.status().instanceWatermark, '2026-03-11T02:50:00.000Z')
  })
})
