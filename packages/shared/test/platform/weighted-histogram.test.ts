import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Histogram, Registry } from 'prom-client'
import { WeightedHistogram } from '../../src/platform/weighted-histogram.ts'

const BUCKETS = [0.05, 0.1, 0.5, 1]

describe('a weighted histogram', () => {
  it("exposes what prom-client's Histogram exposes for the same observations made one by one", async () => {
    const ours = new Registry()
    const theirs = new Registry()
    for (const r of [ours, theirs]) r.setDefaultLabels({ service: 'validator' })
    const weighted = new WeightedHistogram({
      name: 'x_seconds',
      help: 'h',
      buckets: BUCKETS,
      registers: [ours],
    })
    const plain = new Histogram({ name: 'x_seconds', help: 'h', buckets: BUCKETS, registers: [theirs] })
    const observations: [number, number][] = [
      [0.01, 3],
      [0.05, 2], // on a bound: counted in that bucket (le is "less or equal")
      [0.3, 1000],
      [2, 7], // above every bound: +Inf only
    ]
    for (const [value, count] of observations) {
      weighted.observe(value, count)
      for (let i = 0; i < count; i++) plain.observe(value)
    }
    // The sums differ in the last digits only: one product against a thousand additions
    const rounded = (text: string) =>
      text.replace(/(_sum\{[^}]*\}) ([\d.]+)/, (_, m, v) => `${m} ${Number(v).toFixed(6)}`)
    assert.equal(rounded(await ours.metrics()), rounded(await theirs.metrics()))
    assert.match(await ours.metrics(), /^x_seconds_sum\{service="validator"\} 314.13$/m)
  })

  it('leaves out values that are not finite and counts that are not positive', async () => {
    const registry = new Registry()
    const h = new WeightedHistogram({ name: 'y', help: 'h', buckets: BUCKETS, registers: [registry] })
    h.observe(Number.NaN, 5)
    h.observe(Number.POSITIVE_INFINITY)
    h.observe(0.2, 0)
    h.observe(0.2, -1)
    h.observe(0.2)
    const text = await registry.metrics()
    assert.match(text, /^y_count 1$/m)
    assert.match(text, /^y_bucket\{le="0.5"\} 1$/m)
    h.reset()
    assert.match(await registry.metrics(), /^y_count 0$/m)
  })
})
