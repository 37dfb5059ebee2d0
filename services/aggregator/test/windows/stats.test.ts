import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  addValue,
  initStats,
  mergeStats,
  type Stats,
  statsOf,
  statsResult,
  type TimedValue,
} from '../../src/windows/stats.ts'

// Values are multiples of 1/8 up to 125 000: exact in binary, so the reference below can be computed
// exactly with bigints, while still spanning means far larger than the spread (hard cases for M2).
const value = fc.integer({ min: -1_000_000, max: 1_000_000 }).map((i) => i / 8)
const point = fc.record({
  time: fc.integer({ min: 0, max: 50 }), // few distinct times, so ties are common
  value,
  id: fc.constantFrom('a', 'b', 'c', 'd'),
})
const points = fc.array(point, { maxLength: 60 })

/** Count, sum, mean and stddevs from exact integer arithmetic (values × 8 are integers). */
function exact(values: readonly number[]) {
  const n = BigInt(values.length)
  const scaled = values.map((v) => BigInt(v * 8))
  const sum = scaled.reduce((a, b) => a + b, 0n)
  const squares = scaled.reduce((a, b) => a + b * b, 0n)
  // n² · variance · 64 = n·Σx² − (Σx)²  (all exact)
  const numerator = n * squares - sum * sum
  const variancePop = Number(numerator) / Number(n * n) / 64
  const varianceSample = values.length < 2 ? null : Number(numerator) / Number(n * (n - 1n)) / 64
  return {
    count: values.length,
    sum: Number(sum) / 8,
    mean: Number(sum) / 8 / values.length,
    stddevPop: Math.sqrt(variancePop),
    stddevSample: varianceSample === null ? null : Math.sqrt(varianceSample),
  }
}

function close(actual: number, expected: number, what: string, scale = 0): void {
  const tolerance = 1e-9 * Math.max(Math.abs(actual), Math.abs(expected)) + 1e-12 * scale
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`)
}

/** The first and last points by the documented rule, by brute force. */
function firstAndLast(all: readonly TimedValue[]) {
  const sorted = [...all].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return { first: sorted[0], last: sorted.at(-1) }
}

function assertMatchesReference(stats: Stats, all: readonly TimedValue[]): void {
  const result = statsResult(stats)
  if (all.length === 0) {
    assert.equal(result, undefined)
    return
  }
  assert.ok(result)
  const values = all.map((p) => p.value)
  const reference = exact(values)
  const scale = Math.max(...values.map(Math.abs))
  assert.equal(result.count, reference.count)
  close(result.sum, reference.sum, 'sum', scale)
  close(result.mean, reference.mean, 'mean', scale)
  close(result.stddevPop, reference.stddevPop, 'stddevPop')
  if (reference.stddevSample === null) assert.equal(result.stddevSample, null)
  else close(result.stddevSample!, reference.stddevSample, 'stddevSample')
  assert.equal(result.min, Math.min(...values))
  assert.equal(result.max, Math.max(...values))
  const { first, last } = firstAndLast(all)
  assert.deepEqual([result.first.time, result.first.id], [first!.time, first!.id])
  assert.deepEqual([result.last.time, result.last.id], [last!.time, last!.id])
}

describe('statistics', () => {
  it('of a ++ b equal merge(stats(a), stats(b)) and a naive exact recomputation', () => {
    fc.assert(
      fc.property(points, points, (a, b) => {
        assertMatchesReference(statsOf([...a, ...b]), [...a, ...b])
        assertMatchesReference(mergeStats(statsOf(a), statsOf(b)), [...a, ...b])
      }),
      { numRuns: 500 },
    )
  })

  it('merge exactly commutatively', () => {
    fc.assert(
      fc.property(points, points, (a, b) => {
        assert.deepEqual(mergeStats(statsOf(a), statsOf(b)), mergeStats(statsOf(b), statsOf(a)))
      }),
    )
  })

  it('merge associatively (within rounding) and with initStats as identity', () => {
    fc.assert(
      fc.property(points, points, points, (a, b, c) => {
        const [x, y, z] = [statsOf(a), statsOf(b), statsOf(c)]
        const left = mergeStats(mergeStats(x, y), z)
        const right = mergeStats(x, mergeStats(y, z))
        assertMatchesReference(left, [...a, ...b, ...c])
        assertMatchesReference(right, [...a, ...b, ...c])
        assert.deepEqual(mergeStats(x, initStats()), x)
        assert.deepEqual(mergeStats(initStats(), x), x)
      }),
    )
  })

  it('stay accurate where the textbook formula cancels: values 1e9 + {4, 7, 13, 16}', () => {
    const stats = statsOf([4, 7, 13, 16].map((d, i) => ({ time: i, value: 1e9 + d, id: `s${i}` })))
    assert.equal(statsResult(stats)!.stddevSample, Math.sqrt(30))
    assert.equal(statsResult(stats)!.mean, 1e9 + 10)
  })

  it('report no sample standard deviation for a single value', () => {
    const result = statsResult(addValue(initStats(), { time: 1, value: 5, id: 'x' }))
    assert.deepEqual([result!.stddevPop, result!.stddevSample], [0, null])
  })

  it('break first and last ties by sample id, whatever the arrival order', () => {
    const p1 = { time: 10, value: 1, id: 'b' }
    const p2 = { time: 10, value: 2, id: 'a' }
    for (const order of [
      [p1, p2],
      [p2, p1],
    ]) {
      const result = statsResult(statsOf(order))!
      assert.deepEqual([result.first.value, result.last.value], [2, 1])
    }
  })
})
