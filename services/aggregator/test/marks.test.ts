import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readWatermarkMark } from '@healthstream/shared/kafka'
import { Topics } from '@healthstream/shared/topics'
import { WatermarkMarker, watermarkMarks } from '../src/marks.ts'
import { Aggregator, aggregatorDeps, consumed, decodeOutputs, NOW, run, session } from './support/harness.ts'
import { at, us } from './support/samples.ts'

const target = { topic: 'agg', partitions: 3 }
/** The marks of outputs, as [aggregates partition, input partition, watermark]. */
const marksOf = (outputs: readonly { partition?: number; headers?: ReadonlyMap<string, Buffer> }[]) =>
  outputs.flatMap((o) => {
    const m = readWatermarkMark(o.headers)
    return m === null ? [] : [[o.partition, m.sourcePartition, Number(m.watermark)]]
  })

describe('watermark marks', () => {
  it('marks every aggregates partition for each input partition whose firing watermark moved', () => {
    const marked = new Map<number, number>()
    const out = watermarkMarks(
      target,
      new Map([
        [1, 500],
        [0, 300],
      ]),
      marked,
    )
    assert.deepEqual(marksOf(out), [
      [0, 0, 300],
      [1, 0, 300],
      [2, 0, 300],
      [0, 1, 500],
      [1, 1, 500],
      [2, 1, 500],
    ])
    assert.ok(out.every((o) => o.value === null && o.topic === 'agg'))
  })

  it('marks nothing again until the watermark moves, and nothing before a first watermark', () => {
    const marked = new Map([[0, 300]])
    assert.deepEqual(
      watermarkMarks(
        target,
        new Map([
          [0, 300],
          [1, Number.MIN_SAFE_INTEGER],
        ]),
        marked,
      ),
      [],
    )
    assert.deepEqual(marksOf(watermarkMarks(target, new Map([[0, 301]]), marked)), [
      [0, 0, 301],
      [1, 0, 301],
      [2, 0, 301],
    ])
  })

  it('follow the window rows of the batch in the transaction, with the watermark the rows fired at', async () => {
    const deps = await aggregatorDeps({ now: () => NOW })
    const aggregator = new Aggregator({ ...deps, watermarkMarks: 2 })
    const s = deps.serdes
    const sess = session(1, [0])
    await run(aggregator, consumed(s, 0, 0, [at('2026-03-10T08:00:00Z')]), sess)
    const out = await run(aggregator, consumed(s, 0, 1, [at('2026-03-11T00:20:00Z')]), sess)
    const { rows } = await decodeOutputs(s, out)
    assert.deepEqual(
      rows.map(({ row }) => row.windowLabel),
      ['2026-03-10'],
    )
    const firstMark = out.findIndex((o) => readWatermarkMark(o.headers) !== null)
    assert.ok(firstMark > out.findIndex((o) => o.topic === Topics.aggregates && o.value !== null))
    assert.ok(
      out.slice(firstMark).every((o) => readWatermarkMark(o.headers) !== null),
      'marks come last',
    )
    const watermark = us('2026-03-11T00:10:00Z')
    assert.deepEqual(marksOf(out), [
      [0, 0, watermark],
      [1, 0, watermark],
    ])
    assert.equal(rows[0]!.row.watermark, watermark)
  })

  it('are sent again when a batch is read again (its transaction, and its marks, aborted)', async () => {
    const deps = await aggregatorDeps({ now: () => NOW })
    const aggregator = new Aggregator({ ...deps, watermarkMarks: 1 })
    const s = deps.serdes
    const sess = session(1, [0])
    const batch = consumed(s, 0, 0, [at('2026-03-10T08:00:00Z')])
    assert.equal(marksOf(await run(aggregator, batch, sess)).length, 1)
    assert.equal(marksOf(await run(aggregator, batch, sess)).length, 1, 'the redo marks again')
    assert.equal(
      marksOf(await run(aggregator, consumed(s, 0, 1, [at('2026-03-10T07:00:00Z')]), sess)).length,
      0,
    )
  })

  it('mark no partition whose windows were not due above the watermark the store keeps for it', async () => {
    const clock = { now: NOW }
    const deps = await aggregatorDeps({ now: () => clock.now, spec: { idleTimeout: 1 } })
    const aggregator = new Aggregator({ ...deps, watermarkMarks: 1 })
    const s = deps.serdes
    const sess = session(1, [0, 1])
    const sources = new Set<number>()
    for (let i = 0; i < 5; i++) {
      clock.now += 1000
      const out = await run(aggregator, consumed(s, 0, i, [at(`2026-03-1${i}T08:00:00Z`)]), sess)
      for (const [, source] of marksOf(out)) sources.add(source as number)
    }
    assert.deepEqual(
      [...sources],
      [0],
      'partition 1 never had data: its windows fire by the others, yet nothing is stored',
    )
  })

  it('hold back, after a redo, the partitions not read again until they are', () => {
    const marker = new WatermarkMarker({ topic: 'agg', partitions: 1 })
    const range = (first: bigint, last: bigint) => ({ first, last })
    marker.batch(
      new Map([
        [0, range(0n, 9n)],
        [1, range(0n, 4n)],
      ]),
      [0, 1],
    )
    assert.equal(
      marker.marks(
        new Map([
          [0, 100],
          [1, 100],
        ]),
      ).length,
      2,
    )
    marker.batch(new Map([[0, range(5n, 12n)]]), [0, 1]) // partition 0 again from 5: the last transaction aborted
    assert.deepEqual(
      marksOf(
        marker.marks(
          new Map([
            [0, 200],
            [1, 200],
          ]),
        ),
      ),
      [[0, 0, 200]],
    )
    marker.batch(new Map([[1, range(0n, 4n)]]), [0, 1]) // partition 1 read again: its redo
    assert.deepEqual(marksOf(marker.marks(new Map([[1, 200]]))), [[0, 1, 200]])
  })
})
