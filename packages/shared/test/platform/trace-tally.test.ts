import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TraceTally } from '../../src/platform/trace-tally.ts'

const tp = (n: number, flags = '01') =>
  `00-${n.toString(16).padStart(32, '0')}-${n.toString(16).padStart(16, '0')}-${flags}`
const headers = (traceparent?: string, tracestate?: string) => {
  const h = new Map<string, Buffer>()
  if (traceparent !== undefined) h.set('traceparent', Buffer.from(traceparent))
  if (tracestate !== undefined) h.set('tracestate', Buffer.from(tracestate))
  return h
}

describe('TraceTally', () => {
  const cases: {
    name: string
    records: (string | undefined)[]
    max?: number
    groups: [string, number][]
    untraced: number
    overflow: number
  }[] = [
    { name: 'counts nothing in an empty batch', records: [], groups: [], untraced: 0, overflow: 0 },
    {
      name: 'makes one group of a run of records of one upload',
      records: [tp(1), tp(1), tp(1)],
      groups: [[tp(1), 3]],
      untraced: 0,
      overflow: 0,
    },
    {
      name: 'keeps first-seen order over interleaved contexts',
      records: [tp(2), tp(1), tp(2), tp(3), tp(1)],
      groups: [
        [tp(2), 2],
        [tp(1), 2],
        [tp(3), 1],
      ],
      untraced: 0,
      overflow: 0,
    },
    {
      name: 'counts records without a traceparent apart',
      records: [undefined, tp(1), undefined],
      groups: [[tp(1), 1]],
      untraced: 2,
      overflow: 0,
    },
    {
      name: 'tells an unsampled context from the sampled one of the same ids',
      records: [tp(1, '01'), tp(1, '00')],
      groups: [
        [tp(1, '01'), 1],
        [tp(1, '00'), 1],
      ],
      untraced: 0,
      overflow: 0,
    },
    {
      name: 'keeps at most maxGroups contexts and counts the records of the others',
      records: [tp(1), tp(2), tp(3), tp(1), tp(3)],
      max: 2,
      groups: [
        [tp(1), 2],
        [tp(2), 1],
      ],
      untraced: 0,
      overflow: 2,
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const tally = new TraceTally(c.max)
      for (const r of c.records) tally.add(headers(r))
      assert.deepEqual(
        tally.groups.map((g) => [g.traceparent, g.records]),
        c.groups,
      )
      assert.equal(tally.untraced, c.untraced)
      assert.equal(tally.overflow, c.overflow)
    })
  }

  it('keeps the tracestate of the first record of a group', () => {
    const tally = new TraceTally()
    tally.add(headers(tp(1), 'vendor=a'))
    tally.add(headers(tp(1), 'vendor=b'))
    assert.equal(tally.get(tp(1))?.tracestate, 'vendor=a')
  })

  it('starts over after take, handing out what it counted', () => {
    const tally = new TraceTally()
    tally.add(headers(tp(1)))
    tally.add(headers())
    const taken = tally.take()
    assert.deepEqual(
      taken.groups.map((g) => g.records),
      [1],
    )
    assert.equal(taken.untraced, 1)
    assert.ok(tally.empty)
    tally.add(headers(tp(1)))
    assert.equal(tally.get(tp(1))?.records, 1, 'a group of the last take does not count on')
  })

  it('refuses a bound below one', () => {
    assert.throws(() => new TraceTally(0), /maxGroups must be ≥ 1/)
  })
})
