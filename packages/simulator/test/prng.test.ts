import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { hash01, Rng } from '../src/prng.ts'

describe('deterministic randomness', () => {
  it('repeats a sequence from its seed and stream', () => {
    const a = new Rng(42, 1)
    const b = new Rng(42, 1)
    assert.deepEqual(
      Array.from({ length: 100 }, () => a.uint32()),
      Array.from({ length: 100 }, () => b.uint32()),
    )
    assert.notEqual(new Rng(42, 2).uint32(), new Rng(42, 1).uint32())
  })

  it('is roughly uniform', () => {
    const rng = new Rng(1)
    const buckets = new Array(10).fill(0)
    for (let i = 0; i < 100_000; i++) buckets[Math.floor(rng.next() * 10)]++
    assert.ok(
      buckets.every((n) => Math.abs(n - 10_000) < 500),
      buckets.join(','),
    )
  })

  it('makes version 4 UUIDs', () => {
    const rng = new Rng(5)
    for (let i = 0; i < 1000; i++)
      assert.match(rng.uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('hashes the same inputs to the same value in [0, 1)', () => {
    assert.equal(hash01(1, 2, 3), hash01(1, 2, 3))
    assert.notEqual(hash01(1, 2, 3), hash01(1, 2, 4))
    const values = Array.from({ length: 1000 }, (_, i) => hash01(9, i))
    assert.ok(values.every((v) => v >= 0 && v < 1))
  })
})
